package render

import (
	"bufio"
	"embed"
	"fmt"
	"html/template"
	"io"
	"strconv"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/analyzer/render/display"
)

// Limits of the HTML format; the JSON report always has everything.
const (
	htmlMaxTerms    = 500
	htmlMaxErrors   = 500
	htmlMaxProblems = 50 // per input
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// reportTemplate is parsed once; html/template escapes every value for
// the context it lands in (text, attribute, SVG title).
var reportTemplate = template.Must(template.New("report.html.tmpl").ParseFS(templateFS, "templates/*.tmpl"))

// HTML writes r as one self-contained page: inline CSS, an inline SVG
// timeline, no scripts and no external resources, so it works offline and
// can be attached to a postmortem. Every value is escaped by html/template;
// nothing from the evidence becomes a link.
func HTML(w io.Writer, r *analyzer.Report, opts Options) error {
	if r == nil {
		return fmt.Errorf("render html: %w", errNilReport)
	}
	bw := bufio.NewWriter(w)
	if err := reportTemplate.Execute(bw, newHTMLData(r, opts)); err != nil {
		return fmt.Errorf("render html: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("render html: %w", err)
	}
	return nil
}

// htmlData is what the template shows; everything is computed here.
type htmlData struct {
	Window, Headline string
	RaceHeadline     bool
	Latency          string
	Cards            []htmlCard
	Causes           []htmlCause
	Timeline         *timeline
	Terms            []htmlTerm
	TermsMore        int
	Recs             []htmlRec
	Errors           []htmlError
	ErrorsTotal      int
	ErrorsMore       int
	Inputs           []htmlInput
	InputRecords     string
	InputSkipped     string
	Notes            []string
	Footer           string
}

type htmlCard struct {
	Label, Value, Sub string
	Class             string // "bad", "good" or ""
}

type htmlCause struct {
	causeRow
	Class string
	BarW  float64 // 0..100
}

type htmlTerm struct {
	termRow
	VerdictClass string
}

type htmlRec struct {
	recRow
	ActionClass, ActionLabel string
}

type htmlError struct {
	Time, Status, Details, Cause, CauseClass, Pod, After string
	ServerIP, Backend, URL, UserAgent, Reason, InsertID  string
}

type htmlInput struct {
	*analyzer.Input
	RecordsText  string
	SkippedText  string
	Problems     []string // at most htmlMaxProblems
	ProblemsMore int
}

func newHTMLData(r *analyzer.Report, opts Options) *htmlData {
	v := newView(r)
	d := &htmlData{
		Window:       v.Window,
		Headline:     sentence(v.headline()),
		RaceHeadline: v.Race > 0,
		Latency:      v.Latency,
		Timeline:     newTimeline(v.Terms, r.Errors, v.clockLayout),
		ErrorsTotal:  len(r.Errors),
		InputRecords: display.Count(v.InputRecords),
		InputSkipped: display.Count(v.InputSkipped),
		Notes:        r.Notes,
		Footer:       footer(opts),
	}
	d.cards(v)
	for _, c := range v.Causes {
		d.Causes = append(d.Causes, htmlCause{causeRow: c, Class: display.CauseClass(analyzer.Cause(c.Cause)), BarW: round1(100 * c.Share)})
	}
	shown := v.Terms[:min(len(v.Terms), htmlMaxTerms)]
	d.TermsMore = len(v.Terms) - len(shown)
	for _, row := range shown {
		d.Terms = append(d.Terms, htmlTerm{termRow: row, VerdictClass: display.VerdictClass(row.T.Verdict)})
	}
	for _, row := range v.Recs {
		d.Recs = append(d.Recs, htmlRec{recRow: row, ActionClass: display.ActionClass(row.R.Action),
			ActionLabel: display.ActionLabel(row.R.Action)})
	}
	errs := r.Errors[:min(len(r.Errors), htmlMaxErrors)]
	d.ErrorsMore = len(r.Errors) - len(errs)
	for i := range errs {
		d.Errors = append(d.Errors, newHTMLError(&errs[i], v.clockLayout))
	}
	for i := range r.Inputs {
		in := &r.Inputs[i]
		hi := htmlInput{Input: in, RecordsText: display.Count(in.Records), SkippedText: display.Count(in.Skipped), Problems: in.Problems[:min(len(in.Problems), htmlMaxProblems)]}
		hi.ProblemsMore = len(in.Problems) - len(hi.Problems)
		d.Inputs = append(d.Inputs, hi)
	}
	return d
}

func (d *htmlData) cards(v *view) {
	fiveSub := "of " + display.Count(v.Requests) + " LB requests"
	if v.FiveXXPct != "" {
		fiveSub += " (" + v.FiveXXPct + ")"
	}
	raceSub := "of the 5xx"
	if v.RacePct != "" {
		raceSub = v.RacePct + " of the 5xx"
	}
	raceClass := "good"
	if v.Race > 0 {
		raceClass = "bad"
	}
	raise := 0
	for _, rec := range v.Recs {
		if rec.R.Action == analyzer.ActionRaise {
			raise++
		}
	}
	p := v.r.Summary.DetachLatencySeconds
	d.Cards = []htmlCard{
		{Label: "LB 5xx", Value: display.Count(v.FiveXX), Sub: fiveSub},
		{Label: "NEG detach race", Value: display.Count(v.Race), Sub: raceSub, Class: raceClass},
		{Label: "Pods hit by the race", Value: display.Count(v.RacePods),
			Sub: "of " + display.Plural(v.r.Summary.Terminations, "termination") + ", in " + display.Plural(v.RaceWorkloads, "workload")},
		{Label: "Detach latency p90", Value: display.Seconds(p.P90), Sub: "p50 " + display.Seconds(p.P50) + " · max " + display.Seconds(p.Max)},
		{Label: "Workloads to raise preStop", Value: strconv.Itoa(raise), Sub: "of " + display.Plural(len(v.Recs), "workload")},
	}
	if raise > 0 {
		d.Cards[4].Class = "bad"
	}
}

func newHTMLError(e *analyzer.ErrorVerdict, clockLayout string) htmlError {
	he := htmlError{
		Time: e.Timestamp.UTC().Format(clockLayout + ".000"), Status: strconv.Itoa(e.Status),
		Details: e.StatusDetails, Cause: string(e.Cause), CauseClass: display.CauseClass(e.Cause),
		Pod: display.Dash, After: display.Dash, ServerIP: e.ServerIP, Backend: e.BackendService,
		URL: e.URL, UserAgent: e.UserAgent, Reason: e.Reason, InsertID: e.InsertID,
	}
	if e.Pod != nil {
		he.Pod = *e.Pod
	}
	if e.SecondsAfterDeletion != nil {
		he.After = fmt.Sprintf("%+.1fs", *e.SecondsAfterDeletion)
	}
	return he
}
