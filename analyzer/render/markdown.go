package render

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/analyzer/render/display"
)

// Limits of the Markdown format; the JSON report always has everything.
const (
	mdMaxTerms    = 200
	mdMaxEvidence = 50 // terminations whose evidence is listed
	mdMaxErrors   = 200
	mdMaxProblems = 20 // per input
)

// Markdown writes r as a postmortem-ready document: summary, 5xx by
// cause, recommendations with YAML patches, terminations, the first
// errors, inputs and their problems, and notes. Every value taken from
// the evidence is escaped, so it shows as text and never as markup, a
// link or an HTML tag.
func Markdown(w io.Writer, r *analyzer.Report, opts Options) error {
	if r == nil {
		return fmt.Errorf("render markdown: %w", errNilReport)
	}
	bw := bufio.NewWriter(w)
	m := &mdWriter{w: bw, v: newView(r)}
	m.summary()
	m.causes()
	m.recommendations()
	m.terminations()
	m.errors()
	m.inputs()
	m.notes()
	m.footer(opts)
	if m.err != nil {
		return fmt.Errorf("render markdown: %w", m.err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("render markdown: %w", err)
	}
	return nil
}

type mdWriter struct {
	w   io.Writer
	v   *view
	err error
}

func (m *mdWriter) line(format string, args ...any) {
	if m.err != nil {
		return
	}
	_, m.err = fmt.Fprintf(m.w, format+"\n", args...)
}

// row writes one table row of already escaped cells.
func (m *mdWriter) row(cells ...string) {
	m.line("| %s |", strings.Join(cells, " | "))
}

// header writes a table header; a trailing ":" on a name aligns it right.
func (m *mdWriter) header(names ...string) {
	seps := make([]string, len(names))
	for i, n := range names {
		seps[i] = "---"
		if strings.HasSuffix(n, ":") {
			names[i], seps[i] = strings.TrimSuffix(n, ":"), "---:"
		}
	}
	m.row(names...)
	m.row(seps...)
}

func (m *mdWriter) summary() {
	v := m.v
	m.line("# NEG detach race report: %s", mdEscape(v.Window))
	m.line("")
	m.line("**%s.**", mdEscape(sentence(v.headline())))
	m.line("")
	m.header("", "")
	fiveXX := display.Count(v.FiveXX)
	if v.FiveXXPct != "" {
		fiveXX += " (" + v.FiveXXPct + " of requests)"
	}
	race := display.Count(v.Race)
	if v.RacePct != "" {
		race += " (" + v.RacePct + " of 5xx)"
	}
	terms := display.Count(v.r.Summary.Terminations)
	if s := v.verdictSummary(); s != "" {
		terms += " (" + s + ")"
	}
	m.row("Window", mdEscape(v.Window))
	m.row("LB requests", display.Count(v.Requests))
	m.row("LB 5xx", fiveXX)
	m.row("Caused by the NEG detach race", race)
	m.row("Pod terminations", terms)
	m.row("NEG detach latency (detach done − deletion requested)", v.Latency)
}

func (m *mdWriter) causes() {
	if m.v.FiveXX == 0 && len(m.v.r.Errors) == 0 {
		return
	}
	m.line("")
	m.line("## 5xx by cause")
	m.line("")
	m.header("Cause", "5xx:", "Share:", "Meaning")
	for _, c := range m.v.Causes {
		m.row(mdCode(c.Cause), display.Count(c.Count), c.Pct, mdEscape(c.Meaning))
	}
}

func (m *mdWriter) recommendations() {
	if len(m.v.Recs) == 0 {
		return
	}
	m.line("")
	m.line("## Recommendations")
	for _, row := range m.v.Recs {
		rec := row.R
		m.line("")
		m.line("### %s: %s", mdEscape(rec.Workload), mdEscape(strings.ReplaceAll(rec.Action, "_", " ")))
		m.line("")
		m.header("Setting", "Current", "Recommended")
		m.row("preStop sleep", row.PrestopNow, row.PrestopNew)
		m.row("terminationGracePeriodSeconds", row.GraceNow, row.GraceNew)
		m.line("")
		m.line("- Terminations: %d; NEG detach latency: %s", rec.Terminations, row.Latency)
		m.line("- Race errors: %s observed, %s would have been avoided with the recommended sleep",
			display.Count(rec.RaceErrorsObserved), display.Count(rec.RaceErrorsAvoided))
		if rec.Rationale != "" {
			m.line("")
			m.line("%s", mdEscape(rec.Rationale))
		}
		if strings.TrimSpace(rec.Patch) != "" {
			fence := mdFence(rec.Patch)
			m.line("")
			m.line("%syaml", fence)
			for _, l := range strings.Split(strings.TrimRight(rec.Patch, "\n"), "\n") {
				m.line("%s", strings.TrimRight(clean(l), " "))
			}
			m.line("%s", fence)
		}
	}
}

func (m *mdWriter) terminations() {
	v := m.v
	if len(v.Terms) == 0 {
		return
	}
	m.line("")
	m.line("## Pod terminations")
	m.line("")
	shown := v.Terms[:min(len(v.Terms), mdMaxTerms)]
	note := "Most race errors first. Times are seconds from the deletion request; @time (UTC) where that is unknown."
	if len(shown) < len(v.Terms) {
		note += fmt.Sprintf(" The first %d of %d; the JSON report has all.", len(shown), len(v.Terms))
	}
	m.line("%s", note)
	m.line("")
	m.header("Pod", "Workload", "Zone", "Deleted (UTC)", "SIGTERM:", "Detach requested:", "Detach done:",
		"Last request:", "Detach latency:", "Exit", "Race errors:", "Verdict")
	for _, row := range shown {
		t := row.T
		m.row(mdCode(t.Pod), mdCode(t.Workload), mdCode(t.Zone), row.Deleted, row.Sigterm, row.DetachReq,
			row.DetachDone, row.LastReq, row.Latency, row.Exit, strconv.Itoa(t.RaceErrors), mdEscape(string(t.Verdict)))
	}
	m.evidence(shown)
}

// evidence lists the evidence of the terminations that need a look
// (verdict race or inconclusive).
func (m *mdWriter) evidence(shown []termRow) {
	n := 0
	for _, row := range shown {
		t := row.T
		if t.Verdict == analyzer.VerdictClean || len(t.Evidence) == 0 {
			continue
		}
		if n == 0 {
			m.line("")
			m.line("### Evidence")
		}
		if n == mdMaxEvidence {
			m.line("")
			m.line("Evidence of further terminations is in the JSON report.")
			break
		}
		n++
		m.line("")
		m.line("**%s** (%s, %s):", mdEscape(t.Pod), mdEscape(string(t.Verdict)), display.Plural(t.RaceErrors, "race error"))
		m.line("")
		for _, e := range t.Evidence {
			m.line("- %s", mdEscape(e))
		}
	}
}

func (m *mdWriter) errors() {
	errs := m.v.r.Errors
	if len(errs) == 0 {
		return
	}
	shown := errs[:min(len(errs), mdMaxErrors)]
	m.line("")
	m.line("## LB 5xx")
	m.line("")
	if len(shown) < len(errs) {
		m.line("The first %d of %s; the JSON report has all.", len(shown), display.Count(len(errs)))
		m.line("")
	}
	m.header("Time (UTC)", "Status:", "Status details", "Cause", "Pod", "After deletion:", "Server IP",
		"Backend service", "URL", "User agent", "Reason")
	layout := m.v.clockLayout + ".000"
	for _, e := range shown {
		pod, after := display.Dash, display.Dash
		if e.Pod != nil {
			pod = mdCode(*e.Pod)
		}
		if e.SecondsAfterDeletion != nil {
			after = fmt.Sprintf("%+.1fs", *e.SecondsAfterDeletion)
		}
		m.row(e.Timestamp.UTC().Format(layout), strconv.Itoa(e.Status), mdCode(e.StatusDetails), mdCode(string(e.Cause)),
			pod, after, mdCode(e.ServerIP), mdCode(e.BackendService), mdCode(e.URL), mdEscape(e.UserAgent), mdEscape(e.Reason))
	}
}

func (m *mdWriter) inputs() {
	v := m.v
	if len(v.Inputs) == 0 {
		return
	}
	m.line("")
	m.line("## Inputs")
	m.line("")
	m.header("Path", "Kind", "Records:", "Skipped:")
	for _, row := range v.Inputs {
		in := row.In
		m.row(mdCode(in.Path), mdCode(in.Kind), display.Count(in.Records), display.Count(in.Skipped))
	}
	for _, row := range v.Inputs {
		in := row.In
		if len(in.Problems) == 0 {
			continue
		}
		m.line("")
		m.line("Problems in %s:", mdEscape(in.Path))
		m.line("")
		for i, p := range in.Problems {
			if i == mdMaxProblems {
				m.line("- … %d more in the JSON report", len(in.Problems)-i)
				break
			}
			m.line("- %s", mdEscape(p))
		}
	}
}

func (m *mdWriter) notes() {
	if len(m.v.r.Notes) == 0 {
		return
	}
	m.line("")
	m.line("## Notes")
	m.line("")
	for _, n := range m.v.r.Notes {
		m.line("- %s", mdEscape(n))
	}
}

func (m *mdWriter) footer(opts Options) {
	if f := footer(opts); f != "" {
		m.line("")
		m.line("---")
		m.line("")
		m.line("_%s_", mdEscape(f))
	}
}

// footer is "Generated by negtrace VERSION at TIME." with what is known.
func footer(opts Options) string {
	s := "Generated by negtrace"
	if opts.Version != "" {
		s += " " + opts.Version
	}
	if !opts.Generated.IsZero() {
		s += " at " + opts.Generated.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	if opts.Version == "" && opts.Generated.IsZero() {
		return ""
	}
	return s + "."
}

// mdEscape makes s plain Markdown text on one line: characters that could
// start markup (emphasis, links, images, code, tables, headings, HTML
// tags and entities) are escaped, control characters become spaces.
func mdEscape(s string) string {
	s = clean(s)
	var b strings.Builder
	for i, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\\', '`', '*', '_', '[', ']', '|', '~', '#', '!':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '-', '+', '=', '.', ')':
			// Only a line start could make these a list or heading marker;
			// escaping them in the middle costs readability for nothing.
			if i == 0 || (r == '.' || r == ')') && leadingDigits(s[:i]) && (i+1 == len(s) || s[i+1] == ' ') {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// leadingDigits reports whether s is all ASCII digits (an ordered list
// marker when followed by "." or ")" and a space).
func leadingDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// mdCode writes s as a code span for a table cell, which keeps
// identifiers readable; values that contain backticks or angle brackets
// fall back to escaped text, so no raw tag ever appears. Backslashes fall
// back too: GFM reads "\\|" as an escaped backslash and a cell border,
// even inside a code span.
func mdCode(s string) string {
	s = clean(s)
	if s == "" {
		return ""
	}
	if strings.ContainsAny(s, "`<>\\") {
		return mdEscape(s)
	}
	// Inside a table, GFM splits cells on | before it parses code spans.
	return "`" + strings.ReplaceAll(s, "|", `\|`) + "`"
}

// mdFence returns a backtick fence longer than any backtick run in s.
func mdFence(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}
