package state

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/computecfg"
	"github.com/negtrace/negtrace/sources/kube"
	"github.com/negtrace/negtrace/sources/lblog"
	"github.com/negtrace/negtrace/sources/negops"
)

// mixedBatch has records of every append-only kind, each twice, plus one
// LB entry that differs from another only in its timestamp's nanoseconds.
func mixedBatch(source string) Batch {
	ev2 := fullEvent()
	ev2.Count = 4 // a later aggregate of the same event is another record
	pod2 := fullPod()
	pod2.ResourceVersion = "1002"
	podDel := fullPod()
	podDel.Deleted = false // same resourceVersion, not the DELETED watch event: another version
	slice2 := fullSlice()
	slice2.ResourceVersion = "2003"
	audit2 := fullAudit()
	audit2.OperationID = "operation-2"
	r := []lblog.Request{
		request("a", t0, 200, "10.0.0.1"),
		request("a", t0, 200, "10.0.0.1"),
		request("a", t0.Add(time.Nanosecond), 200, "10.0.0.1"),
		request("b", t0, 503, "10.0.0.2"),
		request("b", t0, 503, "10.0.0.2"),
		request("c", t0, 200, ""),
	}
	return Batch{
		Source:   source,
		Requests: r,
		Audit:    []negops.AuditEntry{fullAudit(), audit2, fullAudit()},
		Events:   []kube.Event{fullEvent(), ev2, fullEvent()},
		Pods:     []kube.Pod{fullPod(), pod2, podDel, fullPod()},
		Slices:   []kube.EndpointSlice{fullSlice(), slice2, fullSlice()},
	}
}

func TestApplyDedup(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	want := Stats{Requests: 4, Errors: 1, Audit: 2, Events: 2, Pods: 3, Slices: 2}
	t.Run("within a batch", func(t *testing.T) {
		n, err := db.Apply(ctx, mixedBatch("cloud-logging"))
		if err != nil {
			t.Fatal(err)
		}
		if n != 13 {
			t.Errorf("added = %d, want 13", n)
		}
		checkStats(t, db, want)
	})
	t.Run("across batches and sources", func(t *testing.T) {
		n, err := db.Apply(ctx, mixedBatch("kubernetes"))
		if err != nil || n != 0 {
			t.Errorf("Apply again = %d, %v; want 0, nil", n, err)
		}
		checkStats(t, db, want)
	})
	t.Run("across Close and Open", func(t *testing.T) {
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db2 := openTest(t, Options{Path: db.path})
		b := mixedBatch("cloud-logging")
		b.Requests = append(b.Requests, request("d", t0, 500, "10.0.0.3"))
		n, err := db2.Apply(ctx, b)
		if err != nil || n != 1 {
			t.Errorf("Apply after reopening = %d, %v; want 1, nil", n, err)
		}
		want := want
		want.Requests++
		want.Errors++
		checkStats(t, db2, want)
	})
}

func checkStats(t *testing.T, db *DB, want Stats) {
	t.Helper()
	got, err := db.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Stats (-want +got):\n%s", d)
	}
}

func TestApplyReplaces(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	svc, be := fullService(), fullBackend()
	other := fullBackend()
	other.Region = "" // a global backend service of the same name is another one
	for _, tc := range []struct {
		name      string
		services  []kube.Service
		backends  []computecfg.Backend
		wantAdded int
	}{
		{"first", []kube.Service{svc}, []computecfg.Backend{be, other}, 3},
		{"identical again", []kube.Service{svc}, []computecfg.Backend{be}, 0},
		{"changed", []kube.Service{{Namespace: svc.Namespace, Name: svc.Name, UID: "new"}}, []computecfg.Backend{{Name: be.Name, Project: be.Project, Region: be.Region, SampleRate: 1}}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := db.Apply(ctx, Batch{Source: "compute", Services: tc.services, Backends: tc.backends})
			if err != nil || n != tc.wantAdded {
				t.Errorf("Apply = %d, %v; want %d", n, err, tc.wantAdded)
			}
		})
	}
	bs, err := db.Backends(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []computecfg.Backend{{Name: be.Name, Project: be.Project, Region: be.Region, SampleRate: 1}, other}
	if d := cmp.Diff(want, bs, cmpOpts); d != "" {
		t.Errorf("Backends (-want +got):\n%s", d)
	}
	ev, err := db.Evidence(ctx, analyzer.Window{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]kube.Service{{Namespace: svc.Namespace, Name: svc.Name, UID: "new"}}, ev.Services, cmpOpts); d != "" {
		t.Errorf("Services (-want +got):\n%s", d)
	}
}

