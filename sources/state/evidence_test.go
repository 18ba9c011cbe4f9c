package state

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/computecfg"
	"github.com/negtrace/negtrace/sources/kube"
	"github.com/negtrace/negtrace/sources/lblog"
)

// chunks splits b's records into n batches of source, in order.
func chunks(b Batch, source string, n int) []Batch {
	part := func(l, i int) (int, int) { return l * i / n, l * (i + 1) / n }
	out := make([]Batch, n)
	for i := range out {
		c := Batch{Source: source}
		lo, hi := part(len(b.Requests), i)
		c.Requests = b.Requests[lo:hi]
		lo, hi = part(len(b.Audit), i)
		c.Audit = b.Audit[lo:hi]
		lo, hi = part(len(b.Events), i)
		c.Events = b.Events[lo:hi]
		lo, hi = part(len(b.Pods), i)
		c.Pods = b.Pods[lo:hi]
		lo, hi = part(len(b.Slices), i)
		c.Slices = b.Slices[lo:hi]
		lo, hi = part(len(b.Services), i)
		c.Services = b.Services[lo:hi]
		lo, hi = part(len(b.Backends), i)
		c.Backends = b.Backends[lo:hi]
		out[i] = c
	}
	return out
}

// collect feeds batches to a Collector the way Evidence does: kind by kind,
// in the order stored (LB entries by time first), Services replacing each
// other.
func collect(w analyzer.Window, batches []Batch) *analyzer.Evidence {
	c := analyzer.NewCollector(w)
	var reqs []lblog.Request
	for _, b := range batches {
		reqs = append(reqs, b.Requests...)
	}
	// LB entries come in time order, then in the order stored.
	slices.SortStableFunc(reqs, func(a, b lblog.Request) int { return a.Time.Compare(b.Time) })
	for _, r := range reqs {
		c.AddRequest(r)
	}
	for _, b := range batches {
		for _, a := range b.Audit {
			c.AddAudit(a)
		}
	}
	for _, b := range batches {
		for _, e := range b.Events {
			c.AddEvent(e)
		}
	}
	for _, b := range batches {
		for _, p := range b.Pods {
			c.AddPod(p)
		}
	}
	for _, b := range batches {
		for _, s := range b.Slices {
			c.AddSlice(s)
		}
	}
	// The Collector keeps every copy of a Service; the database keeps the
	// latest per namespace/name, where the first was.
	var svcs []kube.Service
	for _, b := range batches {
	next:
		for _, s := range b.Services {
			for i := range svcs {
				if svcs[i].Namespace == s.Namespace && svcs[i].Name == s.Name {
					svcs[i] = s
					continue next
				}
			}
			svcs = append(svcs, s)
		}
	}
	for _, s := range svcs {
		c.AddService(s)
	}
	for _, b := range batches {
		for _, be := range b.Backends {
			c.AddBackend(be)
		}
	}
	return c.Evidence()
}

