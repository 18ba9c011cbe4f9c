package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"

	"github.com/negtrace/negtrace/sources/cloudlog/cloudlogtest"
	"github.com/negtrace/negtrace/sources/computecfg/computecfgtest"
)

// TestMain lets a test run negtrace as a child process (so it can be
// killed with SIGKILL): with NEGTRACE_TEST_CHILD set, the test binary is
// negtrace, its arguments in NEGTRACE_TEST_ARGS (JSON).
func TestMain(m *testing.M) {
	if os.Getenv("NEGTRACE_TEST_CHILD") == "1" {
		var args []string
		if err := json.Unmarshal([]byte(os.Getenv("NEGTRACE_TEST_ARGS")), &args); err != nil {
			fmt.Fprintln(os.Stderr, "bad NEGTRACE_TEST_ARGS:", err)
			os.Exit(2)
		}
		main2(args)
	}
	os.Exit(m.Run())
}

// main2 is main with given arguments.
func main2(args []string) {
	os.Args = append([]string{"negtrace"}, args...)
	main()
}

// child is negtrace running as a child process.
type child struct {
	cmd  *exec.Cmd
	base string
	logs *syncBuffer
}

func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	b, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "NEGTRACE_TEST_CHILD=1", "NEGTRACE_TEST_ARGS="+string(b))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, logs: logs}
	t.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			c.cmd.Process.Kill()
			c.cmd.Wait()
		}
	})
	addr := regexp.MustCompile(`on (http://127\.0\.0\.1:\d+)`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := addr.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case c.base = <-found:
	case <-time.After(60 * time.Second):
		t.Fatalf("negtrace did not start; its log:\n%s", logs.String())
	}
	return c
}

// kill ends the child with SIGKILL: no shutdown, no flush.
func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	c.cmd.Wait()
}

// stop ends the child with SIGTERM and checks it shut down cleanly.
func (c *child) stop(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("negtrace exited with %v after SIGTERM; log:\n%s", err, c.logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Error("negtrace did not stop within 30s of SIGTERM")
	}
}

type snapshotJSON struct {
	Summary struct {
		LB5xx   int            `json:"lb_5xx"`
		ByCause map[string]int `json:"by_cause"`
	} `json:"summary"`
	Sources []struct {
		Name, State, Message string
	} `json:"sources"`
}

func (c *child) snapshot(t *testing.T) (snapshotJSON, bool) {
	var s snapshotJSON
	resp, err := http.Get(c.base + "/api/v1/snapshot")
	if err != nil {
		return s, false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return s, false
	}
	b, _ := io.ReadAll(resp.Body)
	return s, json.Unmarshal(b, &s) == nil
}

// waitFor5xx waits until the child's analysis holds n LB 5xx.
func (c *child) waitFor5xx(t *testing.T, n int) snapshotJSON {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	var last snapshotJSON
	for time.Now().Before(deadline) {
		if s, ok := c.snapshot(t); ok {
			last = s
			if s.Summary.LB5xx == n {
				return s
			}
			if s.Summary.LB5xx > n {
				t.Fatalf("lb_5xx = %d, above the %d entries served: an error was counted twice", s.Summary.LB5xx, n)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("lb_5xx stayed %d, want %d; sources %+v; log:\n%s", last.Summary.LB5xx, n, last.Sources, c.logs.String())
	return last
}

func is5xx(e *loggingpb.LogEntry) bool { return e.GetHttpRequest().GetStatus() >= 500 }

// TestLiveRestartLosesAndDuplicatesNothing runs negtrace in live mode
// against a fake Cloud Logging server fed a simulated incident in three
// parts, kills it with SIGKILL while it reads the second, restarts it on
// the same database, and checks every 5xx is counted exactly once.
func TestLiveRestartLosesAndDuplicatesNothing(t *testing.T) {
	entries, err := cloudlogtest.LoadScenario(filepath.Join("..", "..", "testdata", "scenarios", "rollout-race"))
	if err != nil {
		t.Fatal(err)
	}
	// Entries arrive in time order, as they do in Cloud Logging (within the
	// reader's overlap window): the incident is served in three parts.
	slices.SortStableFunc(entries, func(a, b *loggingpb.LogEntry) int {
		return a.GetTimestamp().AsTime().Compare(b.GetTimestamp().AsTime())
	})
	part := [4]int{0, len(entries) / 3, 2 * len(entries) / 3, len(entries)}
	errsUpTo := func(i int) int {
		n := 0
		for _, e := range entries[:part[i]] {
			if is5xx(e) {
				n++
			}
		}
		return n
	}
	fake := cloudlogtest.NewServer(t, entries[:part[1]]...)
	fake.SetMaxPageSize(5) // many small pages: the kill lands between them
	compute := computecfgtest.NewServer(t, nil, nil)
	db := filepath.Join(t.TempDir(), "negtrace.db")
	args := []string{"serve", "--listen", "127.0.0.1:0", "--project", "shop-prod", "--no-kubernetes", "--db", db,
		"--logging-endpoint", fake.Addr, "--compute-endpoint", compute.URL, "--insecure-endpoints",
		"--backfill", "20000h", "--logging-poll", "100ms"}

	c := startChild(t, args...)
	c.waitFor5xx(t, errsUpTo(1))
	fake.Add(entries[part[1]:part[2]]...)
	// Kill while the second part is being read, page by page.
	if err := fake.Wait(context.Background(), func() bool { return len(fake.ListCalls()) > 0 }); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond)
	atKill, _ := c.snapshot(t)
	c.kill(t)
	t.Logf("killed with SIGKILL mid-stream: %d of %d 5xx analysed (%d served)", atKill.Summary.LB5xx, errsUpTo(3), errsUpTo(2))

	c = startChild(t, args...)
	fake.Add(entries[part[2]:]...)
	total := errsUpTo(3)
	s := c.waitFor5xx(t, total)
	sum := 0
	for _, n := range s.Summary.ByCause {
		sum += n
	}
	if sum != total {
		t.Errorf("by_cause adds up to %d, want %d", sum, total)
	}
	for _, src := range s.Sources {
		if src.Name == "cloud-logging" && src.State != "ok" {
			t.Errorf("cloud-logging source %s: %s", src.State, src.Message)
		}
	}
	// Stay a while: more passes over the overlap window add nothing.
	time.Sleep(500 * time.Millisecond)
	if s, _ := c.snapshot(t); s.Summary.LB5xx != total {
		t.Errorf("after more passes lb_5xx = %d, want %d", s.Summary.LB5xx, total)
	}
	c.stop(t)
	if !strings.Contains(c.logs.String(), "shutting down") {
		t.Errorf("no graceful shutdown logged:\n%s", c.logs.String())
	}
}