func TestCheckpoint(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	check := func(source, want string, wantOK bool) {
		t.Helper()
		v, ok, err := db.Checkpoint(ctx, source)
		if err != nil || v != want || ok != wantOK {
			t.Errorf("Checkpoint(%q) = %q, %v, %v; want %q, %v", source, v, ok, err, want, wantOK)
		}
	}
	check("cloud-logging", "", false)
	if _, err := db.Apply(ctx, Batch{Source: "cloud-logging", Checkpoint: ptr("")}); err != nil {
		t.Fatal(err)
	}
	check("cloud-logging", "", true)
	for _, v := range []string{"2026-03-14T10:00:00Z/abc", "2026-03-14T10:01:00Z/def"} {
		if _, err := db.Apply(ctx, Batch{Source: "cloud-logging", Checkpoint: ptr(v)}); err != nil {
			t.Fatal(err)
		}
		check("cloud-logging", v, true)
	}
	// A batch without a checkpoint leaves it as it was.
	if _, err := db.Apply(ctx, Batch{Source: "cloud-logging", Requests: []lblog.Request{request("x", t0, 200, "")}}); err != nil {
		t.Fatal(err)
	}
	check("cloud-logging", "2026-03-14T10:01:00Z/def", true)
	check("kubernetes", "", false)
}

// TestApplyAtomic fails batches at each stage of their transaction and
// checks that neither their records nor their checkpoint were stored, and
// that the same batch then goes through.
func TestApplyAtomic(t *testing.T) {
	errBoom := errors.New("boom")
	for _, tc := range []struct {
		name  string
		stage string
		fail  func(cancel context.CancelFunc) error
	}{
		{"error after the records", "records", func(context.CancelFunc) error { return errBoom }},
		{"error after the checkpoint", "checkpoint", func(context.CancelFunc) error { return errBoom }},
		{"context cancelled after the records", "records", func(cancel context.CancelFunc) error { cancel(); return nil }},
		{"context cancelled before commit", "checkpoint", func(cancel context.CancelFunc) error { cancel(); return nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openTest(t, Options{})
			ctx := context.Background()
			if _, err := db.Apply(ctx, Batch{Source: "cloud-logging", Requests: []lblog.Request{request("old", t0, 200, "")}, Checkpoint: ptr("old")}); err != nil {
				t.Fatal(err)
			}
			before, err := db.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			b := mixedBatch("cloud-logging")
			b.Services = []kube.Service{fullService()}
			b.Checkpoint = ptr("new")
			bctx, cancel := context.WithCancel(ctx)
			defer cancel()
			db.hook = func(_ context.Context, stage string) error {
				if stage == tc.stage {
					return tc.fail(cancel)
				}
				return nil
			}
			if n, err := db.Apply(bctx, b); err == nil {
				t.Fatalf("Apply = %d, nil; want an error", n)
			}
			checkStats(t, db, before)
			if v, _, err := db.Checkpoint(ctx, "cloud-logging"); err != nil || v != "old" {
				t.Errorf("checkpoint after the failed batch = %q, %v; want old", v, err)
			}
			db.hook = nil
			if n, err := db.Apply(ctx, b); err != nil || n != 14 {
				t.Errorf("Apply after the failure = %d, %v; want 14, nil", n, err)
			}
			if v, _, err := db.Checkpoint(ctx, "cloud-logging"); err != nil || v != "new" {
				t.Errorf("checkpoint = %q, %v; want new", v, err)
			}
		})
	}
}

// TestApplySkipsUnencodable: a record JSON cannot hold is counted and
// reported, and does not stop the rest of the batch.
func TestApplySkipsUnencodable(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	bad := fullBackend()
	bad.Name = "nan"
	bad.SampleRate = math.NaN()
	farFuture := fullRequest()
	farFuture.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	n, err := db.Apply(ctx, Batch{
		Source:   "compute",
		Backends: []computecfg.Backend{bad, fullBackend()},
		Requests: []lblog.Request{farFuture},
	})
	if err != nil || n != 1 {
		t.Fatalf("Apply = %d, %v; want 1, nil", n, err)
	}
	checkStats(t, db, Stats{Backends: 1, Skipped: 2})
	ev, err := db.Evidence(ctx, analyzer.Window{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Inputs) != 1 {
		t.Fatalf("inputs = %+v, want one", ev.Inputs)
	}
	in := ev.Inputs[0]
	if in.Path != "live:compute" || in.Skipped != 2 || in.Records != 1 || len(in.Problems) != 1 || !strings.Contains(in.Problems[0], "year outside") {
		t.Errorf("input = %+v, want live:compute, 1 record, 2 skipped, a problem naming the first one (the year)", in)
	}
}

func TestApplyRejects(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	if _, err := db.Apply(ctx, Batch{Checkpoint: ptr("x")}); err == nil {
		t.Error("Apply without Source: no error")
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, err := db.Apply(ctx, Batch{Source: "x"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Apply after Close = %v, want %v", err, ErrClosed)
	}
	if _, err := db.Prune(ctx); err != nil {
		t.Errorf("Prune without retention after Close = %v, want nil", err)
	}
}

func TestApplyFunc(t *testing.T) {
	db := openTest(t, Options{})
	var apply ApplyFunc = db.ApplyFunc()
	if err := apply(context.Background(), Batch{Source: "kubernetes", Pods: []kube.Pod{fullPod()}, Checkpoint: ptr("rv")}); err != nil {
		t.Fatal(err)
	}
	checkStats(t, db, Stats{Pods: 1, Checkpoints: 1})
	if err := apply(context.Background(), Batch{}); err == nil {
		t.Error("ApplyFunc with an invalid batch: no error")
	}
}
