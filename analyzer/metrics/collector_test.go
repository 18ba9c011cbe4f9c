package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/negtrace/negtrace/analyzer"
)

// metricNames lists every metric the Collector exports, for
// GatherAndCompare: a name missing from the expected text must be absent.
var metricNames = []string{
	"negtrace_lb_errors_total",
	"negtrace_lb_requests_total",
	"negtrace_pod_terminations_total",
	"negtrace_race_errors_total",
	"negtrace_neg_detach_latency_seconds",
	"negtrace_race_exposure_seconds",
	"negtrace_recommended_prestop_seconds",
	"negtrace_configured_prestop_seconds",
	"negtrace_recommended_grace_period_seconds",
	"negtrace_configured_grace_period_seconds",
	"negtrace_source_up",
	"negtrace_source_degraded",
	"negtrace_source_last_success_timestamp_seconds",
	"negtrace_source_records_total",
	"negtrace_source_skipped_total",
	"negtrace_source_errors_total",
	"negtrace_analysis_timestamp_seconds",
	"negtrace_demo",
}

func ptr[T any](v T) *T { return &v }

var updated = time.Date(2025, 3, 4, 18, 30, 0, 0, time.UTC) // 1741113000

// testSnapshot is a small hand-built analysis that exercises every metric.
func testSnapshot() *analyzer.Snapshot {
	const web = "k8s1-d4bae62c-shop-web-80-c11dde4c"
	race := analyzer.ErrorVerdict{Status: 502, StatusDetails: "backend_connection_closed_before_data_sent_to_client", BackendService: web, Cause: analyzer.CauseRace, ServerIP: "10.52.4.17", Pod: ptr("shop/web-lg5sgdnc96-kgjvc"), URL: "https://shop.example.com/cart"}
	return &analyzer.Snapshot{
		Origin:  "evidence in /data/incident",
		Updated: updated,
		Sources: []analyzer.SourceStatus{
			{Name: "evidence", State: analyzer.SourceOK, LastSuccess: updated.Add(-30 * time.Second), Records: 4963, Skipped: 2, Errors: 0},
			{Name: "lb-logs", State: analyzer.SourceDegraded, LastSuccess: updated.Add(-15 * time.Minute), Records: 100, Skipped: 0, Errors: 7},
			{Name: "neg-audit", State: analyzer.SourceDown, Errors: 3},
			{Name: "evidence", State: analyzer.SourceDown}, // a duplicate name is dropped
		},
		Report: &analyzer.Report{
			Schema:  analyzer.Schema,
			Summary: analyzer.Summary{LBRequests: 4821, LB5xx: 6},
			Errors: []analyzer.ErrorVerdict{
				race, race, race,
				{Status: 503, StatusDetails: "failed_to_pick_backend", BackendService: web, Cause: analyzer.CauseNoHealthyBackend},
				{Status: 500, BackendService: "k8s1-d4bae62c-shop-api-80-0b1e2f3a", Cause: analyzer.CauseApplicationError, ServerIP: "10.52.1.3", URL: "https://shop.example.com/api"},
				{Status: 1502, BackendService: web, Cause: analyzer.CauseOther, Reason: "status outside HTTP"},
			},
			Terminations: []analyzer.Termination{
				{Pod: "shop/web-lg5sgdnc96-kgjvc", PodIP: "10.52.4.17", Workload: "shop/web", Zone: "us-central1-c", DetachLatencySeconds: ptr(5.728), ExposureSeconds: ptr(5.694), RaceErrors: 3, Verdict: analyzer.VerdictRace},
				{Pod: "shop/web-lg5sgdnc96-lvzwg", PodIP: "10.52.3.40", Workload: "shop/web", Zone: "us-central1-b", DetachLatencySeconds: ptr(11.491), Verdict: analyzer.VerdictClean},
				{Pod: "shop/web-lg5sgdnc96-kp9zq", PodIP: "10.52.0.9", Workload: "shop/web", Zone: "us-central1-c", DetachLatencySeconds: ptr(61.0), Verdict: analyzer.VerdictClean},
				{Pod: "shop/api-7d9f8b6c5d-x2x4q", PodIP: "10.52.1.3", Workload: "shop/api", Zone: "us-central1-a", Verdict: analyzer.VerdictInconclusive},
				{Pod: "shop/debug", PodIP: "10.52.2.2", Workload: "shop/debug", Zone: "us-central1-a", DetachLatencySeconds: ptr(2.0), Verdict: analyzer.VerdictClean},
				{Pod: "batch/one-off", Workload: "batch/one-off", Verdict: analyzer.VerdictInconclusive},
				{Pod: "shop/orphan", Verdict: analyzer.VerdictClean},
			},
			Recommendations: []analyzer.Recommendation{
				{Workload: "shop/api", Action: analyzer.ActionInsufficient, PrestopSleepSeconds: 0, TerminationGracePeriodSeconds: 30, CurrentTerminationGracePeriodSeconds: ptr(int64(30))},
				{Workload: "shop/debug", Action: analyzer.ActionRaise, PrestopSleepSeconds: 10, TerminationGracePeriodSeconds: 30, CurrentPrestopSleepSeconds: ptr(0.0), CurrentTerminationGracePeriodSeconds: ptr(int64(30))},
				{Workload: "shop/web", Action: analyzer.ActionRaise, PrestopSleepSeconds: 25, TerminationGracePeriodSeconds: 35, CurrentPrestopSleepSeconds: ptr(0.0), CurrentTerminationGracePeriodSeconds: ptr(int64(30))},
				{Workload: "shop/web", Action: analyzer.ActionKeep, PrestopSleepSeconds: 99}, // a duplicate is dropped
			},
		},
	}
}

