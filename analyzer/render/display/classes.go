package display

import "github.com/negtrace/negtrace/analyzer"

// CauseClass maps a cause to its CSS class; unknown causes look like
// other.
func CauseClass(c analyzer.Cause) string {
	switch c {
	case analyzer.CauseRace:
		return "c-race"
	case analyzer.CauseBackendClosed:
		return "c-closed"
	case analyzer.CauseApplicationError:
		return "c-app"
	case analyzer.CauseNoHealthyBackend:
		return "c-nohealthy"
	}
	return "c-other"
}

// VerdictClass maps a verdict to its CSS class; unknown verdicts look
// inconclusive.
func VerdictClass(v analyzer.Verdict) string {
	switch v {
	case analyzer.VerdictRace:
		return "v-race"
	case analyzer.VerdictClean:
		return "v-clean"
	}
	return "v-inconclusive"
}

// ActionClass maps a recommendation action to its CSS class: fixing the
// preStop hook is as urgent as raising it; unknown actions look like
// insufficient data.
func ActionClass(a string) string {
	switch a {
	case analyzer.ActionRaise, analyzer.ActionFixHook:
		return "a-raise"
	case analyzer.ActionKeep:
		return "a-keep"
	case analyzer.ActionShorten:
		return "a-shorten"
	}
	return "a-insufficient"
}

// ActionLabel is a recommendation action as a person reads it.
func ActionLabel(a string) string {
	switch a {
	case analyzer.ActionInsufficient:
		return "insufficient data"
	case analyzer.ActionFixHook:
		return "fix preStop hook"
	case "":
		return "no action"
	}
	return a
}
