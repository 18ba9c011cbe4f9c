package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/negtrace/negtrace/analyzer"
)

// TestShutdownHTTP checks the HTTP side of a SIGTERM: a request in flight
// finishes within the drain timeout; one still running after it is cut,
// its context cancelled (so a report stops reading the database), and the
// shutdown still succeeds promptly.
func TestShutdownHTTP(t *testing.T) {
	tests := []struct {
		name      string
		work      time.Duration // how long the handler works, unless cancelled
		timeout   time.Duration // drain timeout
		wantBody  string        // what the client gets; "" for a cut connection
		wantCut   bool          // the handler's context is cancelled
		wantUnder time.Duration // shutdownHTTP returns within
	}{
		{name: "a request in flight finishes", work: 300 * time.Millisecond, timeout: 10 * time.Second, wantBody: "done", wantUnder: 5 * time.Second},
		{name: "a request past the drain timeout is cut", work: time.Hour, timeout: 300 * time.Millisecond, wantCut: true, wantUnder: 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			started, cut := make(chan struct{}), make(chan struct{})
			srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				close(started)
				select {
				case <-time.After(tt.work):
					io.WriteString(w, "done")
				case <-r.Context().Done():
					close(cut)
				}
			})}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			serveErr := make(chan error, 1)
			go func() { serveErr <- srv.Serve(ln) }()
			type result struct {
				body string
				err  error
			}
			got := make(chan result, 1)
			go func() {
				resp, err := http.Get("http://" + ln.Addr().String())
				if err != nil {
					got <- result{err: err}
					return
				}
				defer resp.Body.Close()
				b, err := io.ReadAll(resp.Body)
				got <- result{string(b), err}
			}()
			<-started

			begin := time.Now()
			if err := shutdownHTTP(srv, tt.timeout, slog.New(slog.DiscardHandler)); err != nil {
				t.Errorf("shutdownHTTP: %v, want nil", err)
			}
			if d := time.Since(begin); d > tt.wantUnder {
				t.Errorf("shutdownHTTP took %v, want under %v", d, tt.wantUnder)
			}
			if err := <-serveErr; !errors.Is(err, http.ErrServerClosed) {
				t.Errorf("Serve: %v, want ErrServerClosed", err)
			}
			r := <-got
			if tt.wantCut {
				select {
				case <-cut:
				case <-time.After(2 * time.Second):
					t.Error("the request's context was not cancelled within 2s of the shutdown")
				}
			} else {
				select {
				case <-cut:
					t.Error("the request was cut, want it to finish")
				default:
				}
			}
			if tt.wantBody != "" && (r.err != nil || r.body != tt.wantBody) {
				t.Errorf("client got %q, %v; want %q", r.body, r.err, tt.wantBody)
			}
			if tt.wantBody == "" && r.err == nil {
				t.Errorf("client got %q, want a cut connection", r.body)
			}
		})
	}
}

// TestServeLiveClosesStateOnShutdown checks that on shutdown live mode
// closes its state database (checkpointed: no write-ahead log left) and
// that serve returns nil, the clean exit a SIGTERM should give.
func TestServeLiveClosesStateOnShutdown(t *testing.T) {
	// No credentials and no cluster: the sources are down, the state is not.
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(t.TempDir(), "missing.json"))
	t.Setenv("HOME", t.TempDir())
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	db := filepath.Join(t.TempDir(), "negtrace.db")
	cfg := serveConfig{analysis: analyzer.DefaultOptions(), live: liveConfig{project: "p", db: db, retention: time.Hour, backfill: time.Minute, poll: time.Minute}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln, cfg, slog.New(slog.DiscardHandler), io.Discard) }()

	base := "http://" + ln.Addr().String()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("live mode not ready within 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if st, err := os.Stat(db + "-wal"); err != nil || st.Size() == 0 {
		t.Fatalf("while running, the state has no write-ahead log (%v): the test would prove nothing", err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v on shutdown, want nil", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30s")
	}
	if st, err := os.Stat(db + "-wal"); err == nil && st.Size() > 0 {
		t.Errorf("after shutdown the state's write-ahead log holds %d bytes: the database was not closed", st.Size())
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("still accepting connections after shutdown")
	}
}
