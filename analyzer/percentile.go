package analyzer

import (
	"math"
	"slices"
)

// percentiles returns p50/p90/p99/max of xs (nearest-rank), rounded to
// milliseconds; all nil when xs is empty.
func percentiles(xs []float64) Percentiles {
	if len(xs) == 0 {
		return Percentiles{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	rank := func(p float64) *float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		i = max(0, min(i, len(s)-1))
		return ptr(round3(s[i]))
	}
	return Percentiles{P50: rank(0.50), P90: rank(0.90), P99: rank(0.99), Max: ptr(round3(s[len(s)-1]))}
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func ptr[T any](v T) *T { return &v }
