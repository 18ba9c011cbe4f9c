package display

import (
	"testing"

	"github.com/negtrace/negtrace/analyzer"
)

func TestClasses(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{CauseClass(analyzer.CauseRace), "c-race"},
		{CauseClass(analyzer.CauseBackendClosed), "c-closed"},
		{CauseClass(analyzer.CauseApplicationError), "c-app"},
		{CauseClass(analyzer.CauseNoHealthyBackend), "c-nohealthy"},
		{CauseClass(analyzer.CauseOther), "c-other"},
		{CauseClass("from_a_newer_analyzer"), "c-other"},
		{VerdictClass(analyzer.VerdictRace), "v-race"},
		{VerdictClass(analyzer.VerdictClean), "v-clean"},
		{VerdictClass(analyzer.VerdictInconclusive), "v-inconclusive"},
		{VerdictClass("other"), "v-inconclusive"},
		{ActionClass(analyzer.ActionRaise), "a-raise"},
		{ActionClass(analyzer.ActionFixHook), "a-raise"},
		{ActionClass(analyzer.ActionKeep), "a-keep"},
		{ActionClass(analyzer.ActionShorten), "a-shorten"},
		{ActionClass(analyzer.ActionInsufficient), "a-insufficient"},
		{ActionClass(""), "a-insufficient"},
		{ActionLabel(analyzer.ActionRaise), "raise"},
		{ActionLabel(analyzer.ActionInsufficient), "insufficient data"},
		{ActionLabel(analyzer.ActionFixHook), "fix preStop hook"},
		{ActionLabel(""), "no action"},
		{ActionLabel("<b>new</b>"), "<b>new</b>"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
