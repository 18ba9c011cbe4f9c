package render

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/negtrace/negtrace/analyzer"
)

func TestTimelineFixture(t *testing.T) {
	r := fixtureReport()
	v := newView(r)
	tl := newTimeline(v.Terms, r.Errors, v.clockLayout)

	// Race lanes first; the pod without a deletion time has no lane.
	var labels []string
	for _, l := range tl.Lanes {
		labels = append(labels, l.Label)
	}
	want := []string{"shop/frontend-7d9f8c6b5-x2x9k", "shop/frontend-7d9f8c6b5-q8w2m",
		"payments/api-5c8d7f9b4-mm2kd", "shop/frontend-7d9f8c6b5-zt6pl"}
	if diff := cmp.Diff(want, labels); diff != "" {
		t.Errorf("lanes (-want +got):\n%s", diff)
	}
	if tl.Omitted != 1 {
		t.Errorf("Omitted = %d, want 1 (deletion unknown)", tl.Omitted)
	}

	// The deletion mark of every lane sits on the zero grid line.
	var zero float64
	for _, tick := range tl.Ticks {
		if tick.Zero {
			zero = tick.X
		}
	}
	if zero <= tl.PlotX0 {
		t.Fatalf("no zero tick inside the plot: %+v", tl.Ticks)
	}
	for _, l := range tl.Lanes {
		if l.Marks[0].Class != "m-del" || l.Marks[0].X != zero {
			t.Errorf("%s: first mark %+v, want m-del at x=%v", l.Label, l.Marks[0], zero)
		}
	}

	// Lane 0 (x2x9k, deleted at +300s) has its three race errors, two of
	// them 50ms apart merged into one dot; its keep-alive error 258s
	// before the deletion is out of range and not drawn.
	var dots []string
	for _, d := range tl.Lanes[0].Dots {
		dots = append(dots, d.Class+" "+d.Title)
	}
	wantDots := []string{
		"c-race 2× neg_detach_race, +6.1s … +6.2s: 502 failed_to_connect_to_backend",
		"c-race neg_detach_race at +11.7s: 502 failed_to_connect_to_backend",
	}
	if diff := cmp.Diff(wantDots, dots); diff != "" {
		t.Errorf("lane 0 dots (-want +got):\n%s", diff)
	}
	// One second is the same number of units everywhere.
	scale := (tl.PlotX1 - tl.PlotX0) / (tl.To - tl.From)
	if got, want := tl.Lanes[0].Dots[1].CX-zero, round1(11.7*scale); abs(got-want) > 0.2 {
		t.Errorf("dot at +11.7s is %v units from zero, want %v", got, want)
	}
	checkInside(t, tl)
}

func abs(x float64) float64 { return max(x, -x) }

// checkInside checks every coordinate is within the SVG.
func checkInside(t *testing.T, tl *timeline) {
	t.Helper()
	in := func(what string, x, y float64) {
		if x < 0 || x > tl.Width || y < 0 || y > tl.Height {
			t.Errorf("%s at (%v, %v) outside %vx%v", what, x, y, tl.Width, tl.Height)
		}
	}
	for _, tick := range tl.Ticks {
		in("tick "+tick.Label, tick.X, tl.AxisY)
	}
	for _, l := range tl.Lanes {
		in("lane "+l.Label, l.LineX0, l.Y)
		in("lane "+l.Label, l.LineX1, l.BgY+l.BgH)
		for _, m := range l.Marks {
			in(m.Title, m.X, m.Y2)
		}
		for _, d := range l.Dots {
			in(d.Title, d.CX, d.CY)
		}
		if b := l.Detach; b != nil {
			in(b.Title, b.X+b.W, b.Y+b.H)
		}
	}
}

