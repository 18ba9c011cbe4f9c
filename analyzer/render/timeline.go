package render

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/analyzer/render/display"
)

// Timeline geometry, in SVG user units (the SVG scales to the page width).
const (
	tlMaxLanes   = 40
	tlWidth      = 1000.0
	tlLabelWidth = 230.0 // left column with the pod names
	tlRight      = 16.0
	tlTop        = 28.0 // room for the axis labels
	tlLaneHeight = 20.0
	tlBottom     = 6.0
	tlDotRadius  = 3.5
	tlMinSeconds = -60.0 // the x range never extends beyond these; errors
	tlMaxSeconds = 600.0 // further from the deletion are not drawn
	tlLabelRunes = 34
)

// timeline is the geometry of the SVG timeline: one lane per terminating
// pod, x = seconds relative to that pod's deletion request, so lanes line
// up on the deletion (x = 0) whatever their absolute time. All coordinates
// are computed here; the template only prints them.
type timeline struct {
	Width, Height  float64
	PlotX0, PlotX1 float64
	AxisY          float64
	Ticks          []tlTick
	Lanes          []tlLane
	Omitted        int    // terminations without a lane: over the cap, or deletion time unknown
	overCap        int    // of Omitted, those with a known deletion time, left out by the cap
	OmittedText    string // "3 terminations"
	From, To       float64
}

// tlTick is one vertical grid line with its label.
type tlTick struct {
	X     float64
	Label string
	Zero  bool // the deletion line
}

// tlLane is one pod.
type tlLane struct {
	Y, TextY     float64 // lane centre, label baseline
	BgY, BgH     float64
	Even         bool
	Label, Title string
	Href         string  // if set, the lane links there (TimelineSVG's LaneHref)
	LineX0       float64 // lane line, from the earliest to the latest mark
	LineX1       float64
	Detach       *tlBand // detach requested → completed
	Marks        []tlMark
	Dots         []tlDot
	term         *analyzer.Termination // the termination drawn in this lane
}

// tlBand is a horizontal bar across the lane.
type tlBand struct {
	X, Y, W, H float64
	Title      string
}

// tlMark is a short vertical tick on a lane.
type tlMark struct {
	X, Y1, Y2 float64
	Class     string
	Title     string
}

// tlDot is one or more LB errors of the same cause at (almost) the same x.
type tlDot struct {
	CX, CY, R float64
	Class     string
	Title     string
}

// newTimeline lays out the terminations in display order (most race
// errors first), up to tlMaxLanes of those whose deletion time is known,
// with the errors of r matched to them by pod.
func newTimeline(terms []termRow, errs []analyzer.ErrorVerdict, clockLayout string) *timeline {
	tl := &timeline{Width: tlWidth, PlotX0: tlLabelWidth, PlotX1: tlWidth - tlRight, AxisY: tlTop - 6}
	var drawn []*analyzer.Termination
	for _, row := range terms {
		if row.T.DeletionRequestedAt == nil || len(drawn) == tlMaxLanes {
			tl.Omitted++
			if row.T.DeletionRequestedAt != nil {
				tl.overCap++
			}
			continue
		}
		drawn = append(drawn, row.T)
	}
	errsOf := matchErrors(drawn, terms, errs)
	for i, t := range drawn {
		errsOf[i] = slices.DeleteFunc(errsOf[i], func(e *analyzer.ErrorVerdict) bool {
			s := e.Timestamp.Sub(*t.DeletionRequestedAt).Seconds()
			return s < tlMinSeconds || s > tlMaxSeconds
		})
	}

	// The x range covers every mark and error, within [tlMinSeconds, tlMaxSeconds].
	lo, hi := 0.0, 10.0
	see := func(s float64) { lo, hi = math.Min(lo, s), math.Max(hi, s) }
	for i, t := range drawn {
		for _, at := range []*time.Time{t.SigtermAt, t.DetachRequestedAt, t.DetachCompletedAt, t.LastRequestAt} {
			if at != nil {
				see(at.Sub(*t.DeletionRequestedAt).Seconds())
			}
		}
		for _, e := range errsOf[i] {
			see(e.Timestamp.Sub(*t.DeletionRequestedAt).Seconds())
		}
	}
	lo, hi = math.Max(lo, tlMinSeconds), math.Min(hi, tlMaxSeconds)
	step := tickStep(hi - lo)
	tl.From, tl.To = math.Floor(lo/step)*step, math.Ceil(hi/step)*step
	// Keep marks off the edges: a step of room before the deletion and
	// after the latest mark.
	tl.From = math.Min(tl.From, -step)
	if tl.To == hi {
		tl.To += step
	}
	for s := tl.From; s <= tl.To+step/2; s += step {
		label := fmt.Sprintf("%+gs", s)
		if s == 0 {
			label = "0"
		}
		tl.Ticks = append(tl.Ticks, tlTick{X: tl.x(s), Label: label, Zero: s == 0})
	}

	for i, t := range drawn {
		tl.Lanes = append(tl.Lanes, tl.lane(i, t, errsOf[i], clockLayout))
	}
	tl.OmittedText = display.Plural(tl.Omitted, "termination")
	tl.Height = round1(tlTop + float64(len(drawn))*tlLaneHeight + tlBottom)
	return tl
}

