package display

import (
	"cmp"
	"time"

	"github.com/negtrace/negtrace/analyzer"
)

// CompareTerminations orders terminations the way reports and pages show
// them: most race errors first, then by verdict (race, inconclusive,
// clean, any other), deletion time (unknown last) and pod name. It suits
// slices.SortStableFunc.
func CompareTerminations(a, b *analyzer.Termination) int {
	return cmp.Or(
		cmp.Compare(b.RaceErrors, a.RaceErrors),
		cmp.Compare(verdictRank(a.Verdict), verdictRank(b.Verdict)),
		compareTimes(a.DeletionRequestedAt, b.DeletionRequestedAt),
		cmp.Compare(a.Pod, b.Pod),
	)
}

// verdictRank orders verdicts: the ones to look at first; unknown ones last.
func verdictRank(v analyzer.Verdict) int {
	switch v {
	case analyzer.VerdictRace:
		return 0
	case analyzer.VerdictInconclusive:
		return 1
	case analyzer.VerdictClean:
		return 2
	}
	return 3
}

// compareTimes orders times, unknown ones last.
func compareTimes(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return a.Compare(*b)
}