const (
	wantSources = `
# HELP negtrace_source_up 1 when negtrace is reading the evidence source (state ok or degraded), 0 when the source is down.
# TYPE negtrace_source_up gauge
negtrace_source_up{source="evidence"} 1
negtrace_source_up{source="lb-logs"} 1
negtrace_source_up{source="neg-audit"} 0
# HELP negtrace_source_degraded 1 when the evidence source is read with errors or stale data (state degraded), else 0.
# TYPE negtrace_source_degraded gauge
negtrace_source_degraded{source="evidence"} 0
negtrace_source_degraded{source="lb-logs"} 1
negtrace_source_degraded{source="neg-audit"} 0
# HELP negtrace_source_last_success_timestamp_seconds Unix time of the last successful read of the evidence source; absent before the first one.
# TYPE negtrace_source_last_success_timestamp_seconds gauge
negtrace_source_last_success_timestamp_seconds{source="evidence"} 1741112970
negtrace_source_last_success_timestamp_seconds{source="lb-logs"} 1741112100
# HELP negtrace_source_records_total Records read from the evidence source.
# TYPE negtrace_source_records_total counter
negtrace_source_records_total{source="evidence"} 4963
negtrace_source_records_total{source="lb-logs"} 100
negtrace_source_records_total{source="neg-audit"} 0
# HELP negtrace_source_skipped_total Records read from the evidence source that could not be used.
# TYPE negtrace_source_skipped_total counter
negtrace_source_skipped_total{source="evidence"} 2
negtrace_source_skipped_total{source="lb-logs"} 0
negtrace_source_skipped_total{source="neg-audit"} 0
# HELP negtrace_source_errors_total Failed reads of, or calls to, the evidence source.
# TYPE negtrace_source_errors_total counter
negtrace_source_errors_total{source="evidence"} 0
negtrace_source_errors_total{source="lb-logs"} 7
negtrace_source_errors_total{source="neg-audit"} 3
# HELP negtrace_analysis_timestamp_seconds Unix time when the current analysis was made.
# TYPE negtrace_analysis_timestamp_seconds gauge
negtrace_analysis_timestamp_seconds 1741113000
`
	wantReport = `
# HELP negtrace_lb_requests_total Load balancer requests in the analysed evidence.
# TYPE negtrace_lb_requests_total counter
negtrace_lb_requests_total 4821
# HELP negtrace_lb_errors_total Load balancer responses with HTTP status 5xx in the analysed evidence, by backend service, the cause negtrace attributed and the status code.
# TYPE negtrace_lb_errors_total counter
negtrace_lb_errors_total{backend_service="k8s1-d4bae62c-shop-api-80-0b1e2f3a",cause="application_error",status="500"} 1
negtrace_lb_errors_total{backend_service="k8s1-d4bae62c-shop-web-80-c11dde4c",cause="neg_detach_race",status="502"} 3
negtrace_lb_errors_total{backend_service="k8s1-d4bae62c-shop-web-80-c11dde4c",cause="no_healthy_backend",status="503"} 1
negtrace_lb_errors_total{backend_service="k8s1-d4bae62c-shop-web-80-c11dde4c",cause="other",status="invalid"} 1
# HELP negtrace_race_errors_total Load balancer 5xx responses caused by the NEG detach race (sent to a terminating pod that had stopped serving but was still attached to its NEG), by workload.
# TYPE negtrace_race_errors_total counter
negtrace_race_errors_total{workload="(unknown)"} 0
negtrace_race_errors_total{workload="batch/(unowned)"} 0
negtrace_race_errors_total{workload="shop/(unowned)"} 0
negtrace_race_errors_total{workload="shop/api"} 0
negtrace_race_errors_total{workload="shop/web"} 3
# HELP negtrace_pod_terminations_total Pod terminations in the analysed evidence, by workload and verdict (race: requests failed after the pod stopped serving and before its NEG detach took effect; clean; inconclusive).
# TYPE negtrace_pod_terminations_total counter
negtrace_pod_terminations_total{verdict="clean",workload="(unknown)"} 1
negtrace_pod_terminations_total{verdict="inconclusive",workload="(unknown)"} 0
negtrace_pod_terminations_total{verdict="race",workload="(unknown)"} 0
negtrace_pod_terminations_total{verdict="clean",workload="batch/(unowned)"} 0
negtrace_pod_terminations_total{verdict="inconclusive",workload="batch/(unowned)"} 1
negtrace_pod_terminations_total{verdict="race",workload="batch/(unowned)"} 0
negtrace_pod_terminations_total{verdict="clean",workload="shop/(unowned)"} 1
negtrace_pod_terminations_total{verdict="inconclusive",workload="shop/(unowned)"} 0
negtrace_pod_terminations_total{verdict="race",workload="shop/(unowned)"} 0
negtrace_pod_terminations_total{verdict="clean",workload="shop/api"} 0
negtrace_pod_terminations_total{verdict="inconclusive",workload="shop/api"} 1
negtrace_pod_terminations_total{verdict="race",workload="shop/api"} 0
negtrace_pod_terminations_total{verdict="clean",workload="shop/web"} 2
negtrace_pod_terminations_total{verdict="inconclusive",workload="shop/web"} 0
negtrace_pod_terminations_total{verdict="race",workload="shop/web"} 1
# HELP negtrace_neg_detach_latency_seconds Time from a pod's deletion to the completion of the NEG detach of its endpoint, one observation per pod termination with a known detach.
# TYPE negtrace_neg_detach_latency_seconds histogram
negtrace_neg_detach_latency_seconds_bucket{workload="shop/(unowned)",zone="us-central1-a",le="1"} 0
negtrace_neg_detach_latency_seconds_bucket{workload="shop/(unowned)",zone="us-central1-a",le="2"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/(unowned)",zone="us-central1-a",le="5"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/(unowned)",zone="us-central1-a",le="10"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/(unowned)",zone="us-central1-a",le="15"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/(unowned)",zone="us-central1-a",le="20"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/(unowned)",zone="us-central1-a",le="30"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/(unowned)",zone="us-central1-a",le="45"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/(unowned)",zone="us-central1-a",le="60"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/(unowned)",zone="us-central1-a",le="90"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/(unowned)",zone="us-central1-a",le="120"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/(unowned)",zone="us-central1-a",le="180"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/(unowned)",zone="us-central1-a",le="300"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/(unowned)",zone="us-central1-a",le="+Inf"} 1
negtrace_neg_detach_latency_seconds_sum{workload="shop/(unowned)",zone="us-central1-a"} 2
negtrace_neg_detach_latency_seconds_count{workload="shop/(unowned)",zone="us-central1-a"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-b",le="1"} 0
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-b",le="2"} 0
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-b",le="5"} 0
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-b",le="10"} 0
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-b",le="15"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-b",le="20"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-b",le="30"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-b",le="45"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-b",le="60"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-b",le="90"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-b",le="120"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-b",le="180"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-b",le="300"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-b",le="+Inf"} 1
negtrace_neg_detach_latency_seconds_sum{workload="shop/web",zone="us-central1-b"} 11.491
negtrace_neg_detach_latency_seconds_count{workload="shop/web",zone="us-central1-b"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-c",le="1"} 0
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-c",le="2"} 0
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-c",le="5"} 0
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-c",le="10"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-c",le="15"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-c",le="20"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-c",le="30"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-c",le="45"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-c",le="60"} 1
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-c",le="90"} 2
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-c",le="120"} 2
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-c",le="180"} 2
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-c",le="300"} 2
negtrace_neg_detach_latency_seconds_bucket{workload="shop/web",zone="us-central1-c",le="+Inf"} 2
negtrace_neg_detach_latency_seconds_sum{workload="shop/web",zone="us-central1-c"} 66.728
negtrace_neg_detach_latency_seconds_count{workload="shop/web",zone="us-central1-c"} 2
# HELP negtrace_race_exposure_seconds Time from SIGTERM to when the load balancer stopped sending to the terminating pod (0 when it stopped before SIGTERM), one observation per pod termination where both are known.
# TYPE negtrace_race_exposure_seconds histogram
negtrace_race_exposure_seconds_bucket{workload="shop/web",le="1"} 0
negtrace_race_exposure_seconds_bucket{workload="shop/web",le="2"} 0
negtrace_race_exposure_seconds_bucket{workload="shop/web",le="5"} 0
negtrace_race_exposure_seconds_bucket{workload="shop/web",le="10"} 1
negtrace_race_exposure_seconds_bucket{workload="shop/web",le="15"} 1
negtrace_race_exposure_seconds_bucket{workload="shop/web",le="20"} 1
negtrace_race_exposure_seconds_bucket{workload="shop/web",le="30"} 1
negtrace_race_exposure_seconds_bucket{workload="shop/web",le="45"} 1
negtrace_race_exposure_seconds_bucket{workload="shop/web",le="60"} 1
negtrace_race_exposure_seconds_bucket{workload="shop/web",le="90"} 1
negtrace_race_exposure_seconds_bucket{workload="shop/web",le="120"} 1
negtrace_race_exposure_seconds_bucket{workload="shop/web",le="180"} 1
negtrace_race_exposure_seconds_bucket{workload="shop/web",le="300"} 1
negtrace_race_exposure_seconds_bucket{workload="shop/web",le="+Inf"} 1
negtrace_race_exposure_seconds_sum{workload="shop/web"} 5.694
negtrace_race_exposure_seconds_count{workload="shop/web"} 1
# HELP negtrace_recommended_prestop_seconds preStop sleep negtrace recommends so that pods keep serving until the load balancer stops sending to them; absent when the evidence is insufficient.
# TYPE negtrace_recommended_prestop_seconds gauge
negtrace_recommended_prestop_seconds{workload="shop/web"} 25
# HELP negtrace_configured_prestop_seconds preStop sleep configured in the pod spec of the workload's latest terminated pod (0 without a preStop hook); absent when unknown.
# TYPE negtrace_configured_prestop_seconds gauge
negtrace_configured_prestop_seconds{workload="shop/web"} 0
# HELP negtrace_recommended_grace_period_seconds terminationGracePeriodSeconds negtrace recommends for the recommended preStop sleep plus the observed shutdown time; absent when the evidence is insufficient.
# TYPE negtrace_recommended_grace_period_seconds gauge
negtrace_recommended_grace_period_seconds{workload="shop/web"} 35
# HELP negtrace_configured_grace_period_seconds terminationGracePeriodSeconds configured in the pod spec of the workload's latest terminated pod; absent when unknown.
# TYPE negtrace_configured_grace_period_seconds gauge
negtrace_configured_grace_period_seconds{workload="shop/api"} 30
negtrace_configured_grace_period_seconds{workload="shop/web"} 30
`
	wantNotDemo = `
# HELP negtrace_demo 1 when negtrace serves the bundled demo incident instead of real evidence, else 0.
# TYPE negtrace_demo gauge
negtrace_demo 0
`
	wantDemo = `
# HELP negtrace_demo 1 when negtrace serves the bundled demo incident instead of real evidence, else 0.
# TYPE negtrace_demo gauge
negtrace_demo 1
`
)