// matchErrors gives, for each drawn termination, the errors that name its
// pod. A pod name can be terminated more than once (StatefulSets reuse
// names), so an error goes to the termination of that pod whose deletion
// is nearest to it, among all terminations, drawn or not.
func matchErrors(drawn []*analyzer.Termination, terms []termRow, errs []analyzer.ErrorVerdict) [][]*analyzer.ErrorVerdict {
	out := make([][]*analyzer.ErrorVerdict, len(drawn))
	lane := map[*analyzer.Termination]int{}
	for i, t := range drawn {
		lane[t] = i
	}
	byPod := map[string][]*analyzer.Termination{}
	for _, row := range terms {
		if row.T.DeletionRequestedAt != nil {
			byPod[row.T.Pod] = append(byPod[row.T.Pod], row.T)
		}
	}
	for i := range errs {
		e := &errs[i]
		if e.Pod == nil {
			continue
		}
		var best *analyzer.Termination
		var bestGap time.Duration
		for _, t := range byPod[*e.Pod] {
			gap := e.Timestamp.Sub(*t.DeletionRequestedAt).Abs()
			if best == nil || gap < bestGap {
				best, bestGap = t, gap
			}
		}
		if l, ok := lane[best]; ok && best != nil {
			out[l] = append(out[l], e)
		}
	}
	return out
}

// tickStep picks a grid step giving at most about 12 lines over span seconds.
func tickStep(span float64) float64 {
	for _, s := range []float64{1, 2, 5, 10, 15, 30, 60, 120} {
		if span/s <= 12 {
			return s
		}
	}
	return 300
}

// x maps seconds to an x coordinate, clamped to the plot.
func (tl *timeline) x(s float64) float64 {
	s = math.Max(tl.From, math.Min(tl.To, s))
	return round1(tl.PlotX0 + (s-tl.From)/(tl.To-tl.From)*(tl.PlotX1-tl.PlotX0))
}

func (tl *timeline) lane(i int, t *analyzer.Termination, errs []*analyzer.ErrorVerdict, clockLayout string) tlLane {
	t0 := *t.DeletionRequestedAt
	top := tlTop + float64(i)*tlLaneHeight
	y := round1(top + tlLaneHeight/2)
	l := tlLane{
		Y: y, TextY: round1(y + 4), BgY: top, BgH: tlLaneHeight, Even: i%2 == 0,
		Label: ellipsize(t.Pod, tlLabelRunes),
		Title: fmt.Sprintf("%s (%s) · %s · %s · deletion requested %s UTC", t.Pod, t.Workload, t.Verdict,
			display.Plural(t.RaceErrors, "race error"), t0.UTC().Format(clockLayout)),
		term: t,
	}
	rel := func(at *time.Time) float64 { return at.Sub(t0).Seconds() }
	minX, maxX := tl.x(0), tl.x(0)
	mark := func(at *time.Time, class, what string) {
		if at == nil {
			return
		}
		x := tl.x(rel(at))
		minX, maxX = math.Min(minX, x), math.Max(maxX, x)
		l.Marks = append(l.Marks, tlMark{X: x, Y1: round1(y - 7), Y2: round1(y + 7), Class: class,
			Title: fmt.Sprintf("%s %+.1fs (%s UTC)", what, rel(at), at.UTC().Format(clockLayout+".000"))})
	}
	mark(&t0, "m-del", "deletion requested")
	mark(t.SigtermAt, "m-sigterm", "SIGTERM (estimated)")
	mark(t.DetachRequestedAt, "m-detach-req", "NEG detach requested")
	mark(t.DetachCompletedAt, "m-detach-done", "NEG detach completed")
	mark(t.LastRequestAt, "m-last", "last request from the LB")
	if t.DetachRequestedAt != nil && t.DetachCompletedAt != nil {
		x0, x1 := tl.x(rel(t.DetachRequestedAt)), tl.x(rel(t.DetachCompletedAt))
		l.Detach = &tlBand{X: math.Min(x0, x1), Y: round1(y - 3), W: round1(math.Abs(x1 - x0)), H: 6,
			Title: fmt.Sprintf("NEG detach in progress: %+.1fs → %+.1fs", rel(t.DetachRequestedAt), rel(t.DetachCompletedAt))}
	}
	l.Dots, minX, maxX = tl.dots(errs, t0, y, minX, maxX)
	l.LineX0, l.LineX1 = minX, maxX
	return l
}

// dots groups a lane's errors by cause and pixel, so thousands of errors
// stay a few hundred circles, each with a tooltip that counts them.
func (tl *timeline) dots(errs []*analyzer.ErrorVerdict, t0 time.Time, y, minX, maxX float64) ([]tlDot, float64, float64) {
	type key struct {
		class string
		px    int
	}
	type group struct {
		first, last *analyzer.ErrorVerdict
		n           int
		x           float64
	}
	var order []key
	groups := map[key]*group{}
	for _, e := range errs {
		x := tl.x(e.Timestamp.Sub(t0).Seconds())
		k := key{display.CauseClass(e.Cause), int(x / 3)}
		g, ok := groups[k]
		if !ok {
			g = &group{first: e, x: x}
			groups[k] = g
			order = append(order, k)
		}
		g.n++
		g.last = e
		minX, maxX = math.Min(minX, x), math.Max(maxX, x)
	}
	dots := make([]tlDot, 0, len(order))
	for _, k := range order {
		g := groups[k]
		e := g.first
		title := fmt.Sprintf("%s at %+.1fs: %d %s", e.Cause, e.Timestamp.Sub(t0).Seconds(), e.Status, e.StatusDetails)
		if g.n > 1 {
			title = fmt.Sprintf("%d× %s, %+.1fs … %+.1fs: %d %s", g.n, e.Cause,
				e.Timestamp.Sub(t0).Seconds(), g.last.Timestamp.Sub(t0).Seconds(), e.Status, e.StatusDetails)
		}
		dots = append(dots, tlDot{CX: g.x, CY: y, R: tlDotRadius, Class: k.class, Title: title})
	}
	return dots, minX, maxX
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
