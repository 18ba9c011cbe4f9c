package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/sim"
)

var update = flag.Bool("update", false, "rewrite golden files")

// analyzeScenario runs "negtrace analyze" on a bundled scenario from the
// repository root (so input paths in reports are stable) and returns the
// report in format.
func analyzeScenario(t *testing.T, name, format string) []byte {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args := []string{"analyze", "-q", "--no-progress", "--format", format, filepath.Join("testdata", "scenarios", name)}
	if code := run(ctx, args, &out, &errOut); code != exitOK {
		t.Fatalf("negtrace %v: exit %d\n%s", args, code, errOut.String())
	}
	return out.Bytes()
}

func readTruth(t *testing.T, name string) sim.Truth {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "scenarios", name, sim.FileTruth))
	if err != nil {
		t.Fatal(err)
	}
	var tr sim.Truth
	if err := json.Unmarshal(b, &tr); err != nil {
		t.Fatalf("decode truth of %s: %v", name, err)
	}
	return tr
}

// TestScenariosMatchGroundTruth checks the analyzer against every
// simulated incident: precision and recall of neg_detach_race >= 0.98,
// every race error on the right pod, and recommendations that would have
// avoided what the ground truth says they must.
func TestScenariosMatchGroundTruth(t *testing.T) {
	t.Chdir("../..")
	for _, sc := range sim.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			var rep analyzer.Report
			if err := json.Unmarshal(analyzeScenario(t, sc.Name, "json"), &rep); err != nil {
				t.Fatal(err)
			}
			truth := readTruth(t, sc.Name)
			if rep.Summary.LB5xx != truth.LB5xx || len(rep.Errors) != truth.LB5xx {
				t.Errorf("lb_5xx = %d (%d errors), truth %d", rep.Summary.LB5xx, len(rep.Errors), truth.LB5xx)
			}
			if rep.Summary.LBRequests != truth.LBEntries {
				t.Errorf("lb_requests = %d, truth %d (duplicates must count once)", rep.Summary.LBRequests, truth.LBEntries)
			}
			got := make(map[string]analyzer.ErrorVerdict, len(rep.Errors))
			for _, e := range rep.Errors {
				got[e.InsertID] = e
			}
			var tp, fp, fn, wrongPod int
			confusion := map[string]int{}
			for _, te := range truth.Errors {
				e, ok := got[te.InsertID]
				if !ok {
					t.Errorf("error %s (%s) missing from the report", te.InsertID, te.Cause)
					continue
				}
				confusion[fmt.Sprintf("%s→%s", te.Cause, e.Cause)]++
				isRace, wasRace := e.Cause == analyzer.CauseRace, te.Cause == sim.CauseRace
				switch {
				case isRace && wasRace:
					tp++
					if e.Pod == nil || te.Pod == nil || *e.Pod != *te.Pod {
						wrongPod++
						t.Errorf("race error %s on pod %v, truth %v", te.InsertID, deref(e.Pod), deref(te.Pod))
					}
				case isRace:
					fp++
				case wasRace:
					fn++
				}
			}
			precision, recall := ratio(tp, tp+fp), ratio(tp, tp+fn)
			t.Logf("race errors: tp=%d fp=%d fn=%d precision=%.3f recall=%.3f; truth→report %v", tp, fp, fn, precision, recall, confusion)
			if precision < 0.98 || recall < 0.98 {
				t.Errorf("neg_detach_race precision %.3f recall %.3f, want both >= 0.98 (truth→report %v)", precision, recall, confusion)
			}

			recs := make(map[string]analyzer.Recommendation)
			for _, r := range rep.Recommendations {
				recs[r.Workload] = r
			}
			for _, w := range truth.Workloads {
				if w.Terminations == 0 {
					continue
				}
				r, ok := recs[w.Workload]
				if !ok {
					t.Errorf("no recommendation for %s (%d terminations)", w.Workload, w.Terminations)
					continue
				}
				if w.RaceErrors > 0 && r.PrestopSleepSeconds < w.MinSafePreStopSeconds {
					t.Errorf("%s: recommended preStop %ds below the true minimum %ds", w.Workload, r.PrestopSleepSeconds, w.MinSafePreStopSeconds)
				}
				if w.RaceErrors > 0 && r.RaceErrorsAvoided < r.RaceErrorsObserved*9/10 {
					t.Errorf("%s: the recommendation would avoid only %d of %d race errors", w.Workload, r.RaceErrorsAvoided, r.RaceErrorsObserved)
				}
				if cur := r.CurrentPrestopSleepSeconds; cur != nil && w.RaceErrors == 0 && float64(r.PrestopSleepSeconds) > *cur {
					t.Errorf("%s is safe with %gs but got a longer recommendation %ds", w.Workload, *cur, r.PrestopSleepSeconds)
				}
				if r.TerminationGracePeriodSeconds <= r.PrestopSleepSeconds {
					t.Errorf("%s: grace %ds not above preStop %ds", w.Workload, r.TerminationGracePeriodSeconds, r.PrestopSleepSeconds)
				}
			}
		})
	}
}

// TestScenarioReportsGolden pins the full reports (JSON and Markdown) of
// every scenario; rewrite them with go test ./... -update and review the diff.
func TestScenarioReportsGolden(t *testing.T) {
	t.Chdir("../..")
	for _, sc := range sim.Scenarios() {
		for _, f := range []struct{ format, ext string }{{"json", "json"}, {"markdown", "md"}} {
			t.Run(sc.Name+"/"+f.format, func(t *testing.T) {
				got := analyzeScenario(t, sc.Name, f.format)
				path := filepath.Join("testdata", "golden", sc.Name+".report."+f.ext)
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./cmd/negtrace -update to create it)", err)
				}
				if diff := cmp.Diff(string(want), string(got)); diff != "" {
					t.Errorf("%s differs (-want +got); if intended, rerun with -update:\n%s", path, diff)
				}
			})
		}
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
