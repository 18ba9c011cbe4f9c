package metrics

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/negtrace/negtrace/analyzer"
)

// Register registers on reg everything negtrace's /metrics serves: the
// analysis Collector over snapshot (see NewCollector), the Go runtime,
// process and Go build-info collectors, and negtrace_build_info{version}.
// It returns the first registration error, e.g. when reg already holds one
// of these collectors.
func Register(reg prometheus.Registerer, snapshot func() *analyzer.Snapshot, version string) error {
	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "negtrace_build_info",
		Help:        "Always 1; the version label is the negtrace version serving these metrics.",
		ConstLabels: prometheus.Labels{"version": clean(version)},
	})
	buildInfo.Set(1)
	for _, c := range []prometheus.Collector{
		NewCollector(snapshot),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewBuildInfoCollector(),
		buildInfo,
	} {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("register metrics: %w", err)
		}
	}
	return nil
}
