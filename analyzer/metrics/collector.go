// Package metrics exposes negtrace's current analysis to Prometheus.
//
// The Collector reads the latest analyzer.Snapshot at scrape time, so the
// exposition always describes exactly one analysis and nothing has to be set
// or deleted when the analysis changes. Label values are bounded by the
// configuration (workloads, backend services, zones, sources) or by code
// (causes, verdicts, HTTP status): never a pod name, pod IP or URL.
package metrics

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/negtrace/negtrace/analyzer"
)

// Label names.
const (
	labelBackendService = "backend_service"
	labelCause          = "cause"
	labelStatus         = "status"
	labelWorkload       = "workload"
	labelVerdict        = "verdict"
	labelZone           = "zone"
	labelSource         = "source"
)

// Buckets are the upper bounds, in seconds, of the detach latency and race
// exposure histograms: from the second-scale detaches of a healthy NEG
// controller to the minutes of a backlogged one.
var Buckets = []float64{1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300}

var (
	descLBErrors = prometheus.NewDesc("negtrace_lb_errors_total",
		"Load balancer responses with HTTP status 5xx in the analysed evidence, by backend service, the cause negtrace attributed and the status code.",
		[]string{labelBackendService, labelCause, labelStatus}, nil)
	descLBRequests = prometheus.NewDesc("negtrace_lb_requests_total",
		"Load balancer requests in the analysed evidence.",
		nil, nil)
	descTerminations = prometheus.NewDesc("negtrace_pod_terminations_total",
		"Pod terminations in the analysed evidence, by workload and verdict (race: requests failed after the pod stopped serving and before its NEG detach took effect; clean; inconclusive).",
		[]string{labelWorkload, labelVerdict}, nil)
	descRaceErrors = prometheus.NewDesc("negtrace_race_errors_total",
		"Load balancer 5xx responses caused by the NEG detach race (sent to a terminating pod that had stopped serving but was still attached to its NEG), by workload.",
		[]string{labelWorkload}, nil)
	descDetachLatency = prometheus.NewDesc("negtrace_neg_detach_latency_seconds",
		"Time from a pod's deletion to the completion of the NEG detach of its endpoint, one observation per pod termination with a known detach.",
		[]string{labelWorkload, labelZone}, nil)
	descExposure = prometheus.NewDesc("negtrace_race_exposure_seconds",
		"Time from SIGTERM to when the load balancer stopped sending to the terminating pod (0 when it stopped before SIGTERM), one observation per pod termination where both are known.",
		[]string{labelWorkload}, nil)
	descRecommendedPrestop = prometheus.NewDesc("negtrace_recommended_prestop_seconds",
		"preStop sleep negtrace recommends so that pods keep serving until the load balancer stops sending to them; absent when the evidence is insufficient.",
		[]string{labelWorkload}, nil)
	descConfiguredPrestop = prometheus.NewDesc("negtrace_configured_prestop_seconds",
		"preStop sleep configured in the pod spec of the workload's latest terminated pod (0 without a preStop hook); absent when unknown.",
		[]string{labelWorkload}, nil)
	descRecommendedGrace = prometheus.NewDesc("negtrace_recommended_grace_period_seconds",
		"terminationGracePeriodSeconds negtrace recommends for the recommended preStop sleep plus the observed shutdown time; absent when the evidence is insufficient.",
		[]string{labelWorkload}, nil)
	descConfiguredGrace = prometheus.NewDesc("negtrace_configured_grace_period_seconds",
		"terminationGracePeriodSeconds configured in the pod spec of the workload's latest terminated pod; absent when unknown.",
		[]string{labelWorkload}, nil)
	descSourceUp = prometheus.NewDesc("negtrace_source_up",
		"1 when negtrace is reading the evidence source (state ok or degraded), 0 when the source is down.",
		[]string{labelSource}, nil)
	descSourceDegraded = prometheus.NewDesc("negtrace_source_degraded",
		"1 when the evidence source is read with errors or stale data (state degraded), else 0.",
		[]string{labelSource}, nil)
	descSourceLastSuccess = prometheus.NewDesc("negtrace_source_last_success_timestamp_seconds",
		"Unix time of the last successful read of the evidence source; absent before the first one.",
		[]string{labelSource}, nil)
	descSourceRecords = prometheus.NewDesc("negtrace_source_records_total",
		"Records read from the evidence source.",
		[]string{labelSource}, nil)
	descSourceSkipped = prometheus.NewDesc("negtrace_source_skipped_total",
		"Records read from the evidence source that could not be used.",
		[]string{labelSource}, nil)
	descSourceErrors = prometheus.NewDesc("negtrace_source_errors_total",
		"Failed reads of, or calls to, the evidence source.",
		[]string{labelSource}, nil)
	descAnalysisTime = prometheus.NewDesc("negtrace_analysis_timestamp_seconds",
		"Unix time when the current analysis was made.",
		nil, nil)
	descDemo = prometheus.NewDesc("negtrace_demo",
		"1 when negtrace serves the bundled demo incident instead of real evidence, else 0.",
		nil, nil)
)