// TestEvidenceMatchesCollector stores a simulated incident in overlapping
// batches from two sources, plus the hand-made records, and checks that
// Evidence equals what a Collector makes of the same records, for an open
// window and for one that cuts the incident at sub-second bounds.
func TestEvidenceMatchesCollector(t *testing.T) {
	ctx := context.Background()
	c := loadCorpus(t)
	db := openTest(t, Options{})
	logging := chunks(c.batch, "cloud-logging", 7)
	extra := mixedBatch("kubernetes")
	extra.Services = nil // Services replace each other in the DB; the Collector keeps every copy
	extra.Backends = []computecfg.Backend{fullBackend()}
	var applied []Batch
	for i, b := range logging {
		applied = append(applied, b)
		if i > 0 {
			applied = append(applied, logging[i-1]) // an overlapping re-read
		}
		if i == 3 {
			applied = append(applied, extra)
		}
	}
	for _, b := range applied {
		if _, err := db.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	first, last := c.batch.Requests[0].Time, c.batch.Requests[0].Time
	for _, r := range c.batch.Requests {
		if r.Time.Before(first) {
			first = r.Time
		}
		if r.Time.After(last) {
			last = r.Time
		}
	}
	span := last.Sub(first)
	for _, tc := range []struct {
		name string
		w    analyzer.Window
	}{
		{"open", analyzer.Window{}},
		{"middle", analyzer.Window{Start: first.Add(span / 3).Add(500 * time.Millisecond), End: first.Add(2 * span / 3).Add(250 * time.Millisecond)}},
		{"open start", analyzer.Window{End: first.Add(span / 2)}},
		{"open end", analyzer.Window{Start: first.Add(span / 2)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.Evidence(ctx, tc.w)
			if err != nil {
				t.Fatal(err)
			}
			want := collect(tc.w, applied)
			if want.LBRequests == 0 || len(want.Errors) == 0 {
				t.Fatalf("test window holds no LB errors: %+v", tc.w)
			}
			if d := cmp.Diff(want, got, cmpOpts, cmpopts.IgnoreFields(analyzer.Evidence{}, "Inputs")); d != "" {
				t.Errorf("Evidence (-Collector +DB):\n%s", d)
			}
			records := got.LBRequests + len(got.Audit) + len(got.Events) + len(got.Pods) + len(got.Slices) + len(got.Services) + len(got.Backends)
			sum := 0
			var paths []string
			for _, in := range got.Inputs {
				sum += in.Records
				paths = append(paths, in.Path)
				if in.Kind != "live" || in.Skipped != 0 || in.Problems == nil {
					t.Errorf("input %+v: want kind live, nothing skipped, no problems", in)
				}
			}
			if d := cmp.Diff([]string{"live:cloud-logging", "live:kubernetes"}, paths); d != "" {
				t.Errorf("input paths (-want +got):\n%s", d)
			}
			if sum != records {
				t.Errorf("inputs count %d records, evidence holds %d", sum, records)
			}
		})
	}
}

// TestEvidenceAnalyzesLikeExport: the incident read through the state
// database gives the same report as the exported files read directly.
func TestEvidenceAnalyzesLikeExport(t *testing.T) {
	ctx := context.Background()
	c := loadCorpus(t)
	db := openTest(t, Options{})
	for _, b := range chunks(c.batch, "cloud-logging", 5) {
		if _, err := db.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := db.Evidence(ctx, analyzer.Window{})
	if err != nil {
		t.Fatal(err)
	}
	opts := analyzer.DefaultOptions()
	want, err := analyzer.Analyze(c.ev, opts)
	if err != nil {
		t.Fatal(err)
	}
	got, err := analyzer.Analyze(ev, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d LB entries (%d errors), %d terminations; causes %v", got.Summary.LBRequests, got.Summary.LB5xx, got.Summary.Terminations, got.Summary.ByCause)
	if want.Summary.ByCause[analyzer.CauseRace] == 0 {
		t.Fatalf("scenario report has no race errors: %+v", want.Summary)
	}
	if d := cmp.Diff(want, got, cmpopts.IgnoreFields(analyzer.Report{}, "Inputs"), cmpopts.EquateEmpty()); d != "" {
		t.Errorf("report (-export +state):\n%s", d)
	}
}

// TestEvidenceWindowBounds: the window keeps LB entries from Start
// (inclusive) to End (exclusive) to the nanosecond, and never filters the
// other kinds.
func TestEvidenceWindowBounds(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	start, end := t0, t0.Add(10*time.Second)
	reqs := []lblog.Request{
		request("before-same-second", start.Add(-time.Nanosecond), 502, "10.0.0.1"),
		request("before", start.Add(-time.Hour), 502, "10.0.0.1"),
		request("at-start", start, 502, "10.0.0.1"),
		request("ok-inside", start.Add(time.Second), 200, "10.0.0.2"),
		request("last-inside", end.Add(-time.Nanosecond), 502, "10.0.0.1"),
		request("at-end", end, 502, "10.0.0.1"),
		request("after", end.Add(time.Hour), 200, "10.0.0.1"),
	}
	old := fullEvent()
	old.Time = start.Add(-24 * time.Hour)
	if _, err := db.Apply(ctx, Batch{Source: "cloud-logging", Requests: reqs, Events: []kube.Event{old}}); err != nil {
		t.Fatal(err)
	}
	ev, err := db.Evidence(ctx, analyzer.Window{Start: start, End: end})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range ev.Errors {
		ids = append(ids, r.InsertID)
	}
	if d := cmp.Diff([]string{"at-start", "last-inside"}, ids); d != "" {
		t.Errorf("errors in window (-want +got):\n%s", d)
	}
	if ev.LBRequests != 3 || !ev.FirstEntry.Equal(start) || !ev.LastEntry.Equal(end.Add(-time.Nanosecond)) {
		t.Errorf("LBRequests %d, first %v, last %v; want 3, %v, %v", ev.LBRequests, ev.FirstEntry, ev.LastEntry, start, end.Add(-time.Nanosecond))
	}
	if len(ev.Events) != 1 {
		t.Errorf("events = %d, want the one before the window", len(ev.Events))
	}
	if ev.Inputs[0].Records != 4 {
		t.Errorf("input records = %d, want 4 (3 LB entries, 1 event)", ev.Inputs[0].Records)
	}
}

// TestEvidenceSkipsUnreadable: a stored record that no longer decodes is
// counted against its source, not fatal.
func TestEvidenceSkipsUnreadable(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	if _, err := db.Apply(ctx, Batch{Source: "kubernetes", Pods: []kube.Pod{fullPod(), {UID: "u2", Name: "b"}}, Requests: []lblog.Request{request("e", t0, 502, "10.0.0.1")}}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE pods SET record = '{"UID": 7' WHERE uid = 'u2'`, `UPDATE requests SET record = '[]'`} {
		if _, err := db.sql.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := db.Evidence(ctx, analyzer.Window{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Pods) != 1 || len(ev.Errors) != 0 {
		t.Errorf("pods %d, errors %d; want 1, 0", len(ev.Pods), len(ev.Errors))
	}
	in := ev.Inputs[0]
	if in.Records != 1 || in.Skipped != 2 || len(in.Problems) != 2 {
		t.Errorf("input = %+v, want 1 record, 2 skipped with their problems", in)
	}
}

// TestSliceWithoutResourceVersion: slices without a resourceVersion are
// deduplicated by content, so re-reading them does not pile up copies.
func TestSliceWithoutResourceVersion(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	s := fullSlice()
	s.ResourceVersion = ""
	s2 := s
	s2.Service = "other"
	for range 2 {
		if _, err := db.Apply(ctx, Batch{Source: "kubernetes", Slices: []kube.EndpointSlice{s, s2, s}}); err != nil {
			t.Fatal(err)
		}
	}
	checkStats(t, db, Stats{Slices: 2})
}
