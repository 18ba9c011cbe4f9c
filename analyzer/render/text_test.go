package render

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/negtrace/negtrace/analyzer"
)

// section returns the lines of the text section whose heading starts
// with title, up to the next blank line.
func section(out, title string) []string {
	var lines []string
	in := false
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, title):
			in = true
		case in && l == "":
			return lines
		case in:
			lines = append(lines, l)
		}
	}
	return lines
}

func renderText(t *testing.T, r *analyzer.Report, opts Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Text(&buf, r, opts); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestTextTerminationsLimit(t *testing.T) {
	r := fixtureReport()
	for i := range 25 {
		r.Terminations = append(r.Terminations, analyzer.Termination{
			Pod: fmt.Sprintf("shop/frontend-7d9f8c6b5-n%04d", i), Workload: "shop/frontend", Zone: "europe-west1-b",
			DeletionRequestedAt: at(float64(1000 + i)), RaceErrors: i % 7, Verdict: analyzer.VerdictRace,
		})
	}
	lines := section(renderText(t, r, Options{}), "TERMINATIONS")
	// header + 20 rows + "… more"
	if len(lines) != 22 {
		t.Fatalf("%d lines:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	if want := "  … 10 more, see --format json"; lines[21] != want {
		t.Errorf("last line %q, want %q", lines[21], want)
	}
	// The 20 shown are those with the most race errors, in that order:
	// 3×6, 3×5, 3×4, 5×3, 5×2 and one of the five with 1.
	prev := 1 << 30
	for _, l := range lines[1:21] {
		f := strings.Fields(l)
		n, err := strconv.Atoi(f[len(f)-2])
		if err != nil || n > prev || n < 1 {
			t.Errorf("row with %s race errors after one with %d: %q", f[len(f)-2], prev, l)
		}
		prev = n
	}
}

func TestTextWidth(t *testing.T) {
	for _, width := range []int{100, 120, 200} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			out := renderText(t, fixtureReport(), Options{Width: width})
			for _, l := range section(out, "TERMINATIONS")[1:] {
				if n := len([]rune(l)); n > width {
					t.Errorf("row of %d runes wider than %d: %q", n, width, l)
				}
			}
			full := strings.Contains(out, "frontend-7d9f8c6b5-x2x9k")
			if full != (width >= 120) {
				t.Errorf("full pod name shown = %v at width %d", full, width)
			}
			for _, l := range section(out, "RECOMMENDATIONS") {
				if strings.HasPrefix(l, "    The LB") && len([]rune(l)) > width {
					t.Errorf("rationale line wider than %d: %q", width, l)
				}
			}
		})
	}
}

func TestTextInputsWithProblems(t *testing.T) {
	r := fixtureReport()
	for i := range 20 {
		r.Inputs = append(r.Inputs, analyzer.Input{Path: fmt.Sprintf("incident/part-%02d.json", i), Kind: "cloud_logging", Records: 10})
	}
	lines := section(renderText(t, r, Options{}), "INPUTS")
	got := strings.Join(lines, "\n")
	if strings.Contains(got, "part-") || strings.Contains(got, "pods.json") {
		t.Errorf("inputs without problems listed:\n%s", got)
	}
	for _, want := range []string{"incident/events.json", "incident/notes.txt", "… 22 more inputs without problems", "! incident/notes.txt:1: not JSON"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}
