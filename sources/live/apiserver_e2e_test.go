package live

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/client-go/kubernetes"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/cloudlog"
	"github.com/negtrace/negtrace/sources/cloudlog/cloudlogtest"
	"github.com/negtrace/negtrace/sources/kube/kubetest"
	"github.com/negtrace/negtrace/sources/kube/kubewatch"
	"github.com/negtrace/negtrace/sources/sim"
	"github.com/negtrace/negtrace/sources/state"
)

// Durations of the real-time scenario.
const (
	rolloutLead    = 4 * time.Second  // from building the scenario to its window start
	rolloutWindow  = 45 * time.Second // the window: the rollout's terminations end ~25 s in
	rolloutAt      = 4 * time.Second  // the rollout, from the window start
	convergeWithin = 30 * time.Second // after the replay, for the live verdicts to settle
)

// TestLivePathRealAPIServer replays a simulated rollout in real time
// through the live path with a real kube-apiserver: pods are created,
// bound, updated, gracefully deleted (the API server stamps
// deletionTimestamp, so T0 comes from it) and force-deleted through the
// API as the simulator's timeline says, while the Cloud Logging entries
// (LB 5xx, NEG audit, GKE's copy of the events) reach the fake Logging
// server at their receiveTimestamp. The client-go informers, the real
// Logging client, the SQLite state and the service must then give every
// 5xx the same cause and pod, and every termination the same T0 and
// Killing time, as negtrace analyze on the exported files.
func TestLivePathRealAPIServer(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time end-to-end test with a real kube-apiserver: not with -short")
	}
	began := time.Now()
	restCfg := kubetest.StartAPIServer(t)
	client, err := kubernetes.NewForConfig(restCfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	sc, ok := sim.Lookup("rollout-race")
	if !ok {
		t.Fatal("no rollout-race scenario")
	}

	// The live path, started before the scenario so that its window is
	// ahead of now.
	logs := cloudlogtest.NewServer(t)
	db, err := state.Open(ctx, state.Options{Path: filepath.Join(t.TempDir(), "negtrace.db"), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc, err := New(Options{DB: db, Origin: "e2e apiserver", Analysis: analyzer.DefaultOptions(), Logger: slog.New(slog.DiscardHandler),
		Debounce: 50 * time.Millisecond, Refresh: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	reader, err := cloudlog.New(cloudlog.Options{Client: logs.Client(t), Project: sc.Config.Project,
		Cluster: sc.Config.Cluster, Location: sc.Config.Location, Apply: svc.Apply,
		Backfill: time.Hour, Poll: 200 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	watcher, err := kubewatch.NewWatcher(kubewatch.WatchOptions{Client: client, Namespaces: []string{"shop"}, Apply: svc.Apply,
		Flush: 50 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- svc.Run(runCtx, reader, watcher) }()
	defer func() {
		stop()
		if err := <-ran; err != nil {
			t.Errorf("Run = %v", err)
		}
	}()
	synced := time.Now().Add(30 * time.Second)
	for watcher.Status().State != analyzer.SourceOK {
		if time.Now().After(synced) {
			t.Fatalf("the informers did not sync within 30s: %+v", watcher.Status())
		}
		time.Sleep(20 * time.Millisecond)
	}

	// The scenario, starting a few seconds from now.
	start := time.Now().UTC().Truncate(time.Second).Add(rolloutLead)
	dir := simulateRollout(t, sc, start)
	offline, err := analyzer.Analyze(dirEvidence(t, dir), analyzer.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if offline.Summary.ByCause[analyzer.CauseRace] == 0 || len(offline.Terminations) == 0 {
		t.Fatalf("negtrace analyze finds %v race errors and %d terminations: nothing to compare", offline.Summary.ByCause, len(offline.Terminations))
	}

	rp := newAPIReplay(t, client, logs, dir, start)
	rp.setup(ctx)
	ready := time.Now()
	rp.run(ctx)
	replayed := time.Now()
	t.Logf("replay: set up %v before the window start; %d API calls, %d Cloud Logging entries; pod documents applied up to %v late; %d graceful deletes sent at most %v into their second",
		start.Sub(ready).Round(time.Millisecond), rp.calls, rp.released, rp.late.Round(time.Millisecond), rp.deletes, rp.deleteAfter.Round(time.Millisecond))

	want, wantTerms := verdictsOf(offline), terminationsOf(offline)
	var got []verdict
	var gotTerms []termination
	deadline := replayed.Add(convergeWithin)
	for {
		if snap := svc.Snapshot(); snap != nil {
			got, gotTerms = verdictsOf(snap.Report), terminationsOf(snap.Report)
			if cmp.Equal(want, got) && cmp.Equal(wantTerms, gotTerms) {
				t.Logf("live verdicts equal negtrace analyze's %v after the replay (%d errors, %d terminations); test ran %v",
					time.Since(replayed).Round(time.Millisecond), len(got), len(gotTerms), time.Since(began).Round(time.Second))
				return
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("live verdicts differ from negtrace analyze %v after the replay (-analyze +live):\n%s", convergeWithin, diff)
	}
	if diff := cmp.Diff(wantTerms, gotTerms); diff != "" {
		t.Errorf("live terminations differ from negtrace analyze %v after the replay (-analyze +live):\n%s", convergeWithin, diff)
	}
}

// simulateRollout writes a short rollout-race: only shop/web, 4 replicas,
// rolled out rolloutAt into a rolloutWindow starting at start, with node
// clocks in step with the API server's (no skew), so that each pod
// document's newest time is when it was written. It checks the truth has
// race errors.
func simulateRollout(t *testing.T, sc sim.Scenario, start time.Time) string {
	t.Helper()
	cfg := sc.Config
	cfg.Start, cfg.Window, cfg.MaxSkew = start, rolloutWindow, 0
	var web *sim.Workload
	for i := range cfg.Workloads {
		if cfg.Workloads[i].Namespace+"/"+cfg.Workloads[i].Name == "shop/web" {
			web = &cfg.Workloads[i]
		}
	}
	if web == nil {
		t.Fatal("rollout-race has no shop/web")
	}
	w := *web
	w.Replicas, w.RPS = 4, 10
	cfg.Workloads = []sim.Workload{w}
	cfg.Actions = []sim.Action{{At: rolloutAt, Workload: "shop/web", Kind: sim.ActionRollout}}
	world, err := sim.Run(sc.Name, cfg, sc.Seed)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := sim.Write(dir, world, sim.Options{}); err != nil {
		t.Fatal(err)
	}
	var truth sim.Truth
	readJSON(t, filepath.Join(dir, sim.FileTruth), &truth)
	if truth.ByCause[sim.CauseRace] == 0 || len(truth.Terminations) == 0 {
		t.Fatalf("the simulated rollout has %d race errors and %d terminations; the test needs both", truth.ByCause[sim.CauseRace], len(truth.Terminations))
	}
	return dir
}

// termination is what the live path must agree on about a termination:
// T0 (from the API server's deletionTimestamp on the live path) and the
// Killing time (from GKE's copy of the event, joined by the pod's UID).
type termination struct {
	Pod                 string
	DeletionRequestedAt time.Time
	KillingAt           time.Time
}

func terminationsOf(r *analyzer.Report) []termination {
	out := make([]termination, 0, len(r.Terminations))
	for _, tm := range r.Terminations {
		x := termination{Pod: tm.Pod}
		if tm.DeletionRequestedAt != nil {
			x.DeletionRequestedAt = *tm.DeletionRequestedAt
		}
		if tm.KillingAt != nil {
			x.KillingAt = *tm.KillingAt
		}
		out = append(out, x)
	}
	return out
}
