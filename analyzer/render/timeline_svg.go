package render

import (
	"bytes"
	"fmt"
	"html/template"

	"github.com/negtrace/negtrace/analyzer"
)

// TimelineMaxLanes is the most lanes TimelineSVG (and the HTML report)
// draws; further terminations are left out, fewest race errors first.
const TimelineMaxLanes = tlMaxLanes

// TimelineOptions tune TimelineSVG. The zero value is valid.
type TimelineOptions struct {
	// LaneHref, if non-nil, makes each lane a link to the URL it returns
	// for that lane's termination (e.g. "#t-3", the termination's
	// evidence further down the page); "" leaves that lane unlinked. The
	// URL is escaped by html/template like any other attribute value.
	LaneHref func(t *analyzer.Termination) string
}

// TimelineSVG renders the lane timeline of the HTML report on its own, for
// a page to embed: an inline SVG with one lane per terminating pod (most
// race errors first, at most TimelineMaxLanes, x = seconds from each pod's
// deletion request), followed by its legend (a <ul class="legend">). Every
// mark and dot has an SVG <title> with what it shows. It is empty when no
// termination has a known deletion time.
//
// The SVG is styled by CSS classes only (those of the HTML report's
// stylesheet: svg.timeline, lane, grid, mark, m-*, dot, c-*, ...), so the
// embedding page must provide them; it carries no style attribute and no
// script. Values from the evidence are escaped by html/template.
//
// overCap is how many terminations with a known deletion time have no
// lane because TimelineMaxLanes were drawn before them.
func TimelineSVG(r *analyzer.Report, opts TimelineOptions) (svg template.HTML, overCap int, err error) {
	if r == nil {
		return "", 0, fmt.Errorf("render timeline: %w", errNilReport)
	}
	v := newView(r)
	tl := newTimeline(v.Terms, r.Errors, v.clockLayout)
	if len(tl.Lanes) == 0 {
		return "", tl.overCap, nil
	}
	if opts.LaneHref != nil {
		for i := range tl.Lanes {
			tl.Lanes[i].Href = opts.LaneHref(tl.Lanes[i].term)
		}
	}
	var buf bytes.Buffer
	if err := reportTemplate.ExecuteTemplate(&buf, "timeline", tl); err != nil {
		return "", 0, fmt.Errorf("render timeline: %w", err)
	}
	return template.HTML(buf.String()), tl.overCap, nil //nolint:gosec // produced by html/template, every value escaped
}
