package export

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/negtrace/negtrace/analyzer"
)

const demoScenario = "../../testdata/scenarios/rollout-race"

func copyScenario(t *testing.T, dst string, names ...string) {
	t.Helper()
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(demoScenario, n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func newTestStore(t *testing.T, opts StoreOptions) *Store {
	t.Helper()
	opts.Logger = slog.New(slog.DiscardHandler)
	opts.Analysis = analyzer.DefaultOptions()
	if opts.Origin == "" {
		opts.Origin = "test evidence"
	}
	s, err := NewStore(opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStoreRefreshAndWindowReports(t *testing.T) {
	dir := t.TempDir()
	copyScenario(t, dir, "lb-requests.jsonl.gz", "pods.json", "neg-audit.json", "events.json", "services.json", "endpointslices.json")
	s := newTestStore(t, StoreOptions{Paths: []string{dir}})
	if s.Snapshot() != nil {
		t.Fatal("snapshot before the first analysis")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	snap := s.Snapshot()
	if snap == nil || snap.Report.Summary.ByCause[analyzer.CauseRace] == 0 {
		t.Fatalf("snapshot = %+v, want race errors", snap)
	}
	if len(snap.Sources) != 1 || snap.Sources[0].State != analyzer.SourceOK || snap.Sources[0].Records == 0 {
		t.Errorf("sources = %+v, want one ok source with records", snap.Sources)
	}
	w := analyzer.Window{Start: time.Date(2025, 3, 4, 18, 10, 0, 0, time.UTC), End: time.Date(2025, 3, 4, 18, 12, 0, 0, time.UTC)}
	rep, err := s.Report(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.LBRequests >= snap.Report.Summary.LBRequests || rep.Summary.ByCause[analyzer.CauseRace] != 0 {
		t.Errorf("window report: %d requests, %d race errors; want fewer requests than %d and no race", rep.Summary.LBRequests, rep.Summary.ByCause[analyzer.CauseRace], snap.Report.Summary.LBRequests)
	}
	if !rep.Window.Start.Equal(w.Start) || !rep.Window.End.Equal(w.End) {
		t.Errorf("window = %+v, want %+v", rep.Window, w)
	}
}

func TestStoreRunNoticesChanges(t *testing.T) {
	dir := t.TempDir()
	copyScenario(t, dir, "lb-requests.jsonl.gz", "pods.json")
	s := newTestStore(t, StoreOptions{Paths: []string{dir}, Poll: 20 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	waitFor := func(what string, ok func(*analyzer.Snapshot) bool) {
		t.Helper()
		for ctx.Err() == nil {
			if snap := s.Snapshot(); snap != nil && ok(snap) {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("timed out waiting for %s", what)
	}
	waitFor("first analysis", func(s *analyzer.Snapshot) bool { return len(s.Report.Inputs) == 2 })
	first := s.Snapshot().Sources[0].LastSuccess
	waitFor("a check without change to move last_success", func(s *analyzer.Snapshot) bool { return s.Sources[0].LastSuccess.After(first) })
	copyScenario(t, dir, "neg-audit.json")
	waitFor("re-analysis with the audit log", func(s *analyzer.Snapshot) bool { return len(s.Report.Inputs) == 3 })
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil after cancellation", err)
	}
}

func TestStoreFromFS(t *testing.T) {
	s := newTestStore(t, StoreOptions{FS: os.DirFS("../../testdata/scenarios"), Paths: []string{"rollout-race"}, Demo: true, Origin: "demo"})
	if err := s.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	snap := s.Snapshot()
	if !snap.Demo || snap.Sources[0].Name != "demo" || snap.Report.Summary.LB5xx == 0 {
		t.Errorf("demo snapshot = demo %v, source %q, lb_5xx %d", snap.Demo, snap.Sources[0].Name, snap.Report.Summary.LB5xx)
	}
	for _, in := range snap.Report.Inputs {
		if in.Path == "rollout-race/truth.json" && in.Kind != KindNegtrace {
			t.Errorf("truth.json kind %q, want %q", in.Kind, KindNegtrace)
		}
	}
}

func TestNewStoreValidates(t *testing.T) {
	for _, opts := range []StoreOptions{
		{Origin: "x", Logger: slog.New(slog.DiscardHandler)},
		{Paths: []string{"x"}, Logger: slog.New(slog.DiscardHandler)},
		{Paths: []string{"x"}, Origin: "x"},
	} {
		if _, err := NewStore(opts); err == nil {
			t.Errorf("NewStore(%+v) accepted invalid options", opts)
		}
	}
}
