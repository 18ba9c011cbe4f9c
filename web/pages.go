package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/analyzer/render"
	"github.com/negtrace/negtrace/analyzer/render/display"
)

// pageNames are the page templates; each is parsed with layout.tmpl.
var pageNames = []string{"overview", "timeline", "workloads", "errors", "sources", "message"}

// parsePages parses every page with the layout, once.
func parsePages() (map[string]*template.Template, error) {
	pages := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New("layout.tmpl").Funcs(templateFuncs).ParseFS(assets, "templates/layout.tmpl", "templates/"+name+".tmpl")
		if err != nil {
			return nil, fmt.Errorf("web: parse template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// templateFuncs format values for the pages; every result is escaped by
// html/template like any other value.
var templateFuncs = template.FuncMap{
	"count": display.Count, "pct": display.Pct, "plural": display.Plural, "seconds": display.Seconds, "setting": settingOf,
	"clock": clock, "clockMillis": clockMillis, "offset": offset,
	"causeClass": display.CauseClass, "verdictClass": display.VerdictClass,
	"actionClass": display.ActionClass, "actionLabel": display.ActionLabel,
	"stateClass": stateClass,
	"deref": func(s *string) string {
		if s == nil {
			return display.Dash
		}
		return *s
	},
}

// nav is one entry of the navigation bar.
type nav struct{ Path, Label string }

var navs = []nav{{"/", "Overview"}, {"/timeline", "Timeline"}, {"/workloads", "Workloads"}, {"/errors", "Errors"}, {"/sources", "Data sources"}}

// pageData is what the layout shows around every page.
type pageData struct {
	Title   string
	Path    string // the nav entry that is current
	Navs    []nav
	Charts  bool               // load Chart.js
	Snap    *analyzer.Snapshot // nil before the first analysis
	Window  string
	Updated string
	Version string
	From    string // the report form's defaults: the snapshot's window
	To      string
	Refresh bool // reload every few seconds (analysis in progress)
	Content any
}

// message is the content of the "message" page.
type message struct {
	Heading, Text string
	Refresh       bool // reload the page every few seconds (analysis in progress)
}

// render writes page name with content, status 200 unless told.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, snap *analyzer.Snapshot, content any) {
	d := pageData{Title: title, Path: r.URL.Path, Navs: navs, Charts: name == "overview" && snap != nil, Snap: snap,
		Version: s.opts.Version, Content: content}
	if m, ok := content.(message); ok {
		d.Refresh = m.Refresh
	}
	if snap != nil {
		d.Window = display.Window(snap.Report.Window)
		d.Updated = clock(snap.Updated)
		// Whole seconds that cover the window: the window's end may be
		// the last entry's own time, which [from, to) would leave out.
		if w := snap.Report.Window; !w.Start.IsZero() && !w.End.IsZero() {
			d.From = inputTime(w.Start.Truncate(time.Second))
			d.To = inputTime(w.End.Truncate(time.Second).Add(time.Second))
		}
	}
	var buf bytes.Buffer
	if err := s.pages[name].Execute(&buf, d); err != nil {
		s.opts.Logger.Error("render page", "page", name, "err", err)
		http.Error(w, "500 internal server error: could not render the page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// page fetches the current snapshot; before the first analysis it
// answers "analysis in progress" itself and returns nil.
func (s *Server) page(w http.ResponseWriter, r *http.Request, title string) (*analyzer.Snapshot, *derived) {
	snap, d := s.current()
	if snap == nil {
		s.render(w, r, http.StatusOK, "message", title, nil, message{Heading: "Analysis in progress",
			Text: "negtrace is reading and analysing the evidence; this page reloads by itself.", Refresh: true})
	}
	return snap, d
}

// badRequest answers 400 with the reason, on the page asked for.
func (s *Server) badRequest(w http.ResponseWriter, r *http.Request, title string, snap *analyzer.Snapshot, err error) {
	var pe *paramError
	if !errors.As(err, &pe) {
		s.opts.Logger.Error("page", "path", r.URL.Path, "err", err)
		s.render(w, r, http.StatusInternalServerError, "message", title, snap, message{Heading: "Error", Text: err.Error()})
		return
	}
	s.render(w, r, http.StatusBadRequest, "message", title, snap, message{Heading: "Bad request", Text: pe.msg})
}

// termRow is one termination with the anchor of its evidence on /timeline.
type termRow struct {
	Anchor string
	T      *analyzer.Termination
}

// anchor is the id of termination i of the report on /timeline.
func anchor(i int) string { return "t-" + strconv.Itoa(i) }

// card is one headline number.
type card struct {
	Label, Value, Sub string
	Class             string // "bad", "good" or ""
}

// causeRow is one line of the 5xx-by-cause table.
type causeRow struct {
	Cause analyzer.Cause
	Count int
	Pct   string
}

// overview is the content of /.
type overview struct {
	Headline    string
	Bad         bool
	Cards       []card
	Causes      []causeRow
	Series      timeseriesView
	SeriesRows  []seriesRow // buckets with 5xx, for the table under the chart
	RaceTerms   []termRow
	Latency     latencyView
	AtRisk      []*analyzer.Recommendation
	Sources     []analyzer.SourceStatus
	SourcesBad  int
	InputsCount int
	Skipped     int
}

// seriesRow is one bucket of the time series with its counts per cause.
type seriesRow struct {
	Label  string
	Counts []int
	Total  int
}

func (s *Server) overviewPage(w http.ResponseWriter, r *http.Request) {
	snap, d := s.page(w, r, "Overview")
	if snap == nil {
		return
	}
	rep := snap.Report
	series, err := d.timeseries(0)
	if err != nil {
		s.badRequest(w, r, "Overview", snap, err)
		return
	}
	o := overview{Series: series, Latency: d.latency(), Sources: snap.Sources, InputsCount: len(rep.Inputs)}
	sum := rep.Summary
	race := sum.ByCause[analyzer.CauseRace]
	o.Headline, o.Bad = headline(sum.LB5xx, race), race > 0
	for _, c := range d.causes {
		o.Causes = append(o.Causes, causeRow{Cause: c, Count: sum.ByCause[c], Pct: display.Pct(sum.ByCause[c], sum.LB5xx)})
	}
	for i := range series.Buckets {
		row := seriesRow{Label: series.Labels[i]}
		for _, cs := range series.Series {
			row.Counts = append(row.Counts, cs.Counts[i])
			row.Total += cs.Counts[i]
		}
		if row.Total > 0 {
			o.SeriesRows = append(o.SeriesRows, row)
		}
	}
	racePods := 0
	for _, i := range d.order {
		if t := &rep.Terminations[i]; t.RaceErrors > 0 || t.Verdict == analyzer.VerdictRace {
			o.RaceTerms = append(o.RaceTerms, termRow{Anchor: anchor(i), T: t})
			racePods++
		}
	}
	raise := 0
	for i := range rep.Recommendations {
		rec := &rep.Recommendations[i]
		if rec.Action == analyzer.ActionRaise || rec.Action == analyzer.ActionFixHook || rec.RaceErrorsObserved > 0 {
			o.AtRisk = append(o.AtRisk, rec)
		}
		if rec.Action == analyzer.ActionRaise {
			raise++
		}
	}
	for _, src := range snap.Sources {
		if src.State != analyzer.SourceOK {
			o.SourcesBad++
		}
	}
	for _, in := range rep.Inputs {
		o.Skipped += in.Skipped
	}
	o.Cards = []card{
		{Label: "LB requests", Value: display.Count(sum.LBRequests), Sub: "in the window"},
		{Label: "LB 5xx", Value: display.Count(sum.LB5xx), Sub: pctSub(sum.LB5xx, sum.LBRequests, "of the requests")},
		{Label: "NEG detach race", Value: display.Count(race), Sub: pctSub(race, sum.LB5xx, "of the 5xx"), Class: goodBad(race)},
		{Label: "Pods hit by the race", Value: display.Count(racePods), Sub: "of " + display.Plural(sum.Terminations, "termination")},
		{Label: "Detach latency p90", Value: display.Seconds(sum.DetachLatencySeconds.P90),
			Sub: "p50 " + display.Seconds(sum.DetachLatencySeconds.P50) + " · max " + display.Seconds(sum.DetachLatencySeconds.Max)},
		{Label: "Workloads to raise preStop", Value: display.Count(raise), Sub: "of " + display.Plural(len(rep.Recommendations), "workload"), Class: goodBad(raise)},
	}
	s.render(w, r, http.StatusOK, "overview", "Overview", snap, o)
}

// headline is the one-sentence answer to "how much of this was the race".
func headline(fiveXX, race int) string {
	switch {
	case fiveXX == 0:
		return "No LB 5xx in the window."
	case race == 0:
		return "None of the " + display.Count(fiveXX) + " LB 5xx was caused by the NEG detach race."
	}
	return display.Count(race) + " of " + display.Count(fiveXX) + " LB 5xx (" + display.Pct(race, fiveXX) + ") were caused by the NEG detach race."
}

func pctSub(n, of int, what string) string {
	if p := display.Pct(n, of); p != "" {
		return p + " " + what
	}
	return what
}

func goodBad(n int) string {
	if n > 0 {
		return "bad"
	}
	return "good"
}

// timelineContent is the content of /timeline.
type timelineContent struct {
	From, To string // the form's values
	Window   string
	SVG      template.HTML
	Omitted  int // terminations with a known deletion time beyond the lane cap
	Terms    []termRow
	Max      int
}

func (s *Server) timelinePage(w http.ResponseWriter, r *http.Request) {
	snap, _ := s.page(w, r, "Timeline")
	if snap == nil {
		return
	}
	win, err := parseWindow(r.URL.Query())
	if err != nil {
		s.badRequest(w, r, "Timeline", snap, err)
		return
	}
	sub, index := windowReport(snap.Report, win)
	svg, omitted, err := render.TimelineSVG(sub, render.TimelineOptions{LaneHref: func(t *analyzer.Termination) string {
		return "#" + anchor(index[t])
	}})
	if err != nil {
		s.badRequest(w, r, "Timeline", snap, err)
		return
	}
	c := timelineContent{From: inputTime(win.Start), To: inputTime(win.End), SVG: svg, Omitted: omitted, Max: render.TimelineMaxLanes}
	if win != (analyzer.Window{}) {
		c.Window = display.Window(win)
	}
	for _, i := range displayOrder(sub.Terminations) {
		t := &sub.Terminations[i]
		c.Terms = append(c.Terms, termRow{Anchor: anchor(index[t]), T: t})
	}
	s.render(w, r, http.StatusOK, "timeline", "Timeline", snap, c)
}

// windowReport is the part of r inside win: the terminations whose
// deletion was requested in it and the errors in it, with, for each
// termination kept, its index in r (for stable anchors). The zero window
// keeps everything.
func windowReport(r *analyzer.Report, win analyzer.Window) (*analyzer.Report, map[*analyzer.Termination]int) {
	sub := *r
	sub.Terminations, sub.Errors = nil, nil
	var from []int
	for i := range r.Terminations {
		t := &r.Terminations[i]
		if win == (analyzer.Window{}) || t.DeletionRequestedAt != nil && win.Contains(*t.DeletionRequestedAt) {
			sub.Terminations = append(sub.Terminations, *t)
			from = append(from, i)
		}
	}
	for _, e := range r.Errors {
		if win.Contains(e.Timestamp) {
			sub.Errors = append(sub.Errors, e)
		}
	}
	index := make(map[*analyzer.Termination]int, len(from))
	for j, i := range from {
		index[&sub.Terminations[j]] = i
	}
	return &sub, index
}

// workloadsContent is the content of /workloads.
type workloadsContent struct {
	Recs []*analyzer.Recommendation
}

func (s *Server) workloadsPage(w http.ResponseWriter, r *http.Request) {
	snap, _ := s.page(w, r, "Workloads")
	if snap == nil {
		return
	}
	var c workloadsContent
	for i := range snap.Report.Recommendations {
		c.Recs = append(c.Recs, &snap.Report.Recommendations[i])
	}
	s.render(w, r, http.StatusOK, "workloads", "Workloads", snap, c)
}

// errorsContent is the content of /errors.
type errorsContent struct {
	Filter              errorFilter
	From, To            string
	View                errorsView
	Causes              []analyzer.Cause
	Workloads, Details  []string
	First, Last         int    // item numbers shown
	Prev, Next, JSONURL string // links; "" when there is none
}

func (s *Server) errorsPage(w http.ResponseWriter, r *http.Request) {
	snap, d := s.page(w, r, "Errors")
	if snap == nil {
		return
	}
	f, err := parseErrorFilter(r.URL.Query(), d.causes)
	if err != nil {
		s.badRequest(w, r, "Errors", snap, err)
		return
	}
	v := d.errors(f)
	c := errorsContent{Filter: f, From: inputTime(f.Window.Start), To: inputTime(f.Window.End), View: v,
		Causes: d.causes, Workloads: d.workloads, Details: d.details}
	if f.Workload != "" && !slices.Contains(c.Workloads, f.Workload) {
		c.Workloads = append(c.Workloads, f.Workload)
	}
	if f.Details != "" && !slices.Contains(c.Details, f.Details) {
		c.Details = append(c.Details, f.Details)
	}
	if len(v.Items) > 0 {
		c.First = (f.Page-1)*perPage + 1
		c.Last = c.First + len(v.Items) - 1
	}
	if f.Page > 1 {
		c.Prev = withQuery("/errors", f.query(min(f.Page-1, max(v.Pages, 1))))
	}
	if f.Page < v.Pages {
		c.Next = withQuery("/errors", f.query(f.Page+1))
	}
	c.JSONURL = withQuery("/api/v1/errors", f.query(f.Page))
	s.render(w, r, http.StatusOK, "errors", "Errors", snap, c)
}

// withQuery is path?q, or path when q is empty.
func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// sourcesContent is the content of /sources.
type sourcesContent struct {
	Sources          []analyzer.SourceStatus
	Inputs           []analyzer.Input
	Records, Skipped int
	Notes            []string
}

func (s *Server) sourcesPage(w http.ResponseWriter, r *http.Request) {
	snap, _ := s.page(w, r, "Data sources")
	if snap == nil {
		return
	}
	c := sourcesContent{Sources: snap.Sources, Inputs: snap.Report.Inputs, Notes: snap.Report.Notes}
	for _, in := range c.Inputs {
		c.Records += in.Records
		c.Skipped += in.Skipped
	}
	s.render(w, r, http.StatusOK, "sources", "Data sources", snap, c)
}
