package metrics

import (
	"cmp"
	"math"
	"slices"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/negtrace/negtrace/analyzer"
)

// verdicts are exported for every workload, zero or not, so that a
// counter's first increase is visible to rate() and increase().
var verdicts = []analyzer.Verdict{analyzer.VerdictRace, analyzer.VerdictClean, analyzer.VerdictInconclusive}

// collectReport sends the metrics of one analysis report.
func collectReport(ch chan<- prometheus.Metric, r *analyzer.Report) {
	send(ch, descLBRequests, prometheus.CounterValue, float64(r.Summary.LBRequests))
	collectErrors(ch, r.Errors)
	w := newWorkloads(r.Terminations)
	collectTerminations(ch, r.Terminations, w)
	collectRecommendations(ch, r.Recommendations, w)
}

// collectErrors sends negtrace_lb_errors_total.
func collectErrors(ch chan<- prometheus.Metric, errs []analyzer.ErrorVerdict) {
	type key struct {
		backend, cause string
		status         int // 0 for every invalid status
	}
	counts := make(map[key]int)
	for _, e := range errs {
		status := e.Status
		if !validStatus(status) {
			status = 0
		}
		counts[key{clean(e.BackendService), clean(string(e.Cause)), status}]++
	}
	for _, k := range sortedKeys(counts, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.backend, b.backend), cmp.Compare(a.cause, b.cause), cmp.Compare(a.status, b.status))
	}) {
		send(ch, descLBErrors, prometheus.CounterValue, float64(counts[k]), k.backend, k.cause, statusLabel(k.status))
	}
}

// collectTerminations sends the per-workload termination counters and the
// detach latency and race exposure histograms.
func collectTerminations(ch chan<- prometheus.Metric, terms []analyzer.Termination, w workloads) {
	type wv struct{ workload, verdict string }
	type wz struct{ workload, zone string }
	byVerdict := make(map[wv]int)
	races := make(map[string]int)
	latency := make(map[wz]*histogram)
	exposure := make(map[string]*histogram)
	for _, t := range terms {
		wl := w.label(t.Workload)
		races[wl] += t.RaceErrors
		byVerdict[wv{wl, clean(string(t.Verdict))}]++
		if v, ok := finite(t.DetachLatencySeconds); ok {
			k := wz{wl, clean(t.Zone)}
			if latency[k] == nil {
				latency[k] = newHistogram()
			}
			latency[k].observe(v)
		}
		if v, ok := finite(t.ExposureSeconds); ok {
			if exposure[wl] == nil {
				exposure[wl] = newHistogram()
			}
			exposure[wl].observe(v)
		}
	}
	for _, wl := range sortedKeys(races, cmp.Compare) {
		send(ch, descRaceErrors, prometheus.CounterValue, float64(races[wl]), wl)
		for _, v := range verdicts {
			send(ch, descTerminations, prometheus.CounterValue, float64(byVerdict[wv{wl, string(v)}]), wl, string(v))
		}
	}
	// Verdicts this package does not know yet still count.
	for _, k := range sortedKeys(byVerdict, func(a, b wv) int {
		return cmp.Or(cmp.Compare(a.workload, b.workload), cmp.Compare(a.verdict, b.verdict))
	}) {
		if !slices.Contains(verdicts, analyzer.Verdict(k.verdict)) {
			send(ch, descTerminations, prometheus.CounterValue, float64(byVerdict[k]), k.workload, k.verdict)
		}
	}
	for _, k := range sortedKeys(latency, func(a, b wz) int {
		return cmp.Or(cmp.Compare(a.workload, b.workload), cmp.Compare(a.zone, b.zone))
	}) {
		ch <- latency[k].metric(descDetachLatency, k.workload, k.zone)
	}
	for _, wl := range sortedKeys(exposure, cmp.Compare) {
		ch <- exposure[wl].metric(descExposure, wl)
	}
}

// collectRecommendations sends the recommended and configured termination
// settings of each workload. Recommendations made without enough evidence
// are left out: they only repeat the configuration. So are those for pods
// with no controller, which have no series of their own (see workloads).
func collectRecommendations(ch chan<- prometheus.Metric, recs []analyzer.Recommendation, w workloads) {
	seen := make(map[string]bool)
	for _, r := range recs {
		if w.isPod(r.Workload) {
			continue
		}
		wl := w.label(r.Workload)
		if seen[wl] {
			// A duplicate series would fail the whole scrape.
			continue
		}
		seen[wl] = true
		if r.Action != analyzer.ActionInsufficient {
			send(ch, descRecommendedPrestop, prometheus.GaugeValue, float64(r.PrestopSleepSeconds), wl)
			send(ch, descRecommendedGrace, prometheus.GaugeValue, float64(r.TerminationGracePeriodSeconds), wl)
		}
		if v, ok := finite(r.CurrentPrestopSleepSeconds); ok {
			send(ch, descConfiguredPrestop, prometheus.GaugeValue, v, wl)
		}
		if r.CurrentTerminationGracePeriodSeconds != nil {
			send(ch, descConfiguredGrace, prometheus.GaugeValue, float64(*r.CurrentTerminationGracePeriodSeconds), wl)
		}
	}
}

// finite returns *p when p is set to a finite number.
func finite(p *float64) (float64, bool) {
	if p == nil || math.IsNaN(*p) || math.IsInf(*p, 0) {
		return 0, false
	}
	return *p, true
}

// sortedKeys returns m's keys in the order of compare, so that the
// collector's output does not depend on map iteration.
func sortedKeys[K comparable, V any](m map[K]V, compare func(a, b K) int) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compare)
	return keys
}
