package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/negtrace/negtrace/analyzer"
)

// TestHTMLActions checks each recommendation action gets the class and
// label the web UI gives it (display.ActionClass, display.ActionLabel).
func TestHTMLActions(t *testing.T) {
	for _, tc := range []struct{ action, want string }{
		{analyzer.ActionRaise, `<span class="action a-raise">raise</span>`},
		{analyzer.ActionFixHook, `<span class="action a-raise">fix preStop hook</span>`},
		{analyzer.ActionKeep, `<span class="action a-keep">keep</span>`},
		{analyzer.ActionShorten, `<span class="action a-shorten">shorten</span>`},
		{analyzer.ActionInsufficient, `<span class="action a-insufficient">insufficient data</span>`},
	} {
		t.Run(tc.action, func(t *testing.T) {
			r := fixtureReport()
			r.Recommendations[0].Action = tc.action
			var buf bytes.Buffer
			if err := HTML(&buf, r, goldenOptions); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(buf.String(), tc.want) {
				t.Errorf("HTML lacks %s", tc.want)
			}
		})
	}
}
