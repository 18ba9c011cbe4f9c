package metrics

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/negtrace/negtrace/analyzer"
)

var (
	boundedWorkloads = []string{"shop/web", "shop/api", "pay/checkout"}
	boundedZones     = []string{"us-central1-a", "us-central1-b", "us-central1-c"}
)

// manyPods is an analysis of n terminations spread over boundedWorkloads,
// plus n pods with no controller, each with its own pod name, IP and a
// failed request to its own URL.
func manyPods(n int) *analyzer.Report {
	r := &analyzer.Report{Summary: analyzer.Summary{LBRequests: 10 * n}}
	ip := netip.MustParseAddr("10.52.0.1")
	verdicts := []analyzer.Verdict{analyzer.VerdictRace, analyzer.VerdictClean, analyzer.VerdictInconclusive}
	for i := range 2 * n {
		ip = ip.Next()
		workload := boundedWorkloads[i%len(boundedWorkloads)]
		pod := fmt.Sprintf("%s-5d8f7c9b4-%05d", workload, i)
		if i >= n {
			pod = fmt.Sprintf("shop/debug-%05d", i) // unowned: the analyzer names it after itself
			workload = pod
		}
		r.Terminations = append(r.Terminations, analyzer.Termination{
			Pod: pod, PodIP: ip.String(), PodUID: fmt.Sprintf("uid-%d", i), Node: fmt.Sprintf("node-%d", i),
			NEG: "k8s1-neg", Workload: workload, Zone: boundedZones[i%len(boundedZones)],
			DetachLatencySeconds: ptr(float64(i % 400)), ExposureSeconds: ptr(float64(i % 30)),
			RaceErrors: i % 2, Verdict: verdicts[i%len(verdicts)],
		})
		r.Errors = append(r.Errors, analyzer.ErrorVerdict{
			InsertID: fmt.Sprintf("id-%d", i), Status: 502, BackendService: "k8s1-backend-" + boundedWorkloads[i%3][5:],
			Cause: analyzer.Causes[i%len(analyzer.Causes)], ServerIP: ip.String(), Pod: &pod,
			URL: fmt.Sprintf("https://shop.example.com/item/%d?session=%d", i, i), UserAgent: fmt.Sprintf("agent/%d", i),
			Reason: fmt.Sprintf("reason %d", i),
		})
	}
	for _, w := range boundedWorkloads {
		r.Recommendations = append(r.Recommendations, analyzer.Recommendation{Workload: w, Action: analyzer.ActionRaise, PrestopSleepSeconds: 25, CurrentPrestopSleepSeconds: ptr(5.0)})
	}
	for i := n; i < 2*n; i++ {
		r.Recommendations = append(r.Recommendations, analyzer.Recommendation{Workload: r.Terminations[i].Workload, Action: analyzer.ActionRaise, PrestopSleepSeconds: 10})
	}
	return r
}

func gatherReport(t *testing.T, r *analyzer.Report) []*dto.MetricFamily {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	s := &analyzer.Snapshot{Report: r}
	if err := reg.Register(NewCollector(func() *analyzer.Snapshot { return s })); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	return mfs
}

// TestLabelsBounded checks that no pod name, pod IP, URL or other per-pod
// or per-request value reaches a label, and that the number of series does
// not grow with the number of pods.
func TestLabelsBounded(t *testing.T) {
	r := manyPods(1000)
	perRequest := make(map[string]bool)
	for _, term := range r.Terminations {
		for _, v := range []string{term.Pod, term.PodIP, term.PodUID, term.Node} {
			perRequest[v] = true
		}
	}
	for _, e := range r.Errors {
		for _, v := range []string{e.InsertID, e.ServerIP, e.URL, e.UserAgent, e.Reason} {
			perRequest[v] = true
		}
	}
	mfs := gatherReport(t, r)
	series := make(map[string]int)
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			series[mf.GetName()]++
			for _, l := range m.GetLabel() {
				if perRequest[l.GetValue()] || strings.Contains(l.GetValue(), "debug-") {
					t.Errorf("%s{%s=%q}: a per-pod or per-request value in a label", mf.GetName(), l.GetName(), l.GetValue())
				}
			}
		}
	}
	// The three workloads plus one value for the unowned pods of "shop".
	workloads := len(boundedWorkloads) + 1
	limits := map[string]int{
		"negtrace_pod_terminations_total":      workloads * 3,
		"negtrace_race_errors_total":           workloads,
		"negtrace_neg_detach_latency_seconds":  workloads * len(boundedZones),
		"negtrace_race_exposure_seconds":       workloads,
		"negtrace_lb_errors_total":             len(boundedWorkloads) * len(analyzer.Causes),
		"negtrace_recommended_prestop_seconds": len(boundedWorkloads),
	}
	for name, limit := range limits {
		if series[name] == 0 || series[name] > limit {
			t.Errorf("%s: %d series, want 1 to %d", name, series[name], limit)
		}
	}

	// The same workloads with ten times fewer pods give the same series.
	few := 0
	for _, mf := range gatherReport(t, manyPods(100)) {
		few += len(mf.GetMetric())
	}
	all := 0
	for _, n := range series {
		all += n
	}
	if few != all {
		t.Errorf("%d series for 2000 pods, %d for 200: the series count grows with the pods", all, few)
	}
}

// TestLabelValuesCleaned checks that hostile label values (invalid UTF-8,
// absurd status codes) neither fail the scrape nor multiply series.
func TestLabelValuesCleaned(t *testing.T) {
	r := &analyzer.Report{
		Errors: []analyzer.ErrorVerdict{
			{Status: 502, BackendService: "bad\xff\xfename", Cause: analyzer.CauseRace},
			{Status: -1, BackendService: "b", Cause: analyzer.CauseOther},
			{Status: 70000, BackendService: "b", Cause: analyzer.CauseOther},
		},
		Terminations: []analyzer.Termination{{Pod: "ns/p", Workload: "ns/\xffw", Zone: "z\xff", DetachLatencySeconds: ptr(1.0), Verdict: "strange"}},
	}
	mfs := gatherReport(t, r)
	got := make(map[string][]string)
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var ls []string
			for _, l := range m.GetLabel() {
				ls = append(ls, l.GetName()+"="+l.GetValue())
			}
			got[mf.GetName()] = append(got[mf.GetName()], strings.Join(ls, ","))
		}
	}
	want := map[string][]string{
		"negtrace_lb_errors_total": {
			"backend_service=b,cause=other,status=invalid",
			"backend_service=bad\uFFFDname,cause=neg_detach_race,status=502",
		},
		"negtrace_pod_terminations_total": {
			"verdict=clean,workload=ns/\uFFFDw",
			"verdict=inconclusive,workload=ns/\uFFFDw",
			"verdict=race,workload=ns/\uFFFDw",
			"verdict=strange,workload=ns/\uFFFDw",
		},
	}
	for name, w := range want {
		if fmt.Sprint(got[name]) != fmt.Sprint(w) {
			t.Errorf("%s:\n got %q\nwant %q", name, got[name], w)
		}
	}
}

func BenchmarkCollect(b *testing.B) {
	s := &analyzer.Snapshot{Report: manyPods(50000)}
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(func() *analyzer.Snapshot { return s }))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := reg.Gather(); err != nil {
			b.Fatal(err)
		}
	}
}
