package web

import (
	"math"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/negtrace/negtrace/analyzer"
)

// TestAPIReportViews: the API calls that hand out parts of the report
// give exactly the report's values.
func TestAPIReportViews(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	r := realReport(t)
	emptyNil := cmpopts.EquateEmpty()

	t.Run("snapshot", func(t *testing.T) {
		var got snapshotView
		ts.getJSON(t, "/api/v1/snapshot", http.StatusOK, &got)
		want := snapshotView{Origin: "bundled demo incident (rollout-race)", Demo: true, Updated: updated, Window: r.Window,
			Summary: r.Summary, Sources: snapshotOf(r, true).Sources}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("terminations", func(t *testing.T) {
		var got []analyzer.Termination
		ts.getJSON(t, "/api/v1/terminations", http.StatusOK, &got)
		if diff := cmp.Diff(r.Terminations, got, emptyNil); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("recommendations", func(t *testing.T) {
		var got []analyzer.Recommendation
		ts.getJSON(t, "/api/v1/recommendations", http.StatusOK, &got)
		if diff := cmp.Diff(r.Recommendations, got, emptyNil); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("inputs", func(t *testing.T) {
		var got []analyzer.Input
		ts.getJSON(t, "/api/v1/inputs", http.StatusOK, &got)
		if diff := cmp.Diff(r.Inputs, got, emptyNil); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("unknown call", func(t *testing.T) {
		var e apiError
		ts.getJSON(t, "/api/v1/nope", http.StatusNotFound, &e)
	})
}

// wantErrors filters the report's errors the way the API documents it,
// independently of the server's code.
func wantErrors(r *analyzer.Report, keep func(e analyzer.ErrorVerdict, workload string) bool) []errorItem {
	workload := map[string]string{}
	for _, tm := range r.Terminations {
		workload[tm.Pod] = tm.Workload
	}
	var out []errorItem
	for _, e := range r.Errors {
		w := ""
		if e.Pod != nil {
			w = workload[*e.Pod]
		}
		if keep(e, w) {
			out = append(out, errorItem{ErrorVerdict: e, Workload: w})
		}
	}
	return out
}

// TestAPIErrors: filters select what they say, pages are 50 long.
func TestAPIErrors(t *testing.T) {
	r := freshReport(t)
	// Make three pages: 130 errors, the copies a second later each time.
	n := len(r.Errors)
	for i := 0; len(r.Errors) < 130; i++ {
		e := r.Errors[i%n]
		e.InsertID += "-copy"
		e.Timestamp = e.Timestamp.Add(time.Duration(i/n+1) * time.Millisecond)
		r.Errors = append(r.Errors, e)
	}
	store := &testStore{}
	store.snap.Store(snapshotOf(r, true))
	ts := newTestServer(t, store, Options{})

	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	all := func(analyzer.ErrorVerdict, string) bool { return true }
	for _, tc := range []struct {
		name  string
		query url.Values
		page  int
		keep  func(e analyzer.ErrorVerdict, workload string) bool
	}{
		{"all, page 1", url.Values{}, 1, all},
		{"all, page 3", url.Values{"page": {"3"}}, 3, all},
		{"past the end", url.Values{"page": {"4"}}, 4, all},
		{"cause", url.Values{"cause": {"neg_detach_race"}}, 1, func(e analyzer.ErrorVerdict, _ string) bool { return e.Cause == analyzer.CauseRace }},
		{"workload", url.Values{"workload": {"shop/web"}, "page": {"2"}}, 2, func(_ analyzer.ErrorVerdict, w string) bool { return w == "shop/web" }},
		{"details", url.Values{"details": {"failed_to_pick_backend"}}, 1, func(e analyzer.ErrorVerdict, _ string) bool {
			return e.StatusDetails == "failed_to_pick_backend"
		}},
		{"pod", url.Values{"pod": {"shop/web-lg5sgdnc96-26hfk"}}, 1, func(e analyzer.ErrorVerdict, _ string) bool {
			return e.Pod != nil && *e.Pod == "shop/web-lg5sgdnc96-26hfk"
		}},
		{"window", url.Values{"from": {"2025-03-04T18:13:20Z"}, "to": {"2025-03-04T18:13:30"}}, 1, func(e analyzer.ErrorVerdict, _ string) bool {
			return !e.Timestamp.Before(at("2025-03-04T18:13:20Z")) && e.Timestamp.Before(at("2025-03-04T18:13:30Z"))
		}},
		{"combined", url.Values{"cause": {"application_error"}, "workload": {"shop/web"}}, 1, func(e analyzer.ErrorVerdict, w string) bool {
			return e.Cause == analyzer.CauseApplicationError && w == "shop/web"
		}},
		{"nothing", url.Values{"workload": {"nobody/none"}}, 1, func(analyzer.ErrorVerdict, string) bool { return false }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			selected := wantErrors(r, tc.keep)
			want := errorsView{Total: len(selected), Page: tc.page, PerPage: 50, Pages: (len(selected) + 49) / 50, Items: []errorItem{}}
			if from := (tc.page - 1) * 50; from < len(selected) {
				want.Items = selected[from:min(from+50, len(selected))]
			}
			var got errorsView
			ts.getJSON(t, "/api/v1/errors?"+tc.query.Encode(), http.StatusOK, &got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if tc.name != "nothing" && want.Total == 0 {
				t.Error("the test selects nothing: it proves nothing")
			}
		})
	}
	for _, q := range []string{"cause=race", "page=-1", "page=1.5", "from=2025-13-01T00:00:00Z", "to=2025-03-04T18:00:00Z&from=2025-03-04T18:10:00Z"} {
		t.Run("400 "+q, func(t *testing.T) {
			var e apiError
			ts.getJSON(t, "/api/v1/errors?"+q, http.StatusBadRequest, &e)
			if e.Error == "" {
				t.Error("no reason given")
			}
		})
	}
}

// TestAPITimeseries: the buckets cover the window, each error is counted
// once in the bucket of its time, and the totals are the report's.
func TestAPITimeseries(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	r := realReport(t)

	t.Run("explicit bucket", func(t *testing.T) {
		var got timeseriesView
		ts.getJSON(t, "/api/v1/timeseries?bucket=1m", http.StatusOK, &got)
		start := time.Date(2025, 3, 4, 18, 10, 0, 0, time.UTC)
		want := timeseriesView{Start: start, End: start.Add(15 * time.Minute), BucketSeconds: 60, Total: r.Summary.LB5xx}
		for i := range 15 {
			b := start.Add(time.Duration(i) * time.Minute)
			want.Buckets = append(want.Buckets, b)
			want.Labels = append(want.Labels, b.Format("15:04"))
		}
		for _, c := range analyzer.Causes {
			s := causeSeries{Cause: c, Counts: make([]int, 15), Total: r.Summary.ByCause[c]}
			for _, e := range r.Errors {
				if e.Cause == c {
					s.Counts[int(e.Timestamp.Sub(start)/time.Minute)]++
				}
			}
			want.Series = append(want.Series, s)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("chosen bucket", func(t *testing.T) {
		var got timeseriesView
		ts.getJSON(t, "/api/v1/timeseries", http.StatusOK, &got)
		// 15 minutes in at most 60 buckets: 15 s.
		if got.BucketSeconds != 15 || len(got.Buckets) != 60 || len(got.Labels) != 60 || got.Labels[1] != "18:10:15" {
			t.Errorf("bucket %ds, %d buckets, labels %q…", got.BucketSeconds, len(got.Buckets), got.Labels[:2])
		}
		for _, s := range got.Series {
			sum := 0
			for _, n := range s.Counts {
				sum += n
			}
			if sum != r.Summary.ByCause[s.Cause] || s.Total != sum {
				t.Errorf("%s: %d in the buckets, total %d, report %d", s.Cause, sum, s.Total, r.Summary.ByCause[s.Cause])
			}
		}
	})
	for _, q := range []string{"bucket=0s", "bucket=500ms", "bucket=soon", "bucket=1s&x=1"} {
		t.Run(q, func(t *testing.T) {
			var e apiError
			status := http.StatusBadRequest
			if q == "bucket=1s&x=1" { // 900 buckets: allowed
				var v timeseriesView
				ts.getJSON(t, "/api/v1/timeseries?"+q, http.StatusOK, &v)
				if len(v.Buckets) != 900 {
					t.Errorf("%d buckets of 1s over 15m, want 900", len(v.Buckets))
				}
				return
			}
			ts.getJSON(t, "/api/v1/timeseries?"+q, status, &e)
		})
	}
}

// TestAPILatency: the histogram holds every measured termination in the
// bin of its latency, with the report's percentiles.
func TestAPILatency(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	r := realReport(t)
	var got latencyView
	ts.getJSON(t, "/api/v1/latency", http.StatusOK, &got)
	p := r.Summary.DetachLatencySeconds
	if diff := cmp.Diff([]*float64{p.P50, p.P90, p.P99, p.Max}, []*float64{got.P50, got.P90, got.P99, got.Max}); diff != "" {
		t.Errorf("percentiles (-want +got):\n%s", diff)
	}
	if got.BinSeconds <= 0 || len(got.Bins) == 0 || len(got.Bins) > maxBins {
		t.Fatalf("bin %vs, %d bins", got.BinSeconds, len(got.Bins))
	}
	want := make([]int, len(got.Bins))
	measured := 0
	for _, tm := range r.Terminations {
		if tm.DetachLatencySeconds == nil {
			continue
		}
		measured++
		x := *tm.DetachLatencySeconds
		for i, b := range got.Bins {
			if x >= b.From && x < b.To {
				want[i]++
			}
		}
	}
	gotCounts := make([]int, len(got.Bins))
	for i, b := range got.Bins {
		gotCounts[i] = b.Count
		if i > 0 && b.From != got.Bins[i-1].To || math.Abs(b.To-b.From-got.BinSeconds) > 1e-9 {
			t.Errorf("bin %d [%v, %v) is not contiguous or not %vs wide", i, b.From, b.To, got.BinSeconds)
		}
	}
	if diff := cmp.Diff(want, gotCounts); diff != "" || got.Measured != measured || measured == 0 {
		t.Errorf("measured %d, want %d; counts (-want +got):\n%s", got.Measured, measured, diff)
	}
}
