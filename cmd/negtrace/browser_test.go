package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium returns the browser binary for the headless tests. It skips the
// test where none is installed, except in CI (CI=true), where .ci/run
// installs Debian's chromium and a missing browser is a failure.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium in PATH: .ci/run must install Debian's chromium")
	}
	t.Skip("no chromium in PATH (apt-get install chromium); required when CI=true")
	return ""
}

// testOutputDir is where browser tests leave screenshots: $TEST_OUTPUT_DIR,
// else a folder in the system's temporary directory.
func testOutputDir(t *testing.T) string {
	dir := os.Getenv("TEST_OUTPUT_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "negtrace-test-output")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestDashboardInChromium loads every page of the served demo in headless
// Chromium and checks that the charts and the timeline render, with no
// console error (a CSP violation counts as one).
func TestDashboardInChromium(t *testing.T) {
	bin := chromium(t)
	base, _ := startServe(t, serveConfig{})

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1100),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}

	var mu sync.Mutex
	var problems []string
	consoleCtx, stopConsole := context.WithCancel(bctx)
	messages := chromedp.Console(consoleCtx)
	consoleDone := make(chan struct{})
	go func() {
		defer close(consoleDone)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				problems = append(problems, m.String())
				mu.Unlock()
			}
		}
	}()

	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(bctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	count := func(selector string) int {
		t.Helper()
		n, err := chromedp.Run(bctx, chromedp.Evaluate[int]("document.querySelectorAll("+jsString(selector)+").length"))
		if err != nil {
			t.Fatalf("count %s: %v", selector, err)
		}
		return n
	}
	shoot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100)) // quality 100: PNG
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		path := filepath.Join(testOutputDir(t), name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}

	step("overview", chromedp.Navigate(base+"/"), chromedp.WaitVisible(`body[data-charts-ready="1"]`))
	for _, sel := range []string{"#chart-causes canvas", "#chart-latency canvas"} {
		if n := count(sel); n == 0 {
			t.Errorf("overview: no %s drawn", sel)
		}
	}
	shoot("dashboard-overview.png")

	step("timeline", chromedp.Navigate(base+"/timeline"), chromedp.WaitVisible(`#timeline svg`))
	if n := count("#timeline svg circle, #timeline svg .err"); n == 0 {
		t.Error("timeline: no error dots drawn")
	}
	shoot("dashboard-timeline.png")

	for _, page := range []string{"/workloads", "/errors", "/sources"} {
		step(page, chromedp.Navigate(base+page), chromedp.WaitVisible(`main`))
		if n := count("table"); n == 0 {
			t.Errorf("%s: no table", page)
		}
	}

	stopConsole()
	<-consoleDone
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("console: %s", p)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b := []byte{'"'}
	for _, r := range s {
		switch r {
		case '"', '\\':
			b = append(b, '\\', byte(r))
		default:
			b = append(b, string(r)...)
		}
	}
	return string(append(b, '"'))
}
