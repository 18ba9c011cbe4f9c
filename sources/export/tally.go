package export

import (
	"fmt"
	"strings"
	"time"

	"github.com/negtrace/negtrace/analyzer"
)

// defaultMaxProblems is Options.MaxProblems when it is zero.
const defaultMaxProblems = 10

// tally counts what one input gave and keeps its first problems.
type tally struct {
	path     string
	kind     string
	records  int // records read, duplicates and entries outside the window included
	skipped  int // documents or lines that could not be used
	dups     int // records the collector had already seen
	outside  int // LB entries outside the collector's window
	fast     int // LB entries counted through the fast path
	bytes    int64
	problems []string
	more     int // problems past max
	max      int
}

// problem records a problem at line (0 = the whole input) without counting
// anything as skipped. Problems past max are only counted, not formatted.
func (t *tally) problem(line int, format string, args ...any) {
	if len(t.problems) >= t.max {
		t.more++
		return
	}
	where := t.path
	if line > 0 {
		where = fmt.Sprintf("%s:%d", t.path, line)
	}
	t.problems = append(t.problems, where+": "+fmt.Sprintf(format, args...))
}

// skip counts one skipped document or line and records why.
func (t *tally) skip(line int, format string, args ...any) {
	t.skipped++
	t.problem(line, format, args...)
}

// input returns the analyzer.Input for the tally.
func (t *tally) input() analyzer.Input {
	problems := make([]string, len(t.problems))
	copy(problems, t.problems)
	if t.more > 0 && len(problems) > 0 {
		problems[len(problems)-1] += fmt.Sprintf(" ... and %d more", t.more)
	}
	return analyzer.Input{Path: t.path, Kind: t.kind, Records: t.records, Skipped: t.skipped, Problems: problems}
}

// logArgs are the attributes of the per-input log line.
func (t *tally) logArgs(d time.Duration) []any {
	args := []any{"path", t.path, "kind", t.kind, "records", t.records, "skipped", t.skipped,
		"duplicates", t.dups, "outside_window", t.outside, "bytes", t.bytes, "duration", d.Round(time.Millisecond)}
	if s := d.Seconds(); s > 0 && t.bytes > 0 {
		args = append(args, "mb_per_s", float64(int(float64(t.bytes)/1e6/s*10))/10)
	}
	return args
}

// maxPrintable is the longest value from the input printed in a problem.
const maxPrintable = 200

// printable returns s as is when it is short printable ASCII, else quoted
// and cut: values from the input end up in reports and terminals.
func printable(s string) string {
	if len(s) <= maxPrintable && !strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r > '~' }) {
		return s
	}
	if len(s) > maxPrintable {
		return fmt.Sprintf("%q...", s[:maxPrintable])
	}
	return fmt.Sprintf("%q", s)
}

// maxExcerpt is the longest piece of hostile input quoted in a problem.
const maxExcerpt = 40

// excerpt quotes the start of b for a problem message.
func excerpt(b []byte) string {
	s := strings.TrimRight(string(b), "\r\n")
	if len(s) > maxExcerpt {
		return fmt.Sprintf("%q...", s[:maxExcerpt])
	}
	return fmt.Sprintf("%q", s)
}