func TestCollector(t *testing.T) {
	noReport := testSnapshot()
	noReport.Report = nil
	demo := &analyzer.Snapshot{Demo: true, Report: &analyzer.Report{}}
	tests := []struct {
		name     string
		snapshot func() *analyzer.Snapshot
		want     string
	}{
		{"nil snapshot function", nil, ""},
		{"no snapshot yet", func() *analyzer.Snapshot { return nil }, ""},
		{"sources but no report yet", func() *analyzer.Snapshot { return noReport }, wantNotDemo + wantSources},
		{"full analysis", testSnapshot, wantNotDemo + wantSources + wantReport},
		{"empty demo report", func() *analyzer.Snapshot { return demo }, wantDemo + `
# HELP negtrace_lb_requests_total Load balancer requests in the analysed evidence.
# TYPE negtrace_lb_requests_total counter
negtrace_lb_requests_total 0
`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := prometheus.NewPedanticRegistry()
			if err := reg.Register(NewCollector(tc.snapshot)); err != nil {
				t.Fatal(err)
			}
			if err := testutil.GatherAndCompare(reg, strings.NewReader(tc.want), metricNames...); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestCollectorReadsAtScrape checks that each scrape shows the snapshot of
// that moment, with nothing left over from the previous one.
func TestCollectorReadsAtScrape(t *testing.T) {
	var current *analyzer.Snapshot
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(NewCollector(func() *analyzer.Snapshot { return current })); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		t.Helper()
		n, err := testutil.GatherAndCount(reg)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 0 {
		t.Errorf("before the first analysis: %d series, want 0", n)
	}
	current = testSnapshot()
	full := count()
	if full < 50 {
		t.Errorf("full analysis: %d series, want at least 50", full)
	}
	current = &analyzer.Snapshot{Report: &analyzer.Report{}}
	if n := count(); n != 2 { // negtrace_demo, negtrace_lb_requests_total
		t.Errorf("after an empty analysis: %d series, want 2", n)
	}
}

// TestCollectorSameReportNewHealth checks that a republished report (live
// mode's refresh: the same report, new source health) exports the same
// report metrics with the new health, scrape after scrape.
func TestCollectorSameReportNewHealth(t *testing.T) {
	current := testSnapshot()
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(NewCollector(func() *analyzer.Snapshot { return current })); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := testutil.GatherAndCompare(reg, strings.NewReader(wantNotDemo+wantSources+wantReport), metricNames...); err != nil {
			t.Fatal(err)
		}
	}
	next := *current
	next.Sources, next.Updated = nil, time.Time{} // no source health, no analysis time
	current = &next
	if err := testutil.GatherAndCompare(reg, strings.NewReader(wantNotDemo+wantReport), metricNames...); err != nil {
		t.Error(err)
	}
}

// TestEveryMetricExported checks that the full test snapshot exports every
// described metric, so that tests built on it (the rules' metric names)
// see them all.
func TestEveryMetricExported(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(NewCollector(testSnapshot)); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[string]bool)
	for _, mf := range mfs {
		got[mf.GetName()] = true
	}
	if len(metricNames) != len(allDescs) {
		t.Errorf("metricNames has %d names, the collector describes %d metrics", len(metricNames), len(allDescs))
	}
	for _, name := range metricNames {
		if !got[name] {
			t.Errorf("%s not exported", name)
		}
	}
	if len(got) != len(metricNames) {
		t.Errorf("exported %d metrics, want %d", len(got), len(metricNames))
	}
}

func TestLint(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	if err := Register(reg, testSnapshot, "v1.2.3"); err != nil {
		t.Fatal(err)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "negtrace_") {
			t.Errorf("%s: %s", p.Metric, p.Text)
		}
	}
}
