package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/negtrace/negtrace/analyzer"
)

// collectSources sends the ingestion health of each evidence source. A
// source named twice is exported once (the first), since a duplicate series
// would fail the whole scrape.
func collectSources(ch chan<- prometheus.Metric, sources []analyzer.SourceStatus) {
	seen := make(map[string]bool)
	for _, s := range sources {
		name := clean(s.Name)
		if seen[name] {
			continue
		}
		seen[name] = true
		up, degraded := 1.0, 0.0
		switch s.State {
		case analyzer.SourceDown:
			up = 0
		case analyzer.SourceDegraded:
			degraded = 1
		}
		send(ch, descSourceUp, prometheus.GaugeValue, up, name)
		send(ch, descSourceDegraded, prometheus.GaugeValue, degraded, name)
		if !s.LastSuccess.IsZero() {
			send(ch, descSourceLastSuccess, prometheus.GaugeValue, unixSeconds(s.LastSuccess), name)
		}
		send(ch, descSourceRecords, prometheus.CounterValue, float64(s.Records), name)
		send(ch, descSourceSkipped, prometheus.CounterValue, float64(s.Skipped), name)
		send(ch, descSourceErrors, prometheus.CounterValue, float64(s.Errors), name)
	}
}
