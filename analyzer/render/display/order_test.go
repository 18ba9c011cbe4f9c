package display

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/negtrace/negtrace/analyzer"
)

func TestCompareTerminations(t *testing.T) {
	t0 := time.Date(2025, 3, 4, 18, 10, 0, 0, time.UTC)
	at := func(s int) *time.Time { x := t0.Add(time.Duration(s) * time.Second); return &x }
	terms := []analyzer.Termination{
		{Pod: "clean-early", Verdict: analyzer.VerdictClean, DeletionRequestedAt: at(0)},
		{Pod: "unknown-verdict", Verdict: "newer", DeletionRequestedAt: at(0)},
		{Pod: "race-few", Verdict: analyzer.VerdictRace, RaceErrors: 2, DeletionRequestedAt: at(0)},
		{Pod: "inconclusive", Verdict: analyzer.VerdictInconclusive, DeletionRequestedAt: at(5)},
		{Pod: "clean-no-time", Verdict: analyzer.VerdictClean},
		{Pod: "race-many", Verdict: analyzer.VerdictRace, RaceErrors: 9, DeletionRequestedAt: at(30)},
		{Pod: "clean-late", Verdict: analyzer.VerdictClean, DeletionRequestedAt: at(60)},
		{Pod: "b-same", Verdict: analyzer.VerdictRace, DeletionRequestedAt: at(10)},
		{Pod: "a-same", Verdict: analyzer.VerdictRace, DeletionRequestedAt: at(10)},
	}
	slices.SortStableFunc(terms, func(a, b analyzer.Termination) int { return CompareTerminations(&a, &b) })
	var got []string
	for _, t := range terms {
		got = append(got, t.Pod)
	}
	want := []string{"race-many", "race-few", "a-same", "b-same", "inconclusive", "clean-early", "clean-late", "clean-no-time", "unknown-verdict"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}
