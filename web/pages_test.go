package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/analyzer/render/display"
)

const demoBanner = "Bundled demo incident — not your cluster."

// TestPages: every page answers 200 with what it is for, computed from
// the real analysis of the scenario.
func TestPages(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	r := realReport(t)
	var racePod, cleanPod string
	for _, tm := range r.Terminations {
		if tm.RaceErrors > 0 && racePod == "" {
			racePod = tm.Pod
		}
		if tm.Verdict == analyzer.VerdictClean && cleanPod == "" {
			cleanPod = tm.Pod
		}
	}
	if racePod == "" || cleanPod == "" {
		t.Fatal("the scenario has no race or no clean termination")
	}
	race := r.Summary.ByCause[analyzer.CauseRace]
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/", []string{
			fmt.Sprintf("%d of %d LB 5xx", race, r.Summary.LB5xx),
			`id="chart-causes"`, `id="chart-latency"`, `data-api="/api/v1/timeseries"`, `data-api="/api/v1/latency"`,
			`<script src="/static/vendor/chart.umd.min.js" defer></script>`,
			"2025-03-04 18:10:00 → 18:24:59 UTC (15m)", racePod, ">shop/web</a>", "0s → <strong>25s</strong>",
			"p50 <strong>" + display.Seconds(r.Summary.DetachLatencySeconds.P50) + "</strong>",
			`<span class="state s-ok">ok</span> evidence`, `action="/reports"`, "Download report",
		}},
		{"/timeline", []string{`<div id="timeline">`, `<svg class="timeline"`, `<a class="lanelink" href="#t-`,
			racePod, cleanPod, "NEG detach completed", `<ol class="evidence">`, r.Terminations[0].Evidence[0]}},
		{"/workloads", []string{`id="w-shop/web"`, `id="w-shop/api"`, "raise", "shorten", "<strong>25s</strong>", "<strong>35s</strong>",
			"preStop:", "33</strong> observed"}},
		{"/errors", []string{fmt.Sprintf("1–%d of %d LB 5xx", r.Summary.LB5xx, r.Summary.LB5xx), `id="errors-table"`,
			`<option value="neg_detach_race">`, `<option value="shop/web">`, "failed_to_connect_to_backend"}},
		{"/sources", []string{"lb-requests.jsonl.gz", "cloud-logging-ndjson", "kubectl-watch", "4,821", `id="inputs"`,
			`<span class="state s-ok">ok</span>`}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			res := ts.get(t, tc.path)
			if res.status != http.StatusOK {
				t.Fatalf("status %d, want 200; body:\n%.1000s", res.status, res.body)
			}
			if ct := res.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			if !strings.Contains(res.body, demoBanner) || !strings.Contains(res.body, "negtrace serve --evidence DIR") {
				t.Error("demo banner missing")
			}
			if !strings.Contains(res.body, `<a href="`+tc.path+`" class="active"`) {
				t.Error("the nav does not mark the page as current")
			}
			if !strings.Contains(res.body, "negtrace v0.0.0-test") {
				t.Error("version missing from the footer")
			}
		})
	}
}

// TestNoDemoBanner: a real incident's pages carry no demo banner.
func TestNoDemoBanner(t *testing.T) {
	store := &testStore{}
	store.snap.Store(snapshotOf(realReport(t), false))
	ts := newTestServer(t, store, Options{})
	for _, path := range []string{"/", "/timeline", "/workloads", "/errors", "/sources"} {
		if res := ts.get(t, path); strings.Contains(res.body, "demo-banner") || res.status != http.StatusOK {
			t.Errorf("%s: status %d, banner shown: %v", path, res.status, strings.Contains(res.body, "demo-banner"))
		}
	}
}

// TestPagesWithoutJS: the tables are in the HTML itself, not drawn by
// app.js: the data behind both charts is rendered server-side.
func TestPagesWithoutJS(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	body := ts.get(t, "/").body
	for _, w := range []string{`<table class="series">`, `<table class="bins">`, `<table class="causes">`} {
		if !strings.Contains(body, w) {
			t.Errorf("overview lacks %s", w)
		}
	}
	// Every bucket with race errors is a row: 33 race errors in total.
	rows := regexp.MustCompile(`<tr><td class="mono">\d\d:\d\d:\d\d</td><td class="num">(\d+)</td>`).FindAllStringSubmatch(body, -1)
	total := 0
	for _, m := range rows {
		var n int
		fmt.Sscan(m[1], &n)
		total += n
	}
	if want := realReport(t).Summary.ByCause[analyzer.CauseRace]; total != want {
		t.Errorf("race errors in the series table: %d, want %d", total, want)
	}
}

