package render

import (
	"slices"
	"strconv"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/analyzer/render/display"
)

// view is what every human-readable format shows, computed once from a
// report. Its strings are raw: each format escapes them its own way.
type view struct {
	r *analyzer.Report

	Window      string // "2024-05-01 10:00:00 → 10:30:00 UTC (30m)"
	clockLayout string // layout of clock times: with the date only when the window spans days

	Requests, FiveXX, Race  int
	FiveXXPct, RacePct      string // "" when there is nothing to divide by
	RacePods, RaceWorkloads int

	Verdicts map[analyzer.Verdict]int
	Latency  string

	Causes []causeRow
	Terms  []termRow // most race errors first
	Recs   []recRow
	Inputs []inputRow

	InputRecords, InputSkipped, InputsWithProblems int
}

// causeRow is one line of the 5xx-by-cause table.
type causeRow struct {
	Cause   string
	Count   int
	Pct     string
	Share   float64 // Count / 5xx, 0..1
	Meaning string
	Short   string // Meaning for a terminal
}

// termRow is one pod termination, times as offsets from its deletion.
type termRow struct {
	T                                       *analyzer.Termination
	Deleted                                 string // clock time of the deletion request, or dash
	Sigterm, DetachReq, DetachDone, LastReq string // offsets, see offset
	Latency, Exposure, Exit                 string
}

// recRow is one workload recommendation.
type recRow struct {
	R                      *analyzer.Recommendation
	PrestopNow, PrestopNew string
	GraceNow, GraceNew     string
	Latency                string
	Terminations           string // "3 terminations"
}

// inputRow is one input file.
type inputRow struct {
	In *analyzer.Input
}

// causeShort is causeMeaning for a terminal line.
var causeShort = map[analyzer.Cause]string{
	analyzer.CauseRace:             "pod stopped serving before its NEG detach took effect",
	analyzer.CauseBackendClosed:    "serving pod closed a keep-alive connection",
	analyzer.CauseApplicationError: "serving pod answered 5xx itself",
	analyzer.CauseNoHealthyBackend: "LB had no healthy endpoint (failed_to_pick_backend)",
	analyzer.CauseOther:            "unknown IP, LB-internal or client side",
}

// causeMeaning says in a few words what each cause stands for.
var causeMeaning = map[analyzer.Cause]string{
	analyzer.CauseRace:             "backend failure on a pod that had stopped serving after its deletion, before its NEG detach took effect",
	analyzer.CauseBackendClosed:    "a pod that was not terminating closed a kept-alive connection (keep-alive timeout shorter than the LB's 600 s)",
	analyzer.CauseApplicationError: "a serving pod answered 5xx itself",
	analyzer.CauseNoHealthyBackend: "failed_to_pick_backend: the LB had no healthy endpoint",
	analyzer.CauseOther:            "anything else (unknown IP, LB-internal, client side): see each error's reason",
}

// verdicts are the verdicts the analyzer gives, in the order a summary
// names them: the ones to look at first.
var verdicts = []analyzer.Verdict{analyzer.VerdictRace, analyzer.VerdictInconclusive, analyzer.VerdictClean}

func newView(r *analyzer.Report) *view {
	v := &view{
		r:           r,
		clockLayout: "15:04:05",
		Requests:    r.Summary.LBRequests,
		FiveXX:      r.Summary.LB5xx,
		Race:        r.Summary.ByCause[analyzer.CauseRace],
		Verdicts:    map[analyzer.Verdict]int{},
		Latency:     latency(r.Summary.DetachLatencySeconds),
	}
	v.Window = v.window()
	v.FiveXXPct = display.Pct(v.FiveXX, v.Requests)
	v.RacePct = display.Pct(v.Race, v.FiveXX)
	v.causes()
	v.terms()
	v.recs()
	for i := range r.Inputs {
		in := &r.Inputs[i]
		v.Inputs = append(v.Inputs, inputRow{In: in})
		v.InputRecords += in.Records
		v.InputSkipped += in.Skipped
		if in.Skipped > 0 || len(in.Problems) > 0 {
			v.InputsWithProblems++
		}
	}
	return v
}

// window formats the report's window and picks the layout of clock
// times: with the date only when the window spans days.
func (v *view) window() string {
	if display.SpansDays(v.r.Window) {
		v.clockLayout = "01-02 15:04:05"
	}
	return display.Window(v.r.Window)
}

