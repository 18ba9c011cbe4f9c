package display

import (
	"fmt"
	"strings"
	"time"

	"github.com/negtrace/negtrace/analyzer"
)

// dayLayout is how a window's ends are written.
const dayLayout = "2006-01-02 15:04:05"

// Window formats an analysis window in UTC:
// "2025-03-04 18:10:00 → 18:24:59 UTC (15m)", with the end's date only
// when it falls on another day; "from …", "until …" or "unknown window"
// when an end is not known.
func Window(w analyzer.Window) string {
	s, e := w.Start.UTC(), w.End.UTC()
	switch {
	case s.IsZero() && e.IsZero():
		return "unknown window"
	case s.IsZero():
		return "until " + e.Format(dayLayout) + " UTC"
	case e.IsZero():
		return "from " + s.Format(dayLayout) + " UTC"
	}
	end := e.Format("15:04:05")
	if SpansDays(w) {
		end = e.Format(dayLayout)
	}
	return s.Format(dayLayout) + " → " + end + " UTC (" + span(e.Sub(s)) + ")"
}

// SpansDays reports whether both ends of w are known and fall on
// different UTC days, so that a time of day alone would be ambiguous.
func SpansDays(w analyzer.Window) bool {
	s, e := w.Start.UTC(), w.End.UTC()
	if s.IsZero() || e.IsZero() {
		return false
	}
	return s.YearDay() != e.YearDay() || s.Year() != e.Year()
}

// span formats a duration compactly, to the second: "45s", "30m",
// "1h30m5s", "2d3h". A negative duration is formatted as its magnitude.
func span(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Round(time.Second)
	days, h := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	m, s := int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	var b strings.Builder
	if days > 0 {
		fmt.Fprintf(&b, "%dd", days)
	}
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if s > 0 || b.Len() == 0 {
		fmt.Fprintf(&b, "%ds", s)
	}
	return b.String()
}
