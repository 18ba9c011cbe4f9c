package render

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/negtrace/negtrace/analyzer"
)

// dash stands for a value the evidence did not give.
const dash = "—"

// count formats n with thousands separators: 1234567 → "1,234,567".
func count(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// pct formats n/of as a percentage with one decimal, or two significant
// digits below 0.1% so a small share never reads as 0.0%; "" when of is 0.
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

// seconds formats a measured duration in seconds, to at most two decimals.
func seconds(x float64) string {
	return strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64) + "s"
}

// setting formats a configured number of seconds as written in a pod spec:
// no trailing zeros (5 → "5s", 2.5 → "2.5s").
func setting(x float64) string {
	return strconv.FormatFloat(math.Round(x*1000)/1000, 'f', -1, 64) + "s"
}

// secondsPtr formats an optional measured duration; dash when nil.
func secondsPtr(x *float64) string {
	if x == nil {
		return dash
	}
	return seconds(*x)
}

// latency formats percentiles on one line; "not measured" when empty.
func latency(p analyzer.Percentiles) string {
	if p.P50 == nil && p.P90 == nil && p.P99 == nil && p.Max == nil {
		return "not measured"
	}
	return fmt.Sprintf("p50 %s · p90 %s · p99 %s · max %s",
		secondsPtr(p.P50), secondsPtr(p.P90), secondsPtr(p.P99), secondsPtr(p.Max))
}

// span formats a duration compactly: "45s", "30m", "1h30m", "2d3h".
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

// offset formats at relative to t0 in seconds ("+12.3"). Without t0 it
// gives the absolute clock time after an "@"; without at, a dash.
func offset(at, t0 *time.Time, layout string) string {
	switch {
	case at == nil:
		return dash
	case t0 == nil:
		return "@" + at.UTC().Format(layout)
	}
	return fmt.Sprintf("%+.1f", at.Sub(*t0).Seconds())
}

// clean makes a string from outside safe to print on one line of a
// terminal or document: control characters (including the ESC of ANSI
// sequences and the C1 range), line and paragraph separators and invalid
// UTF-8 become a space or U+FFFD.
func clean(s string) string {
	ok := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == utf8.RuneError:
			return '\uFFFD'
		case unicode.IsControl(r), r == '\u2028', r == '\u2029':
			return ' '
		case unicode.Is(unicode.Bidi_Control, r):
			return -1
		}
		return r
	}, s)
}

// sentence capitalises the first letter of s.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// ellipsize shortens s to at most n runes by cutting its middle, where
// names differ least (namespaces lead, pod hashes trail).
func ellipsize(s string, n int) string {
	rs := []rune(s)
	if n <= 0 || len(rs) <= n {
		return s
	}
	if n == 1 {
		return "…"
	}
	head := (n - 1) / 2
	tail := n - 1 - head
	return string(rs[:head]) + "…" + string(rs[len(rs)-tail:])
}

// wrap breaks s into lines of at most width runes, on spaces where it can.
func wrap(s string, width int) []string {
	if width < 10 {
		width = 10
	}
	var lines []string
	var cur []rune
	for _, word := range strings.Fields(s) {
		w := []rune(word)
		for len(w) > width { // a word longer than a line: hard break
			if len(cur) > 0 {
				lines = append(lines, string(cur))
				cur = nil
			}
			lines = append(lines, string(w[:width]))
			w = w[width:]
		}
		switch {
		case len(cur) == 0:
			cur = w
		case len(cur)+1+len(w) <= width:
			cur = append(append(cur, ' '), w...)
		default:
			lines = append(lines, string(cur))
			cur = w
		}
	}
	if len(cur) > 0 {
		lines = append(lines, string(cur))
	}
	return lines
}