// allDescs lists every metric the Collector can export.
var allDescs = []*prometheus.Desc{
	descLBErrors, descLBRequests, descTerminations, descRaceErrors,
	descDetachLatency, descExposure,
	descRecommendedPrestop, descConfiguredPrestop, descRecommendedGrace, descConfiguredGrace,
	descSourceUp, descSourceDegraded, descSourceLastSuccess, descSourceRecords, descSourceSkipped, descSourceErrors,
	descAnalysisTime, descDemo,
}

// collector exports the snapshot returned by its function at each scrape.
type collector struct {
	snapshot func() *analyzer.Snapshot
	// last holds the metrics of the last report scraped: a report is not
	// modified once published, and live mode republishes the same report
	// (with fresh source health) until the evidence changes, so scrapes in
	// between reuse them instead of walking every error and termination.
	last atomic.Pointer[reportMetrics]
}

// reportMetrics are the constant metrics made from one report.
type reportMetrics struct {
	report  *analyzer.Report
	metrics []prometheus.Metric
}

// NewCollector returns a Collector that calls snapshot at each scrape and
// exports what the returned analysis says: nothing when it returns nil.
// snapshot must be safe to call from several goroutines at once and must
// return a Snapshot that is no longer modified; a nil snapshot function
// is treated as one that always returns nil.
func NewCollector(snapshot func() *analyzer.Snapshot) prometheus.Collector {
	return &collector{snapshot: snapshot}
}

// Describe sends the descriptors of every metric the collector can export.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range allDescs {
		ch <- d
	}
}

// Collect sends the metrics of the current snapshot.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	if c.snapshot == nil {
		return
	}
	s := c.snapshot()
	if s == nil {
		return
	}
	demo := 0.0
	if s.Demo {
		demo = 1
	}
	send(ch, descDemo, prometheus.GaugeValue, demo)
	if !s.Updated.IsZero() {
		send(ch, descAnalysisTime, prometheus.GaugeValue, unixSeconds(s.Updated))
	}
	collectSources(ch, s.Sources)
	if s.Report != nil {
		for _, m := range c.reportMetrics(s.Report) {
			ch <- m
		}
	}
}

// reportMetrics returns the metrics of r, made at its first scrape.
func (c *collector) reportMetrics(r *analyzer.Report) []prometheus.Metric {
	if last := c.last.Load(); last != nil && last.report == r {
		return last.metrics
	}
	made := &reportMetrics{report: r}
	ch := make(chan prometheus.Metric)
	go func() {
		defer close(ch)
		collectReport(ch, r)
	}()
	for m := range ch {
		made.metrics = append(made.metrics, m)
	}
	c.last.Store(made)
	return made.metrics
}

// send sends one constant metric. Label values are valid UTF-8 by
// construction (see clean); should one not be, the scrape reports an error
// instead of the process crashing, which Must* would do in Gather's goroutine.
func send(ch chan<- prometheus.Metric, d *prometheus.Desc, t prometheus.ValueType, v float64, labels ...string) {
	m, err := prometheus.NewConstMetric(d, t, v, labels...)
	if err != nil {
		m = prometheus.NewInvalidMetric(d, err)
	}
	ch <- m
}

// unixSeconds is t as fractional seconds since the Unix epoch.
func unixSeconds(t time.Time) float64 {
	return float64(t.UnixNano()) / 1e9
}
