package live

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/state"
)

// TestRefreshReanalysesOnlyChangedEvidence: a refresh with nothing stored
// since republishes the same report with new source health; a stored batch
// makes the next refresh analyse again.
func TestRefreshReanalysesOnlyChangedEvidence(t *testing.T) {
	ev := scenarioEvidence(t, "rollout-race")
	ctx := context.Background()
	db, err := state.Open(ctx, state.Options{Path: filepath.Join(t.TempDir(), "negtrace.db"), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	svc, err := New(Options{DB: db, Origin: "test", Analysis: analyzer.DefaultOptions(), Logger: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Apply(ctx, state.Batch{Source: "kubernetes", Pods: ev.Pods, Slices: ev.Slices, Services: ev.Services}); err != nil {
		t.Fatal(err)
	}
	svc.analyse(ctx)
	first := svc.Snapshot()
	if first == nil || len(first.Report.Errors) != 0 {
		t.Fatalf("first analysis: %+v", first)
	}

	now = now.Add(15 * time.Second)
	svc.analyse(ctx) // a refresh tick, nothing stored since
	second := svc.Snapshot()
	if second == first || second.Report != first.Report {
		t.Errorf("refresh without new evidence: snapshot %p report %p, want a new snapshot of report %p", second, second.Report, first.Report)
	}
	if !second.Updated.Equal(now) || second.Sources[len(second.Sources)-1].LastSuccess != now {
		t.Errorf("refresh: Updated %v, state %+v; want both at %v", second.Updated, second.Sources[len(second.Sources)-1], now)
	}

	if err := svc.Apply(ctx, state.Batch{Source: "cloud-logging", Requests: ev.Errors}); err != nil {
		t.Fatal(err)
	}
	svc.analyse(ctx)
	third := svc.Snapshot()
	if third.Report == first.Report || len(third.Report.Errors) != len(ev.Errors) {
		t.Errorf("after a stored batch: %d errors in the report (same report: %v), want %d", len(third.Report.Errors), third.Report == first.Report, len(ev.Errors))
	}
}