// TestErrorsPageFilters: filters, pagination links and bad filters.
func TestErrorsPageFilters(t *testing.T) {
	// 120 errors: three pages of 50.
	r := freshReport(t)
	base := r.Errors
	for len(r.Errors) < 120 {
		e := base[len(r.Errors)%len(base)]
		e.InsertID = fmt.Sprintf("copy-%d", len(r.Errors))
		r.Errors = append(r.Errors, e)
	}
	store := &testStore{}
	store.snap.Store(snapshotOf(r, true))
	ts := newTestServer(t, store, Options{})

	res := ts.get(t, "/errors?page=2")
	for _, w := range []string{"51–100 of 120 LB 5xx", `rel="prev" href="/errors"`, `rel="next" href="/errors?page=3"`, "page 2 of 3"} {
		if !strings.Contains(res.body, w) {
			t.Errorf("page 2 lacks %q", w)
		}
	}
	res = ts.get(t, "/errors?cause=no_healthy_backend&page=1")
	if n := strings.Count(res.body, `<span class="chip c-nohealthy">`); n == 0 || strings.Contains(res.body, `<span class="chip c-race">`) {
		t.Errorf("cause filter: %d no_healthy_backend rows, race rows present: %v", n, strings.Contains(res.body, `<span class="chip c-race">`))
	}
	if !strings.Contains(res.body, `<option value="no_healthy_backend" selected>`) {
		t.Error("the selected cause is not selected in the form")
	}
	res = ts.get(t, "/errors?page=9")
	if res.status != http.StatusOK || !strings.Contains(res.body, "Page 9 is past the last page (3)") || !strings.Contains(res.body, `rel="prev" href="/errors?page=3"`) {
		t.Errorf("page past the end: status %d; want 200, no rows, a link back to the last page", res.status)
	}
	for _, q := range []string{"cause=nope", "page=0", "page=x", "from=yesterday", "from=2025-03-04T18:20:00Z&to=2025-03-04T18:10:00Z"} {
		res := ts.get(t, "/errors?"+q)
		if res.status != http.StatusBadRequest || !strings.Contains(res.body, "Bad request") {
			t.Errorf("/errors?%s: status %d, want 400 with the reason", q, res.status)
		}
	}
}

// TestTimelineWindow: from/to selects the terminations deleted in it;
// lanes keep the anchors of the whole report.
func TestTimelineWindow(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	r := realReport(t)
	// shop/api pods are deleted from 18:17; shop/web ones before 18:14.
	res := ts.get(t, "/timeline?from=2025-03-04T18:15:00Z&to=2025-03-04T18:25:00")
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	for i, tm := range r.Terminations {
		in := strings.Contains(res.body, `id="`+anchor(i)+`"`)
		wantIn := tm.Workload == "shop/api"
		if in != wantIn {
			t.Errorf("%s (%s): shown %v, want %v", tm.Pod, tm.Workload, in, wantIn)
		}
		if wantIn && !strings.Contains(res.body, `href="#`+anchor(i)+`"`) {
			t.Errorf("%s: no lane links to #%s", tm.Pod, anchor(i))
		}
	}
	res = ts.get(t, "/timeline?from=2030-01-01T00:00:00Z")
	if !strings.Contains(res.body, "No termination with a known deletion time in this range.") {
		t.Error("empty range not said")
	}
	if res := ts.get(t, "/timeline?to=soon"); res.status != http.StatusBadRequest {
		t.Errorf("bad to=: status %d, want 400", res.status)
	}
}

// TestAnalysisInProgress: before the first snapshot, pages say so (200,
// reloading), the API and reports answer 503, /readyz 503; then ready.
func TestAnalysisInProgress(t *testing.T) {
	store := &testStore{}
	ts := newTestServer(t, store, Options{})
	for _, path := range []string{"/", "/timeline", "/workloads", "/errors", "/sources"} {
		res := ts.get(t, path)
		if res.status != http.StatusOK || !strings.Contains(res.body, "Analysis in progress") ||
			!strings.Contains(res.body, `<meta http-equiv="refresh" content="5">`) {
			t.Errorf("%s: status %d, want 200 saying analysis in progress", path, res.status)
		}
		if strings.Contains(res.body, "demo-banner") || strings.Contains(res.body, "Download report") {
			t.Errorf("%s: banner or report form without a snapshot", path)
		}
	}
	for _, path := range []string{"/api/v1/snapshot", "/api/v1/terminations", "/api/v1/errors", "/api/v1/recommendations",
		"/api/v1/inputs", "/api/v1/timeseries", "/api/v1/latency", "/api/v1/report"} {
		var e apiError
		ts.getJSON(t, path, http.StatusServiceUnavailable, &e)
		if !strings.Contains(e.Error, "analysis in progress") {
			t.Errorf("%s: error %q", path, e.Error)
		}
	}
	if res := ts.get(t, "/reports?format=json"); res.status != http.StatusServiceUnavailable {
		t.Errorf("/reports: status %d, want 503", res.status)
	}
	if res := ts.get(t, "/readyz"); res.status != http.StatusServiceUnavailable {
		t.Errorf("/readyz before the first snapshot: %d, want 503", res.status)
	}
	if res := ts.get(t, "/healthz"); res.status != http.StatusOK || res.body != "ok\n" {
		t.Errorf("/healthz: %d %q", res.status, res.body)
	}
	store.snap.Store(snapshotOf(realReport(t), true))
	if res := ts.get(t, "/readyz"); res.status != http.StatusOK {
		t.Errorf("/readyz with a snapshot: %d, want 200", res.status)
	}
	if res := ts.get(t, "/"); !strings.Contains(res.body, `id="chart-causes"`) {
		t.Error("overview still pending once the snapshot is there")
	}
}
