package metrics

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/negtrace/negtrace/analyzer"
)

// goldenReports returns the analyzer's golden reports of the bundled
// scenarios, by scenario name.
func goldenReports(t *testing.T) map[string]*analyzer.Report {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "..", "testdata", "golden", "*.report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no golden reports in testdata/golden")
	}
	reports := make(map[string]*analyzer.Report)
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var r analyzer.Report
		if err := json.Unmarshal(data, &r); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		reports[strings.TrimSuffix(filepath.Base(p), ".report.json")] = &r
	}
	return reports
}

// TestScenarios exports the real reports of the bundled scenarios and
// checks that the metrics add up to the reports' own totals and carry no
// per-pod or per-request value.
func TestScenarios(t *testing.T) {
	for name, r := range goldenReports(t) {
		t.Run(name, func(t *testing.T) {
			mfs := gatherReport(t, r)
			perPod := make(map[string]bool)
			for _, term := range r.Terminations {
				perPod[term.PodIP], perPod[term.PodUID], perPod[term.Node] = true, true, true
				if term.Pod != term.Workload {
					perPod[term.Pod] = true
				}
			}
			for _, e := range r.Errors {
				perPod[e.ServerIP], perPod[e.URL], perPod[e.InsertID] = true, true, true
			}
			delete(perPod, "")
			sums := make(map[string]float64)
			for _, mf := range mfs {
				for _, m := range mf.GetMetric() {
					sums[mf.GetName()] += m.GetCounter().GetValue()
					for _, l := range m.GetLabel() {
						if perPod[l.GetValue()] {
							t.Errorf("%s{%s=%q}: a per-pod or per-request value in a label", mf.GetName(), l.GetName(), l.GetValue())
						}
					}
				}
			}
			race := 0
			for _, term := range r.Terminations {
				race += term.RaceErrors
			}
			want := map[string]float64{
				"negtrace_lb_requests_total":      float64(r.Summary.LBRequests),
				"negtrace_lb_errors_total":        float64(len(r.Errors)),
				"negtrace_pod_terminations_total": float64(r.Summary.Terminations),
				"negtrace_race_errors_total":      float64(race),
			}
			got := make(map[string]float64)
			for k := range want {
				got[k] = sums[k]
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("totals (-report +metrics):\n%s", diff)
			}
			if r.Summary.LB5xx != len(r.Errors) {
				t.Errorf("report: lb_5xx %d but %d errors", r.Summary.LB5xx, len(r.Errors))
			}
		})
	}
}

// TestRolloutRace checks the demo incident's headline numbers: the race
// errors of shop/web and its preStop below the need, which the
// NegtracePreStopBelowNeed alert reports.
func TestRolloutRace(t *testing.T) {
	r := goldenReports(t)["rollout-race"]
	if r == nil {
		t.Fatal("no golden report for rollout-race")
	}
	reg := prometheus.NewPedanticRegistry()
	s := &analyzer.Snapshot{Report: r, Demo: true}
	if err := reg.Register(NewCollector(func() *analyzer.Snapshot { return s })); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP negtrace_race_errors_total Load balancer 5xx responses caused by the NEG detach race (sent to a terminating pod that had stopped serving but was still attached to its NEG), by workload.
# TYPE negtrace_race_errors_total counter
negtrace_race_errors_total{workload="shop/api"} 0
negtrace_race_errors_total{workload="shop/web"} 33
# HELP negtrace_recommended_prestop_seconds preStop sleep negtrace recommends so that pods keep serving until the load balancer stops sending to them; absent when the evidence is insufficient.
# TYPE negtrace_recommended_prestop_seconds gauge
negtrace_recommended_prestop_seconds{workload="shop/api"} 20
negtrace_recommended_prestop_seconds{workload="shop/web"} 25
# HELP negtrace_configured_prestop_seconds preStop sleep configured in the pod spec of the workload's latest terminated pod (0 without a preStop hook); absent when unknown.
# TYPE negtrace_configured_prestop_seconds gauge
negtrace_configured_prestop_seconds{workload="shop/api"} 60
negtrace_configured_prestop_seconds{workload="shop/web"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"negtrace_race_errors_total", "negtrace_recommended_prestop_seconds", "negtrace_configured_prestop_seconds"); err != nil {
		t.Error(err)
	}
}
