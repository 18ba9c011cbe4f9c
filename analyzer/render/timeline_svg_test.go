package render

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/negtrace/negtrace/analyzer"
)

// TestTimelineSVG: the standalone timeline is the report's, with lanes
// linked where asked, escaped links, and nothing when there is no lane.
func TestTimelineSVG(t *testing.T) {
	t.Run("unlinked", func(t *testing.T) {
		got, _, err := TimelineSVG(fixtureReport(), TimelineOptions{})
		if err != nil {
			t.Fatal(err)
		}
		s := string(got)
		if !strings.HasPrefix(s, `<svg class="timeline"`) || !strings.Contains(s, `<ul class="legend">`) {
			t.Errorf("not an SVG timeline with its legend:\n%.300s", s)
		}
		if strings.Contains(s, "<a ") {
			t.Error("lanes are linked without LaneHref")
		}
		if n := strings.Count(s, `<g class="pod">`); n != 4 {
			t.Errorf("%d lanes, want 4", n)
		}
	})
	t.Run("linked", func(t *testing.T) {
		got, _, err := TimelineSVG(fixtureReport(), TimelineOptions{LaneHref: func(tm *analyzer.Termination) string {
			if strings.HasPrefix(tm.Pod, "payments/") {
				return "javascript:alert(1)"
			}
			return "#" + tm.Pod
		}})
		if err != nil {
			t.Fatal(err)
		}
		var hrefs []string
		for _, part := range strings.Split(string(got), `<a class="lanelink" href="`)[1:] {
			hrefs = append(hrefs, part[:strings.IndexByte(part, '"')])
		}
		want := []string{"#shop/frontend-7d9f8c6b5-x2x9k", "#shop/frontend-7d9f8c6b5-q8w2m", "#ZgotmplZ", "#shop/frontend-7d9f8c6b5-zt6pl"}
		if diff := cmp.Diff(want, hrefs); diff != "" {
			t.Errorf("lane links in lane order (-want +got):\n%s", diff)
		}
		if strings.Count(string(got), "</a>") != 4 {
			t.Error("links not closed")
		}
	})
	t.Run("no lanes", func(t *testing.T) {
		got, _, err := TimelineSVG(&analyzer.Report{Terminations: []analyzer.Termination{{Pod: "ns/p"}}}, TimelineOptions{})
		if err != nil || got != "" {
			t.Errorf("got %q, %v; want empty", got, err)
		}
	})
	t.Run("nil", func(t *testing.T) {
		if _, _, err := TimelineSVG(nil, TimelineOptions{}); err == nil {
			t.Error("no error for a nil report")
		}
	})
}
