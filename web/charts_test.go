package web

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/negtrace/negtrace/analyzer"
)

var t0 = time.Date(2025, 3, 4, 18, 0, 0, 0, time.UTC)

func errAt(s float64, c analyzer.Cause) analyzer.ErrorVerdict {
	return analyzer.ErrorVerdict{Timestamp: t0.Add(time.Duration(s * float64(time.Second))), Status: 502, Cause: c}
}

func derivedOf(r *analyzer.Report) *derived { return newDerived(r) }

// TestTimeseriesEdges: the last entry of a window is counted, open
// windows span the errors, and no errors give no buckets.
func TestTimeseriesEdges(t *testing.T) {
	counts := func(v timeseriesView) map[analyzer.Cause][]int {
		out := map[analyzer.Cause][]int{}
		for _, s := range v.Series {
			if s.Total > 0 {
				out[s.Cause] = s.Counts
			}
		}
		return out
	}
	t.Run("inclusive end", func(t *testing.T) {
		r := &analyzer.Report{Window: analyzer.Window{Start: t0, End: t0.Add(2 * time.Minute)},
			Errors: []analyzer.ErrorVerdict{errAt(0, analyzer.CauseRace), errAt(120, analyzer.CauseOther)}}
		v, err := derivedOf(r).timeseries(time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		want := map[analyzer.Cause][]int{analyzer.CauseRace: {1, 0, 0}, analyzer.CauseOther: {0, 0, 1}}
		if diff := cmp.Diff(want, counts(v)); diff != "" || v.Total != 2 {
			t.Errorf("total %d (-want +got):\n%s", v.Total, diff)
		}
	})
	t.Run("open window", func(t *testing.T) {
		r := &analyzer.Report{Errors: []analyzer.ErrorVerdict{errAt(30, analyzer.CauseRace), errAt(95, analyzer.CauseRace)}}
		v, err := derivedOf(r).timeseries(0)
		if err != nil {
			t.Fatal(err)
		}
		// 65 s of errors: 2 s buckets, the first starting at 18:00:30.
		if v.BucketSeconds != 2 || !v.Start.Equal(t0.Add(30*time.Second)) || v.Total != 2 || len(v.Buckets) != 33 {
			t.Errorf("bucket %ds from %v, %d buckets, total %d", v.BucketSeconds, v.Start, len(v.Buckets), v.Total)
		}
	})
	t.Run("no errors", func(t *testing.T) {
		v, err := derivedOf(&analyzer.Report{}).timeseries(0)
		if err != nil || len(v.Buckets) != 0 || v.Total != 0 || len(v.Series) != len(analyzer.Causes) {
			t.Errorf("%+v, %v", v, err)
		}
	})
	t.Run("new cause", func(t *testing.T) {
		r := &analyzer.Report{Window: analyzer.Window{Start: t0, End: t0.Add(time.Minute)},
			Errors: []analyzer.ErrorVerdict{errAt(1, "brand_new")}}
		v, _ := derivedOf(r).timeseries(0)
		if last := v.Series[len(v.Series)-1]; last.Cause != "brand_new" || last.Total != 1 {
			t.Errorf("last series %+v, want the new cause counted", last)
		}
	})
	t.Run("days", func(t *testing.T) {
		r := &analyzer.Report{Window: analyzer.Window{Start: t0, End: t0.Add(30 * time.Hour)}}
		v, _ := derivedOf(r).timeseries(0)
		if v.BucketSeconds != 3600 || v.Labels[0] != "03-04 18:00" {
			t.Errorf("bucket %ds, first label %q", v.BucketSeconds, v.Labels[0])
		}
	})
	t.Run("too many buckets", func(t *testing.T) {
		r := &analyzer.Report{Window: analyzer.Window{Start: t0, End: t0.Add(24 * time.Hour)}}
		if _, err := derivedOf(r).timeseries(time.Second); err == nil {
			t.Error("86400 buckets allowed")
		}
	})
}

func ptrF(x float64) *float64 { return &x }

// TestLatencyHistogramEdges: nothing measured, negative latencies (clock
// skew) and a single value.
func TestLatencyHistogramEdges(t *testing.T) {
	terms := func(xs ...float64) []analyzer.Termination {
		var out []analyzer.Termination
		for _, x := range xs {
			out = append(out, analyzer.Termination{DetachLatencySeconds: ptrF(x)})
		}
		return append(out, analyzer.Termination{}) // not measured
	}
	for _, tc := range []struct {
		name string
		xs   []float64
		want []latencyBin
	}{
		{"none", nil, []latencyBin{}},
		{"single", []float64{0.3}, []latencyBin{{0, 0.1, 0}, {0.1, 0.2, 0}, {0.2, 0.3, 0}, {0.3, 0.4, 1}}},
		{"skew", []float64{-1.5, 3}, []latencyBin{{-1.5, -1, 1}, {-1, -0.5, 0}, {-0.5, 0, 0}, {0, 0.5, 0}, {0.5, 1, 0},
			{1, 1.5, 0}, {1.5, 2, 0}, {2, 2.5, 0}, {2.5, 3, 0}, {3, 3.5, 1}}},
		{"wide", []float64{0, 59, 61}, []latencyBin{{0, 5, 1}, {5, 10, 0}, {10, 15, 0}, {15, 20, 0}, {20, 25, 0}, {25, 30, 0},
			{30, 35, 0}, {35, 40, 0}, {40, 45, 0}, {45, 50, 0}, {50, 55, 0}, {55, 60, 1}, {60, 65, 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := latencyHistogram(&analyzer.Report{Terminations: terms(tc.xs...)})
			if diff := cmp.Diff(tc.want, v.Bins); diff != "" || v.Measured != len(tc.xs) {
				t.Errorf("measured %d (-want +got):\n%s", v.Measured, diff)
			}
		})
	}
}