func (v *view) causes() {
	seen := map[analyzer.Cause]bool{}
	add := func(c analyzer.Cause) {
		n := v.r.Summary.ByCause[c]
		row := causeRow{Cause: string(c), Count: n, Pct: display.Pct(n, v.FiveXX), Meaning: causeMeaning[c], Short: causeShort[c]}
		if v.FiveXX > 0 {
			row.Share = min(1, max(0, float64(n)/float64(v.FiveXX)))
		}
		v.Causes = append(v.Causes, row)
		seen[c] = true
	}
	for _, c := range analyzer.Causes {
		add(c)
	}
	// Causes a newer analyzer may add, in a stable order.
	var extra []analyzer.Cause
	for c := range v.r.Summary.ByCause {
		if !seen[c] {
			extra = append(extra, c)
		}
	}
	slices.Sort(extra)
	for _, c := range extra {
		add(c)
	}
}

func (v *view) terms() {
	r := v.r
	workloads := map[string]bool{}
	for i := range r.Terminations {
		t := &r.Terminations[i]
		v.Verdicts[t.Verdict]++
		if t.RaceErrors > 0 {
			v.RacePods++
			workloads[t.Workload] = true
		}
		row := termRow{
			T:          t,
			Deleted:    display.Dash,
			Sigterm:    offset(t.SigtermAt, t.DeletionRequestedAt, v.clockLayout),
			DetachReq:  offset(t.DetachRequestedAt, t.DeletionRequestedAt, v.clockLayout),
			DetachDone: offset(t.DetachCompletedAt, t.DeletionRequestedAt, v.clockLayout),
			LastReq:    offset(t.LastRequestAt, t.DeletionRequestedAt, v.clockLayout),
			Latency:    display.Seconds(t.DetachLatencySeconds),
			Exposure:   display.Seconds(t.ExposureSeconds),
			Exit:       display.Dash,
		}
		if t.DeletionRequestedAt != nil {
			row.Deleted = t.DeletionRequestedAt.UTC().Format(v.clockLayout)
		}
		if t.ExitCode != nil {
			row.Exit = strconv.Itoa(*t.ExitCode)
			if t.ContainerExitAt != nil {
				row.Exit += " at " + offset(t.ContainerExitAt, t.DeletionRequestedAt, v.clockLayout)
			}
		}
		v.Terms = append(v.Terms, row)
	}
	v.RaceWorkloads = len(workloads)
	slices.SortStableFunc(v.Terms, func(a, b termRow) int { return display.CompareTerminations(a.T, b.T) })
}

func (v *view) recs() {
	for i := range v.r.Recommendations {
		rec := &v.r.Recommendations[i]
		row := recRow{R: rec, PrestopNow: "unknown", GraceNow: "unknown", PrestopNew: display.Dash, GraceNew: display.Dash,
			Latency: latency(rec.DetachLatencySeconds), Terminations: display.Plural(rec.Terminations, "termination")}
		if rec.CurrentPrestopSleepSeconds != nil {
			row.PrestopNow = display.Setting(*rec.CurrentPrestopSleepSeconds)
		}
		if rec.CurrentTerminationGracePeriodSeconds != nil {
			row.GraceNow = display.Setting(float64(*rec.CurrentTerminationGracePeriodSeconds))
		}
		if rec.Action != analyzer.ActionInsufficient || rec.PrestopSleepSeconds > 0 {
			row.PrestopNew = display.Setting(float64(rec.PrestopSleepSeconds))
		}
		if rec.Action != analyzer.ActionInsufficient || rec.TerminationGracePeriodSeconds > 0 {
			row.GraceNew = display.Setting(float64(rec.TerminationGracePeriodSeconds))
		}
		v.Recs = append(v.Recs, row)
	}
}

// headline is the one-sentence answer to "how much of this was the race".
func (v *view) headline() string {
	switch {
	case v.FiveXX == 0:
		return "no LB 5xx in the window"
	case v.Race == 0:
		return "none of the " + display.Count(v.FiveXX) + " LB 5xx was caused by the NEG detach race"
	}
	s := display.Count(v.Race) + " of " + display.Count(v.FiveXX) + " LB 5xx (" + v.RacePct + ") caused by the NEG detach race"
	if v.RacePods > 0 {
		s += ", on " + display.Plural(v.RacePods, "pod") + " of " + display.Plural(v.RaceWorkloads, "workload")
	}
	return s
}

// verdictSummary formats "7 race, 1 inconclusive, 4 clean".
func (v *view) verdictSummary() string {
	var parts []string
	for _, vd := range verdicts {
		if n := v.Verdicts[vd]; n > 0 {
			parts = append(parts, display.Count(n)+" "+string(vd))
		}
	}
	other := 0
	for vd, n := range v.Verdicts {
		if !slices.Contains(verdicts, vd) {
			other += n
		}
	}
	if other > 0 {
		parts = append(parts, display.Count(other)+" other")
	}
	if len(parts) == 0 {
		return ""
	}
	s := parts[0]
	for _, p := range parts[1:] {
		s += ", " + p
	}
	return s
}
