package computewatch

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/computecfg/computecfgtest"
	"github.com/negtrace/negtrace/sources/state"
)

const project = "shop-prod"

// now is the fake clock of every test.
var now = time.Date(2025, 6, 3, 9, 30, 0, 0, time.UTC)

// recorder is an Apply that keeps the batches and can be made to fail.
type recorder struct {
	mu      sync.Mutex
	batches []state.Batch
	fail    int // Applies to fail before storing again
	calls   int
	ch      chan struct{}
}

func newRecorder() *recorder { return &recorder{ch: make(chan struct{}, 1000)} }

func (r *recorder) apply(_ context.Context, b state.Batch) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.fail > 0 {
		r.fail--
		return errors.New("database is locked")
	}
	r.batches = append(r.batches, b)
	r.ch <- struct{}{}
	return nil
}

func (r *recorder) all() []state.Batch {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.batches)
}

// next waits for the next stored batch.
func (r *recorder) next(t *testing.T) state.Batch {
	t.Helper()
	select {
	case <-r.ch:
	case <-time.After(10 * time.Second):
		t.Fatal("no batch applied within 10s")
	}
	b := r.all()
	return b[len(b)-1]
}

// attempts records the attempts Backoff is asked about.
type attempts struct {
	mu   sync.Mutex
	seen []int
}

func (a *attempts) backoff(attempt int) time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seen = append(a.seen, attempt)
	return 5 * time.Millisecond
}

func (a *attempts) get() []int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.seen)
}

// options are fast test options against a fake; change fields as needed.
func options(srv *computecfgtest.Server, rec *recorder, att *attempts) Options {
	return Options{
		Project:       project,
		ClientOptions: srv.ClientOptions(),
		Apply:         rec.apply,
		Interval:      time.Hour, // one read unless a test shortens it
		Timeout:       10 * time.Second,
		Now:           func() time.Time { return now },
		Backoff:       att.backoff,
	}
}

// start creates a Fetcher and runs it until the test ends; Run must then
// return nil promptly.
func start(t *testing.T, opts Options) *Fetcher {
	t.Helper()
	f, err := New(context.Background(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v, want nil", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Run did not return within 5s of cancel")
		}
		if err := f.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return f
}

// waitStatus polls Status until ok accepts it.
func waitStatus(t *testing.T, f *Fetcher, what string, ok func(analyzer.SourceStatus) bool) analyzer.SourceStatus {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := f.Status()
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("status never %s; last %+v", what, st)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
