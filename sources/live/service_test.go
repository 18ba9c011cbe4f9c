package live

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/export"
	"github.com/negtrace/negtrace/sources/state"
)

// scenarioEvidence reads a bundled scenario the way negtrace analyze does.
func scenarioEvidence(t *testing.T, name string) *analyzer.Evidence {
	t.Helper()
	return dirEvidence(t, filepath.Join("..", "..", "testdata", "scenarios", name))
}

// dirEvidence reads a scenario folder the way negtrace analyze does.
func dirEvidence(t *testing.T, dir string) *analyzer.Evidence {
	t.Helper()
	col := analyzer.NewCollector(analyzer.Window{})
	if err := export.Read(context.Background(), []string{dir}, export.Options{Collector: col, Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatal(err)
	}
	return col.Evidence()
}

// replaySource hands a scenario's error entries, audit entries, events and
// objects to the service in batches, like a live source would, then idles.
type replaySource struct {
	apply   state.ApplyFunc
	batches []state.Batch
	mu      sync.Mutex
	sent    int
	done    chan struct{}
}

func (r *replaySource) Run(ctx context.Context) error {
	for _, b := range r.batches {
		if err := r.apply(ctx, b); err != nil {
			return err
		}
		r.mu.Lock()
		r.sent++
		r.mu.Unlock()
	}
	close(r.done)
	<-ctx.Done()
	return nil
}

func (r *replaySource) Status() analyzer.SourceStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return analyzer.SourceStatus{Name: "replay", State: analyzer.SourceOK, Records: r.sent}
}

func batchesOf(ev *analyzer.Evidence) []state.Batch {
	cp := "done"
	var bs []state.Batch
	for i := 0; i < len(ev.Errors); i += 7 { // several small batches, like pages
		bs = append(bs, state.Batch{Source: "cloud-logging", Requests: ev.Errors[i:min(i+7, len(ev.Errors))]})
	}
	bs = append(bs,
		state.Batch{Source: "cloud-logging", Audit: ev.Audit, Events: ev.Events, Checkpoint: &cp},
		state.Batch{Source: "kubernetes", Pods: ev.Pods, Slices: ev.Slices, Services: ev.Services},
	)
	// A source that restarts re-reads some entries: they must count once.
	bs = append(bs, state.Batch{Source: "cloud-logging", Requests: ev.Errors[:min(10, len(ev.Errors))]})
	return bs
}

func TestServiceMatchesOfflineVerdicts(t *testing.T) {
	ev := scenarioEvidence(t, "rollout-race")
	offline, err := analyzer.Analyze(ev, analyzer.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := state.Open(ctx, state.Options{Path: filepath.Join(t.TempDir(), "negtrace.db"), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc, err := New(Options{DB: db, Origin: "test", Analysis: analyzer.DefaultOptions(), Logger: slog.New(slog.DiscardHandler), Debounce: time.Millisecond, Refresh: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	src := &replaySource{apply: svc.Apply, batches: batchesOf(ev), done: make(chan struct{})}
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- svc.Run(runCtx, src) }()
	<-src.done
	var snap *analyzer.Snapshot
	for ctx.Err() == nil {
		if snap = svc.Snapshot(); snap != nil && snap.Report.Summary.LB5xx == offline.Summary.LB5xx && len(snap.Report.Terminations) == len(offline.Terminations) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	if err := <-ran; err != nil {
		t.Errorf("Run = %v", err)
	}
	// Live mode keeps only the 5xx (the filter is server-side), so traffic
	// totals and "last request" differ; the verdicts must not.
	type verdict struct {
		ID    string
		Cause analyzer.Cause
		Pod   *string
	}
	verdicts := func(r *analyzer.Report) []verdict {
		var v []verdict
		for _, e := range r.Errors {
			v = append(v, verdict{e.InsertID, e.Cause, e.Pod})
		}
		return v
	}
	if diff := cmp.Diff(verdicts(offline), verdicts(snap.Report)); diff != "" {
		t.Errorf("live verdicts differ from negtrace analyze (-offline +live):\n%s", diff)
	}
	if diff := cmp.Diff(offline.Summary.ByCause, snap.Report.Summary.ByCause); diff != "" {
		t.Errorf("by_cause (-offline +live):\n%s", diff)
	}
	names := func(r *analyzer.Report) []string {
		var n []string
		for _, t := range r.Terminations {
			n = append(n, t.Pod+" "+string(t.Verdict))
		}
		return n
	}
	if diff := cmp.Diff(names(offline), names(snap.Report), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("terminations (-offline +live):\n%s", diff)
	}
	if len(snap.Sources) != 2 || snap.Sources[0].Name != "replay" || snap.Sources[1].Name != "state" {
		t.Errorf("sources = %+v", snap.Sources)
	}
}

func TestServiceReportWindow(t *testing.T) {
	ev := scenarioEvidence(t, "rollout-race")
	ctx := context.Background()
	db, err := state.Open(ctx, state.Options{Path: ":memory:", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc, err := New(Options{DB: db, Origin: "test", Analysis: analyzer.DefaultOptions(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range batchesOf(ev) {
		if err := svc.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	w := analyzer.Window{Start: time.Date(2025, 3, 4, 18, 13, 0, 0, time.UTC), End: time.Date(2025, 3, 4, 18, 13, 20, 0, time.UTC)}
	rep, err := svc.Report(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, e := range ev.Errors {
		if !e.Time.Before(w.Start) && e.Time.Before(w.End) {
			want++
		}
	}
	if rep.Summary.LB5xx != want || want == 0 {
		t.Errorf("lb_5xx in window = %d, want %d (> 0)", rep.Summary.LB5xx, want)
	}
}