// TestTimelineCap: many terminations give at most tlMaxLanes lanes, the
// ones with race errors first whatever their order in the report.
func TestTimelineCap(t *testing.T) {
	r := &analyzer.Report{}
	for i := range 60 {
		tm := analyzer.Termination{Pod: fmt.Sprintf("ns/p-%02d", i), DeletionRequestedAt: at(float64(i)),
			DetachCompletedAt: at(float64(i) + 700), Verdict: analyzer.VerdictClean}
		if i >= 50 {
			tm.RaceErrors, tm.Verdict = i, analyzer.VerdictRace
		}
		r.Terminations = append(r.Terminations, tm)
	}
	v := newView(r)
	tl := newTimeline(v.Terms, nil, v.clockLayout)
	if len(tl.Lanes) != tlMaxLanes || tl.Omitted != 60-tlMaxLanes {
		t.Fatalf("%d lanes, %d omitted; want %d, %d", len(tl.Lanes), tl.Omitted, tlMaxLanes, 60-tlMaxLanes)
	}
	if tl.Lanes[0].Label != "ns/p-59" || tl.Lanes[9].Label != "ns/p-50" || tl.Lanes[10].Label != "ns/p-00" {
		t.Errorf("lane order: %q %q %q", tl.Lanes[0].Label, tl.Lanes[9].Label, tl.Lanes[10].Label)
	}
	// Detach at +700s is past the range: clamped to the edge, not beyond.
	if tl.To > tlMaxSeconds+tickStep(tlMaxSeconds) {
		t.Errorf("range extends to %v", tl.To)
	}
	checkInside(t, tl)
}

// TestTimelineReusedName: a StatefulSet pod name terminated twice; each
// error goes to the termination whose deletion is nearest.
func TestTimelineReusedName(t *testing.T) {
	r := &analyzer.Report{
		Terminations: []analyzer.Termination{
			{Pod: "db/web-0", DeletionRequestedAt: at(0), RaceErrors: 1, Verdict: analyzer.VerdictRace},
			{Pod: "db/web-0", DeletionRequestedAt: at(400), RaceErrors: 1, Verdict: analyzer.VerdictRace},
		},
		Errors: []analyzer.ErrorVerdict{
			{Timestamp: *at(3), Status: 502, Cause: analyzer.CauseRace, Pod: ptr("db/web-0")},
			{Timestamp: *at(405), Status: 502, Cause: analyzer.CauseRace, Pod: ptr("db/web-0")},
			{Timestamp: *at(5), Status: 502, Cause: analyzer.CauseRace, Pod: ptr("db/web-1")},
		},
	}
	v := newView(r)
	tl := newTimeline(v.Terms, r.Errors, v.clockLayout)
	if len(tl.Lanes) != 2 {
		t.Fatalf("%d lanes", len(tl.Lanes))
	}
	for i, want := range []string{"+3.0s", "+5.0s"} {
		dots := tl.Lanes[i].Dots
		if len(dots) != 1 || !strings.Contains(dots[0].Title, want) {
			t.Errorf("lane %d dots %+v, want one at %s", i, dots, want)
		}
	}
}

// TestTimelineManyErrors: thousands of errors stay a bounded number of dots.
func TestTimelineManyErrors(t *testing.T) {
	r := &analyzer.Report{Terminations: []analyzer.Termination{{Pod: "ns/p", DeletionRequestedAt: at(0), RaceErrors: 5000}}}
	for i := range 5000 {
		r.Errors = append(r.Errors, analyzer.ErrorVerdict{Timestamp: base.Add(time.Duration(i) * 2 * time.Millisecond),
			Status: 502, Cause: analyzer.CauseRace, Pod: ptr("ns/p")})
	}
	v := newView(r)
	tl := newTimeline(v.Terms, r.Errors, v.clockLayout)
	dots := tl.Lanes[0].Dots
	if len(dots) > 300 {
		t.Errorf("%d dots for 5000 errors over 10s", len(dots))
	}
	total := 0
	for _, d := range dots {
		n := 1
		fmt.Sscanf(d.Title, "%d×", &n)
		total += n
	}
	if total != 5000 {
		t.Errorf("dots count %d errors, want 5000", total)
	}
}

func TestTickStep(t *testing.T) {
	for _, tc := range []struct{ span, want float64 }{{10, 1}, {20, 2}, {60, 5}, {100, 10}, {660, 60}, {5000, 300}} {
		if got := tickStep(tc.span); got != tc.want {
			t.Errorf("tickStep(%v) = %v, want %v", tc.span, got, tc.want)
		}
	}
}
