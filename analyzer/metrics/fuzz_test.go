package metrics

import (
	"math"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/negtrace/negtrace/analyzer"
)

// FuzzCollect feeds reports with arbitrary names and numbers: a scrape
// never fails (no invalid label value, no duplicate series), and a pod's
// name never becomes a label value unless it is also its workload's.
func FuzzCollect(f *testing.F) {
	f.Add("shop/web-5d8f7c9b4-x2x4q", "shop/web", "shop/web", "us-central1-a", "k8s1-backend", "race", "evidence", 502, 12.5)
	f.Add("shop/debug", "shop/debug", "shop/debug", "", "", "clean", "", 0, math.NaN())
	f.Add("a/b", "a/b", "a/(unowned)", "z\xff", "b\xfe", "", "(unknown)", 70000, -1.0)
	f.Add("", "", "", "", "", "inconclusive", "s", 599, math.Inf(1))
	f.Fuzz(func(t *testing.T, pod, workload, otherWorkload, zone, backend, verdict, source string, status int, seconds float64) {
		r := &analyzer.Report{
			Terminations: []analyzer.Termination{
				{Pod: pod, Workload: workload, Zone: zone, Verdict: analyzer.Verdict(verdict), DetachLatencySeconds: &seconds, ExposureSeconds: &seconds, RaceErrors: 1},
				{Pod: pod + "-2", Workload: otherWorkload, Zone: zone, Verdict: analyzer.VerdictRace},
			},
			Errors: []analyzer.ErrorVerdict{
				{Status: status, BackendService: backend, Cause: analyzer.Cause(verdict), Pod: &pod},
				{Status: status + 1, BackendService: backend + "\xff", Cause: analyzer.CauseRace},
			},
			Recommendations: []analyzer.Recommendation{
				{Workload: workload, Action: analyzer.ActionRaise, PrestopSleepSeconds: status, CurrentPrestopSleepSeconds: &seconds},
				{Workload: otherWorkload, Action: verdict},
				{Workload: unknownWorkload, Action: analyzer.ActionKeep},
			},
		}
		s := &analyzer.Snapshot{Report: r, Sources: []analyzer.SourceStatus{{Name: source}, {Name: source + "\xff"}, {Name: source + "\xfe"}}}
		reg := prometheus.NewPedanticRegistry()
		reg.MustRegister(NewCollector(func() *analyzer.Snapshot { return s }))
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatalf("gather: %v", err)
		}
		for _, mf := range mfs {
			for _, m := range mf.GetMetric() {
				for _, l := range m.GetLabel() {
					if l.GetName() == labelWorkload && pod != "" && pod != workload && pod != otherWorkload && l.GetValue() == pod {
						t.Errorf("%s: pod name %q in a label", mf.GetName(), pod)
					}
				}
			}
		}
	})
}
