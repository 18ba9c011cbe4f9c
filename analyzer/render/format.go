package render

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/analyzer/render/display"
)

// latency formats percentiles on one line; "not measured" when empty.
func latency(p analyzer.Percentiles) string {
	if p.P50 == nil && p.P90 == nil && p.P99 == nil && p.Max == nil {
		return "not measured"
	}
	return fmt.Sprintf("p50 %s · p90 %s · p99 %s · max %s",
		display.Seconds(p.P50), display.Seconds(p.P90), display.Seconds(p.P99), display.Seconds(p.Max))
}

// offset formats at relative to t0 in seconds ("+12.3"). Without t0 it
// gives the absolute clock time after an "@"; without at, a dash.
func offset(at, t0 *time.Time, layout string) string {
	switch {
	case at == nil:
		return display.Dash
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
