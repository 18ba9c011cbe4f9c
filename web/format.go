package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/negtrace/negtrace/analyzer"
)

// dash stands for a value the evidence did not give.
const dash = "—"

// count formats n with thousands separators: 1234567 → "1,234,567".
func count(n int) string {
	s := strconv.Itoa(n)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return sign + b.String()
}

// pct formats n/of as a percentage; "" when of is 0.
func pct(n, of int) string {
	if of <= 0 {
		return ""
	}
	p := 100 * float64(n) / float64(of)
	if p > 0 && p < 0.1 {
		return fmt.Sprintf("%.2g%%", p)
	}
	return fmt.Sprintf("%.1f%%", p)
}

// plural formats "1 pod", "3 pods".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return count(n) + " " + noun + "s"
}

// seconds formats a duration in seconds to at most two decimals; dash when nil.
func seconds(x *float64) string {
	if x == nil {
		return dash
	}
	return strconv.FormatFloat(math.Round(*x*100)/100, 'f', -1, 64) + "s"
}

// setting formats a configured number of seconds: "25s", "2.5s".
func setting(x float64) string {
	return strconv.FormatFloat(math.Round(x*1000)/1000, 'f', -1, 64) + "s"
}

// settingOf formats a configured number of seconds of any of the types
// the report uses; "unknown" for a nil pointer.
func settingOf(v any) string {
	switch x := v.(type) {
	case int:
		return setting(float64(x))
	case int64:
		return setting(float64(x))
	case float64:
		return setting(x)
	case *int64:
		if x != nil {
			return setting(float64(*x))
		}
	case *float64:
		if x != nil {
			return setting(*x)
		}
	default:
		return fmt.Sprint(v)
	}
	return "unknown"
}

// clock formats a time in UTC for tables: "2025-03-04 18:13:38".
func clock(t time.Time) string {
	if t.IsZero() {
		return dash
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

// clockMillis formats a time in UTC with milliseconds.
func clockMillis(t time.Time) string {
	if t.IsZero() {
		return dash
	}
	return t.UTC().Format("2006-01-02 15:04:05.000")
}

// inputTime formats a time as an HTML datetime-local value (UTC); "" for zero.
func inputTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05")
}

// offset formats at relative to ref: "+12.7s"; dash when either is unknown.
func offset(at, ref *time.Time) string {
	if at == nil || ref == nil {
		return dash
	}
	return fmt.Sprintf("%+.1fs", at.Sub(*ref).Seconds())
}

// windowText formats a window: "2025-03-04 18:10:00 → 18:24:59 UTC (15m)".
func windowText(w analyzer.Window) string {
	s, e := w.Start.UTC(), w.End.UTC()
	const day = "2006-01-02 15:04:05"
	switch {
	case s.IsZero() && e.IsZero():
		return "unknown window"
	case s.IsZero():
		return "until " + e.Format(day) + " UTC"
	case e.IsZero():
		return "from " + s.Format(day) + " UTC"
	}
	end := e.Format(day)
	if s.YearDay() == e.YearDay() && s.Year() == e.Year() {
		end = e.Format("15:04:05")
	}
	return s.Format(day) + " → " + end + " UTC (" + span(e.Sub(s)) + ")"
}

// span formats a duration compactly: "45s", "30m", "1h30m", "2d3h".
func span(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		if d%time.Minute == 0 || d >= 10*time.Minute {
			return fmt.Sprintf("%dm", int(d.Round(time.Minute).Minutes()))
		}
		return fmt.Sprintf("%dm%ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		h, m := int(d.Hours()), int(d.Round(time.Minute).Minutes())%60
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh%dm", h, m)
	}
	return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
}

// causeClass maps a cause to its CSS class (the render package's names).
func causeClass(c analyzer.Cause) string {
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

// verdictClass maps a verdict to its CSS class.
func verdictClass(v analyzer.Verdict) string {
	switch v {
	case analyzer.VerdictRace:
		return "v-race"
	case analyzer.VerdictClean:
		return "v-clean"
	}
	return "v-inconclusive"
}

// actionClass maps a recommendation action to its CSS class.
func actionClass(a string) string {
	switch a {
	case "raise", "fix_prestop_hook":
		return "a-raise"
	case "keep":
		return "a-keep"
	case "shorten":
		return "a-shorten"
	}
	return "a-insufficient"
}

// actionLabel is an action as a person reads it.
func actionLabel(a string) string {
	switch a {
	case "insufficient_data":
		return "insufficient data"
	case "fix_prestop_hook":
		return "fix preStop hook"
	case "":
		return "no action"
	}
	return a
}

// stateClass maps a source state to its CSS class.
func stateClass(s string) string {
	switch s {
	case analyzer.SourceOK:
		return "s-ok"
	case analyzer.SourceDegraded:
		return "s-degraded"
	}
	return "s-down"
}
