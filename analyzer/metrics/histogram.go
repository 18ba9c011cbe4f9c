package metrics

import "github.com/prometheus/client_golang/prometheus"

// histogram accumulates observations into Buckets for a constant histogram.
type histogram struct {
	count  uint64
	sum    float64
	counts []uint64 // per bucket of Buckets, not cumulative
}

func newHistogram() *histogram {
	return &histogram{counts: make([]uint64, len(Buckets))}
}

// observe adds one observation.
func (h *histogram) observe(v float64) {
	h.count++
	h.sum += v
	for i, b := range Buckets {
		if v <= b {
			h.counts[i]++
			return
		}
	}
}

// metric returns the histogram as a constant metric of d.
func (h *histogram) metric(d *prometheus.Desc, labels ...string) prometheus.Metric {
	cumulative := make(map[float64]uint64, len(Buckets))
	var n uint64
	for i, b := range Buckets {
		n += h.counts[i]
		cumulative[b] = n
	}
	m, err := prometheus.NewConstHistogram(d, h.count, h.sum, cumulative, labels...)
	if err != nil {
		return prometheus.NewInvalidMetric(d, err)
	}
	return m
}
