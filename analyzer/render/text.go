package render

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/analyzer/render/display"
)

// Limits of the text format; the JSON report always has everything.
const (
	textMaxTerms    = 20 // terminations listed, most race errors first
	textMaxInputs   = 10 // inputs listed when there are more than this
	textMaxProblems = 10 // problems listed
	defaultWidth    = 100
)

// ANSI styles used when Options.Color is set.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiDim    = "\x1b[2m"
)

// Text writes the terminal summary of r: headline, 5xx by cause, detach
// latency, the terminations with the most race errors, recommendations
// with their patches, inputs that had problems, and notes. Tables are
// aligned with text/tabwriter; names are shortened in the middle to fit
// opts.Width. Strings from the evidence are stripped of control
// characters, so hostile logs cannot send escape sequences to the terminal.
func Text(w io.Writer, r *analyzer.Report, opts Options) error {
	if r == nil {
		return fmt.Errorf("render text: %w", errNilReport)
	}
	if opts.Width <= 0 {
		opts.Width = defaultWidth
	}
	bw := bufio.NewWriter(w)
	t := &textWriter{w: bw, opts: opts, v: newView(r)}
	t.summary()
	t.causes()
	t.terminations()
	t.recommendations()
	t.inputs()
	t.notes()
	t.line("%s", t.style(ansiDim, "More: negtrace analyze --format html|markdown|json"))
	if t.err != nil {
		return fmt.Errorf("render text: %w", t.err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("render text: %w", err)
	}
	return nil
}

type textWriter struct {
	w    io.Writer
	opts Options
	v    *view
	err  error
}

func (t *textWriter) line(format string, args ...any) {
	if t.err != nil {
		return
	}
	_, t.err = fmt.Fprintf(t.w, format+"\n", args...)
}

// style wraps s in an ANSI style when colours are on.
func (t *textWriter) style(code, s string) string {
	if !t.opts.Color || s == "" {
		return s
	}
	return code + s + ansiReset
}

func (t *textWriter) heading(s string) {
	t.line("")
	t.line("%s", t.style(ansiBold, s))
}

// para writes s wrapped to the width, each line indented.
func (t *textWriter) para(indent, s string) {
	for _, l := range wrap(clean(s), t.opts.Width-len(indent)) {
		t.line("%s%s", indent, l)
	}
}

// table writes aligned rows under a header. Only the last cell may carry
// colour, since escape sequences would count in the width of aligned cells.
func (t *textWriter) table(indent string, header []string, rows [][]string, lastStyle func(string) string) {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	write := func(cells []string, last string) {
		fmt.Fprintf(tw, "%s%s\t%s\n", indent, strings.Join(cells[:len(cells)-1], "\t"), last)
	}
	write(header, header[len(header)-1])
	for _, row := range rows {
		last := row[len(row)-1]
		if lastStyle != nil {
			last = lastStyle(last)
		}
		write(row, last)
	}
	if err := tw.Flush(); err != nil && t.err == nil {
		t.err = err
	}
	head, rest, _ := bytes.Cut(buf.Bytes(), []byte("\n"))
	t.line("%s", t.style(ansiBold, strings.TrimRight(string(head), " ")))
	if t.err == nil {
		_, t.err = t.w.Write(rest)
	}
}

func (t *textWriter) summary() {
	v := t.v
	t.line("%s %s", t.style(ansiBold, "negtrace"), v.Window)
	head := v.headline()
	if v.Race > 0 {
		head = t.style(ansiBold+ansiRed, head)
	}
	t.line("%s", head)
	req := "LB requests " + display.Count(v.Requests) + " · 5xx " + display.Count(v.FiveXX)
	if v.FiveXXPct != "" {
		req += " (" + v.FiveXXPct + ")"
	}
	req += " · terminations " + display.Count(v.r.Summary.Terminations)
	if s := v.verdictSummary(); s != "" {
		req += " (" + s + ")"
	}
	t.line("%s", req)
	t.line("NEG detach latency (detach done − deletion requested): %s", v.Latency)
}

func (t *textWriter) causes() {
	if t.v.FiveXX == 0 && len(t.v.r.Errors) == 0 {
		return
	}
	t.heading("5xx BY CAUSE")
	var rows [][]string
	for _, c := range t.v.Causes {
		rows = append(rows, []string{clean(c.Cause), strconv.Itoa(c.Count), c.Pct, ellipsize(c.Short, t.opts.Width-42)})
	}
	t.table("  ", []string{"CAUSE", "5xx", "SHARE", "MEANING"}, rows, nil)
}

func (t *textWriter) terminations() {
	v := t.v
	if len(v.Terms) == 0 {
		return
	}
	legend := "s after the deletion request"
	for _, row := range v.Terms {
		if row.T.DeletionRequestedAt == nil {
			legend += ", @UTC time if unknown"
			break
		}
	}
	shown := v.Terms[:min(len(v.Terms), textMaxTerms)]
	region := commonRegion(shown)
	if region != "" {
		legend += "; zones in " + region
	}
	t.heading("TERMINATIONS (" + legend + ")")
	header := []string{"POD", "WORKLOAD", "ZONE", "DELETED", "SIGTERM", "DETACHED", "LAST REQ", "RACE", "VERDICT"}
	rows := make([][]string, len(shown))
	for i, row := range shown {
		tm := row.T
		zone := tm.Zone
		if region != "" {
			zone = strings.TrimPrefix(zone, region+"-")
		}
		rows[i] = []string{podName(tm), clean(tm.Workload), clean(zone), row.Deleted, row.Sigterm,
			row.DetachDone, row.LastReq, strconv.Itoa(tm.RaceErrors), clean(string(tm.Verdict))}
	}
	fitColumns(header, rows, []int{0, 1}, []int{16, 12}, t.opts.Width-2, func(c int, s string, n int) string {
		if c == 0 {
			return shortenPod(s, n)
		}
		return ellipsize(s, n)
	})
	t.table("  ", header, rows, t.verdictStyle)
	if n := len(v.Terms) - len(shown); n > 0 {
		t.line("  … %d more, see --format json", n)
	}
}

// commonRegion is the region all known zones of rows are in
// ("europe-west1" for europe-west1-b and europe-west1-c), or "" when they
// differ, so the table can show only the zone letters.
func commonRegion(rows []termRow) string {
	region := ""
	for _, row := range rows {
		z := row.T.Zone
		if z == "" {
			continue
		}
		i := strings.LastIndexByte(z, '-')
		if i <= 0 || (region != "" && z[:i] != region) {
			return ""
		}
		region = z[:i]
	}
	return region
}

// podName is the pod's name without its namespace when the workload shows it.
func podName(t *analyzer.Termination) string {
	ns, name, ok := strings.Cut(t.Pod, "/")
	if wns, _, _ := strings.Cut(t.Workload, "/"); ok && ns == wns {
		return clean(name)
	}
	return clean(t.Pod)
}

// fitColumns shortens the cells of the shrinkable columns, in the order
// given and never below their minimum width, until a row of the widest
// cells fits in width. shorten, when set, shortens a cell of column c to n
// runes; ellipsize is used otherwise.
func fitColumns(header []string, rows [][]string, shrink, minWidth []int, width int, shorten func(c int, s string, n int) string) {
	widths := make([]int, len(header))
	for c := range header {
		widths[c] = len([]rune(header[c]))
		for _, r := range rows {
			widths[c] = max(widths[c], len([]rune(r[c])))
		}
	}
	over := 2*(len(widths)-1) - width
	for _, w := range widths {
		over += w
	}
	for i, c := range shrink {
		if over <= 0 {
			break
		}
		cut := min(over, max(0, widths[c]-minWidth[i]))
		widths[c] -= cut
		over -= cut
	}
	if shorten == nil {
		shorten = func(_ int, s string, n int) string { return ellipsize(s, n) }
	}
	for _, c := range shrink {
		for _, r := range rows {
			if len([]rune(r[c])) > widths[c] {
				r[c] = shorten(c, r[c], widths[c])
			}
		}
	}
}

// shortenPod shortens a pod name to n runes, leaving out the ReplicaSet
// hash first ("frontend-…-x2x9k"), the middle otherwise.
func shortenPod(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	last := strings.LastIndexByte(s, '-')
	if last > 0 {
		if prev := strings.LastIndexByte(s[:last], '-'); prev > 0 {
			if short := s[:prev+1] + "…" + s[last:]; len([]rune(short)) <= n {
				return short
			}
		}
	}
	return ellipsize(s, n)
}

func (t *textWriter) verdictStyle(s string) string {
	switch analyzer.Verdict(s) {
	case analyzer.VerdictRace:
		return t.style(ansiRed, s)
	case analyzer.VerdictClean:
		return t.style(ansiGreen, s)
	case analyzer.VerdictInconclusive:
		return t.style(ansiYellow, s)
	}
	return s
}

func (t *textWriter) actionStyle(s string) string {
	label := strings.ToUpper(strings.ReplaceAll(s, "_", " "))
	switch s {
	case analyzer.ActionRaise:
		return t.style(ansiBold+ansiRed, label)
	case analyzer.ActionKeep:
		return t.style(ansiGreen, label)
	case analyzer.ActionShorten:
		return t.style(ansiCyan, label)
	case analyzer.ActionInsufficient:
		return t.style(ansiYellow, label)
	}
	return label
}

func (t *textWriter) recommendations() {
	if len(t.v.Recs) == 0 {
		return
	}
	t.heading("RECOMMENDATIONS (per workload)")
	for i, row := range t.v.Recs {
		rec := row.R
		if i > 0 {
			t.line("")
		}
		t.line("  %s  %s  %s", t.style(ansiBold, clean(rec.Workload)), t.actionStyle(clean(rec.Action)), settings(row))
		t.line("    %s · detach latency %s", row.Terminations, row.Latency)
		t.line("    race errors: %s observed, %s would have been avoided", display.Count(rec.RaceErrorsObserved), display.Count(rec.RaceErrorsAvoided))
		if rec.Rationale != "" {
			t.para("    ", rec.Rationale)
		}
		if strings.TrimSpace(rec.Patch) != "" {
			t.line("    patch:")
			for _, l := range strings.Split(strings.TrimRight(rec.Patch, "\n"), "\n") {
				t.line("      %s", strings.TrimRight(clean(l), " "))
			}
		}
	}
}

// settings formats "preStop sleep 5s → 20s · terminationGracePeriodSeconds
// 30s → 50s", leaving out the arrow where nothing is recommended.
func settings(row recRow) string {
	change := func(now, next string) string {
		if next == display.Dash {
			return now
		}
		return now + " → " + next
	}
	return "preStop sleep " + change(row.PrestopNow, row.PrestopNew) +
		" · terminationGracePeriodSeconds " + change(row.GraceNow, row.GraceNew)
}

func (t *textWriter) inputs() {
	v := t.v
	if len(v.Inputs) == 0 {
		return
	}
	head := fmt.Sprintf("INPUTS (%s · %s records · %s skipped)",
		display.Plural(len(v.Inputs), "file"), display.Count(v.InputRecords), display.Count(v.InputSkipped))
	t.heading(head)
	shown := v.Inputs
	if len(shown) > textMaxInputs {
		// Too many to list: the ones with problems tell what to look at.
		shown = nil
		for _, in := range v.Inputs {
			if (in.In.Skipped > 0 || len(in.In.Problems) > 0) && len(shown) < textMaxInputs {
				shown = append(shown, in)
			}
		}
	}
	var rows [][]string
	var problems []string
	for _, row := range shown {
		in := row.In
		rows = append(rows, []string{clean(in.Path), clean(in.Kind), display.Count(in.Records), display.Count(in.Skipped)})
		problems = append(problems, in.Problems...)
	}
	if len(rows) > 0 {
		fitColumns([]string{"PATH", "KIND", "RECORDS", "SKIPPED"}, rows, []int{0}, []int{24}, t.opts.Width-2, nil)
		t.table("  ", []string{"PATH", "KIND", "RECORDS", "SKIPPED"}, rows, nil)
	}
	if n := len(v.Inputs) - len(shown); n > 0 {
		t.line("  … %d more inputs without problems, see --format json", n)
	}
	for i, p := range problems {
		if i == textMaxProblems {
			t.line("    … %d more problems, see --format json", len(problems)-i)
			break
		}
		t.line("  %s %s", t.style(ansiYellow, "!"), ellipsize(clean(p), t.opts.Width-4))
	}
}

func (t *textWriter) notes() {
	if len(t.v.r.Notes) == 0 {
		t.line("")
		return
	}
	t.heading("NOTES")
	for _, n := range t.v.r.Notes {
		lines := wrap(clean(n), t.opts.Width-4)
		for i, l := range lines {
			prefix := "    "
			if i == 0 {
				prefix = "  - "
			}
			t.line("%s%s", prefix, l)
		}
	}
	t.line("")
}
