package state

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/kube"
	"github.com/negtrace/negtrace/sources/lblog"
	"github.com/negtrace/negtrace/sources/negops"
)

func TestPrune(t *testing.T) {
	ctx := context.Background()
	clock := &fixedClock{t: t0}
	db := openTest(t, Options{Retention: time.Hour, Now: clock.Now})
	now := t0.Add(2 * time.Hour)
	cutoff := now.Add(-time.Hour)
	apply := func(at time.Time, b Batch) {
		t.Helper()
		clock.Set(at)
		b.Source = "test"
		if _, err := db.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	audit := func(id string, at time.Time) negops.AuditEntry {
		a := fullAudit()
		a.InsertID, a.Time = id, at
		return a
	}
	event := func(name string, at time.Time) kube.Event {
		e := fullEvent()
		e.Name, e.Time = name, at
		return e
	}
	pod := func(uid, rv string, f func(*kube.Pod)) kube.Pod {
		p := kube.Pod{UID: uid, Namespace: "shop", Name: uid, ResourceVersion: rv, Phase: "Running", Created: t0.Add(-10 * time.Hour)}
		if f != nil {
			f(&p)
		}
		return p
	}
	slice := func(name, rv string) kube.EndpointSlice {
		return kube.EndpointSlice{Namespace: "shop", Name: name, ResourceVersion: rv}
	}
	apply(t0, Batch{
		Requests: []lblog.Request{
			request("old", t0, 502, "10.0.0.1"),
			request("just-before", cutoff.Add(-time.Nanosecond), 200, "10.0.0.1"),
			request("at-cutoff", cutoff, 502, "10.0.0.1"),
			request("recent", now, 200, "10.0.0.1"),
		},
		Audit:  []negops.AuditEntry{audit("old", t0), audit("recent", t0.Add(90*time.Minute))},
		Events: []kube.Event{event("old", t0), event("recent", t0.Add(90*time.Minute))},
		Pods: []kube.Pod{
			pod("gone-old", "1", nil),
			pod("gone-old", "2", func(p *kube.Pod) {
				p.Deleted, p.Deletion = true, t0.Add(30*time.Second)
				p.Exits = []kube.ContainerExit{{FinishedAt: t0.Add(40 * time.Second)}}
			}),
			pod("gone-recent", "3", nil),
			pod("gone-recent", "4", func(p *kube.Pod) { p.Deletion = t0.Add(90 * time.Minute) }),
			pod("running-old", "5", nil),
			pod("finished-old", "6", func(p *kube.Pod) {
				p.Phase = "Succeeded"
				p.Exits = []kube.ContainerExit{{FinishedAt: t0}}
			}),
			{UID: "timeless-old", Deleted: true}, // seen deleted at t0, carries no time
		},
		Slices: []kube.EndpointSlice{slice("web", "1"), slice("api", "1")},
	})
	apply(t0.Add(10*time.Minute), Batch{Slices: []kube.EndpointSlice{slice("web", "2")}})
	apply(now, Batch{
		Slices:     []kube.EndpointSlice{slice("web", "3")},
		Pods:       []kube.Pod{{UID: "timeless-recent", Deleted: true}},
		Services:   []kube.Service{fullService()},
		Checkpoint: ptr("c"),
	})

	removed, err := db.Prune(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 2 LB entries, 1 audit entry, 1 event, 2+1+1 pod versions, 1 slice version.
	if removed != 9 {
		t.Errorf("removed = %d, want 9", removed)
	}
	checkStats(t, db, Stats{Requests: 2, Errors: 1, Audit: 1, Events: 1, Pods: 4, Slices: 3, Services: 1, Checkpoints: 1})
	ev, err := db.Evidence(ctx, analyzer.Window{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ev.Pods {
		got = append(got, p.UID+"@"+p.ResourceVersion)
	}
	for _, s := range ev.Slices {
		got = append(got, s.Name+"@"+s.ResourceVersion)
	}
	for _, r := range ev.Errors {
		got = append(got, "lb:"+r.InsertID)
	}
	for _, a := range ev.Audit {
		got = append(got, "audit:"+a.InsertID)
	}
	for _, e := range ev.Events {
		got = append(got, "event:"+e.Name)
	}
	slices.Sort(got)
	want := []string{"api@1", "audit:recent", "event:recent", "gone-recent@3", "gone-recent@4", "lb:at-cutoff", "running-old@5", "timeless-recent@", "web@2", "web@3"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("kept (-want +got):\n%s", d)
	}
	if ev.LBRequests != 2 {
		t.Errorf("LBRequests = %d, want 2", ev.LBRequests)
	}

	// Pruning again removes nothing; nor does a database without retention.
	if n, err := db.Prune(ctx); err != nil || n != 0 {
		t.Errorf("second Prune = %d, %v; want 0", n, err)
	}
	forever := openTest(t, Options{Now: clock.Now})
	if _, err := forever.Apply(ctx, Batch{Source: "x", Requests: []lblog.Request{request("old", t0.AddDate(-10, 0, 0), 200, "")}}); err != nil {
		t.Fatal(err)
	}
	if n, err := forever.Prune(ctx); err != nil || n != 0 {
		t.Errorf("Prune without retention = %d, %v; want 0", n, err)
	}
	checkStats(t, forever, Stats{Requests: 1})
}

// TestPruneGivesSpaceBack: pruned pages return to the file system
// (incremental auto-vacuum), so the file does not only grow.
func TestPruneGivesSpaceBack(t *testing.T) {
	ctx := context.Background()
	clock := &fixedClock{t: t0}
	db := openTest(t, Options{Retention: time.Minute, Now: clock.Now})
	var mode int
	if err := db.sql.QueryRow(`PRAGMA auto_vacuum`).Scan(&mode); err != nil || mode != 2 {
		t.Fatalf("auto_vacuum = %d, %v; want 2 (incremental)", mode, err)
	}
	if _, err := db.Apply(ctx, lbBatch(0, 20_000)); err != nil {
		t.Fatal(err)
	}
	pages := func() (n int) {
		t.Helper()
		if err := db.sql.QueryRow(`PRAGMA page_count`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := pages()
	clock.Set(t0.Add(time.Hour))
	if n, err := db.Prune(ctx); err != nil || n != 20_000 {
		t.Fatalf("Prune = %d, %v; want 20000", n, err)
	}
	var free int
	if err := db.sql.QueryRow(`PRAGMA freelist_count`).Scan(&free); err != nil {
		t.Fatal(err)
	}
	if after := pages(); free != 0 || after > before/4 {
		t.Errorf("after pruning everything: %d of %d pages left, %d free; want the space given back", after, before, free)
	}
}
