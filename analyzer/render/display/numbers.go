package display

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Dash stands for a value the evidence did not give.
const Dash = "—"

// Count formats n with thousands separators: 1234567 → "1,234,567",
// -1234 → "-1,234".
func Count(n int) string {
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

// Pct formats n/of as a percentage with one decimal, or two significant
// digits below 0.1% so a small share never reads as 0.0%; "" when of is 0.
func Pct(n, of int) string {
	if of <= 0 {
		return ""
	}
	p := 100 * float64(n) / float64(of)
	if p > 0 && p < 0.1 {
		return fmt.Sprintf("%.2g%%", p)
	}
	return fmt.Sprintf("%.1f%%", p)
}

// Plural formats a count of a noun: "1 pod", "3 pods", "1,200 pods".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return Count(n) + " " + noun + "s"
}

// Seconds formats a measured duration in seconds, to at most two
// decimals ("12.35s", "6s"); Dash when x is nil.
func Seconds(x *float64) string {
	if x == nil {
		return Dash
	}
	return strconv.FormatFloat(math.Round(*x*100)/100, 'f', -1, 64) + "s"
}

// Setting formats a configured number of seconds as written in a pod
// spec: no trailing zeros (5 → "5s", 2.5 → "2.5s").
func Setting(x float64) string {
	return strconv.FormatFloat(math.Round(x*1000)/1000, 'f', -1, 64) + "s"
}
