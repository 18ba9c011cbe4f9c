package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/negtrace/negtrace/analyzer"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs the service in-process on 127.0.0.1:0 and returns its
// base URL once /readyz answers 200. The service stops when the test ends.
func startServe(t testing.TB, cfg serveConfig) (base string, stdout *syncBuffer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.poll == 0 {
		cfg.poll = time.Second
	}
	if cfg.analysis.RoundTo == 0 {
		cfg.analysis = analyzer.DefaultOptions()
	}
	ctx, cancel := context.WithCancel(context.Background())
	stdout = &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln, cfg, slog.New(slog.DiscardHandler), stdout) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v after cancellation, want nil", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not shut down within 30s")
		}
	})
	base = "http://" + ln.Addr().String()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, stdout
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("service not ready within 30s")
	return "", nil
}

func get(t testing.TB, url string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func TestServeDemo(t *testing.T) {
	base, stdout := startServe(t, serveConfig{})
	if out := stdout.String(); !strings.Contains(out, "bundled demo incident") || !strings.Contains(out, base) {
		t.Errorf("stdout does not say it serves the demo on %s:\n%s", base, out)
	}
	code, hdr, body := get(t, base+"/")
	if code != http.StatusOK || !strings.Contains(body, "demo") {
		t.Errorf("GET / = %d, demo banner present %v", code, strings.Contains(body, "demo"))
	}
	if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
	code, _, body = get(t, base+"/metrics")
	for _, want := range []string{"negtrace_lb_errors_total", "negtrace_demo 1", "go_goroutines", "process_"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics (%d) lacks %q", code, want)
		}
	}
	code, _, body = get(t, base+"/reports?format=json")
	if code != http.StatusOK || !strings.Contains(body, `"schema": "negtrace.report/v1"`) {
		t.Errorf("GET /reports?format=json = %d: %.200s", code, body)
	}
}

func TestServeEvidenceFolder(t *testing.T) {
	base, stdout := startServe(t, serveConfig{evidence: stringsFlag{"../../testdata/scenarios/scale-down-drain"}})
	if out := stdout.String(); strings.Contains(out, "demo") {
		t.Errorf("stdout mentions the demo for an evidence folder:\n%s", out)
	}
	code, _, body := get(t, base+"/api/v1/snapshot")
	if code != http.StatusOK || !strings.Contains(body, "scale-down-drain") {
		t.Errorf("GET /api/v1/snapshot = %d: %.300s", code, body)
	}
}

func TestServeUsage(t *testing.T) {
	if code, _, _ := runArgs(t, "serve", "extra"); code != exitUsage {
		t.Errorf("serve with an argument: exit %d, want %d", code, exitUsage)
	}
	if code, _, stderr := runArgs(t, "serve", "--listen", "256.0.0.1:1"); code != exitFailure {
		t.Errorf("serve on a bad address: exit %d, want %d (%s)", code, exitFailure, stderr)
	}
}

// TestServeLiveWithoutCredentials checks that live mode with no Google
// credentials and no cluster still serves, and says per source what is
// wrong and how to fix it.
func TestServeLiveWithoutCredentials(t *testing.T) {
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(t.TempDir(), "missing.json"))
	t.Setenv("HOME", t.TempDir())
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	cfg := serveConfig{analysis: analyzer.DefaultOptions(), live: liveConfig{project: "p", db: filepath.Join(t.TempDir(), "negtrace.db"), retention: time.Hour, backfill: time.Minute, poll: time.Minute}}
	base, _ := startServe(t, cfg)
	code, _, body := get(t, base+"/api/v1/snapshot")
	if code != http.StatusOK {
		t.Fatalf("GET /api/v1/snapshot = %d", code)
	}
	var snap struct {
		Sources []analyzer.SourceStatus `json:"sources"`
	}
	if err := json.Unmarshal([]byte(body), &snap); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"cloud-logging": "credentials", "kubernetes": "--kubeconfig", "compute": "credentials"}
	for _, s := range snap.Sources {
		if hint, ok := want[s.Name]; ok {
			if s.State != analyzer.SourceDown || !strings.Contains(strings.ToLower(s.Message), strings.ToLower(hint)) {
				t.Errorf("source %s: %s %q, want down with a hint about %s", s.Name, s.State, s.Message, hint)
			}
			delete(want, s.Name)
		}
	}
	if len(want) > 0 {
		t.Errorf("sources missing from the snapshot: %v", want)
	}
	if code, _, _ := get(t, base+"/"); code != http.StatusOK {
		t.Errorf("dashboard: %d", code)
	}
}
