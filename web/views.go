package web

import (
	"slices"
	"sync"
	"time"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/analyzer/render/display"
)

// This file holds the view models the pages and the JSON API share: each
// API call returns one of them as JSON, and the page showing the same
// thing renders it from the same function.

// derived is what the views compute once per report. It depends on the
// report only, so a snapshot republished with the same report (live mode's
// refresh of source health) keeps it.
type derived struct {
	report      *analyzer.Report
	podWorkload map[string]string // "ns/pod" → "ns/workload", from the terminations
	causes      []analyzer.Cause  // the known causes, then any other the report names
	workloads   []string          // sorted
	details     []string          // statusDetails of the errors, sorted
	order       []int             // indexes of Report.Terminations in display order

	// Made on first use: the automatic time series and the latency
	// histogram (see timeseries and latency).
	autoSeries struct {
		once sync.Once
		v    timeseriesView
		err  error
	}
	latencyOnce sync.Once
	latencyView latencyView
}

// current returns the latest snapshot and its derived views, or nil
// before the first analysis (or when a store publishes a snapshot
// without a report).
func (s *Server) current() (*analyzer.Snapshot, *derived) {
	snap := s.opts.Store.Snapshot()
	if snap == nil || snap.Report == nil {
		return nil, nil
	}
	if d := s.derived.Load(); d != nil && d.report == snap.Report {
		return snap, d
	}
	d := newDerived(snap.Report)
	s.derived.Store(d)
	return snap, d
}

func newDerived(r *analyzer.Report) *derived {
	d := &derived{report: r, podWorkload: map[string]string{}, causes: reportCauses(r), order: displayOrder(r.Terminations)}
	workloads := map[string]bool{}
	for _, t := range r.Terminations {
		if t.Pod != "" && t.Workload != "" {
			d.podWorkload[t.Pod] = t.Workload
		}
		if t.Workload != "" {
			workloads[t.Workload] = true
		}
	}
	for _, rec := range r.Recommendations {
		if rec.Workload != "" {
			workloads[rec.Workload] = true
		}
	}
	details := map[string]bool{}
	for _, e := range r.Errors {
		details[e.StatusDetails] = true
	}
	d.workloads = sortedKeys(workloads)
	d.details = sortedKeys(details)
	return d
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// reportCauses lists analyzer.Causes, then causes a newer analyzer may
// have given, in a stable order.
func reportCauses(r *analyzer.Report) []analyzer.Cause {
	out := slices.Clone(analyzer.Causes)
	var extra []analyzer.Cause
	for c := range r.Summary.ByCause {
		if !slices.Contains(out, c) {
			extra = append(extra, c)
		}
	}
	for _, e := range r.Errors {
		if !slices.Contains(out, e.Cause) && !slices.Contains(extra, e.Cause) {
			extra = append(extra, e.Cause)
		}
	}
	slices.Sort(extra)
	return append(out, extra...)
}

// displayOrder sorts terminations the way the report and the timeline
// show them (display.CompareTerminations): most race errors first, then
// verdict, deletion time, pod.
func displayOrder(terms []analyzer.Termination) []int {
	order := make([]int, len(terms))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return display.CompareTerminations(&terms[a], &terms[b]) })
	return order
}

// snapshotView is /api/v1/snapshot: what was analysed and the headline.
type snapshotView struct {
	Origin  string                  `json:"origin"`
	Demo    bool                    `json:"demo"`
	Updated time.Time               `json:"updated"`
	Window  analyzer.Window         `json:"window"`
	Summary analyzer.Summary        `json:"summary"`
	Sources []analyzer.SourceStatus `json:"sources"`
}

func newSnapshotView(snap *analyzer.Snapshot) snapshotView {
	r := snap.Report
	sum := r.Summary
	if sum.ByCause == nil {
		sum.ByCause = map[analyzer.Cause]int{}
	}
	return snapshotView{
		Origin:  snap.Origin,
		Demo:    snap.Demo,
		Updated: snap.Updated.UTC(),
		Window:  analyzer.Window{Start: r.Window.Start.UTC(), End: r.Window.End.UTC()},
		Summary: sum,
		Sources: nonNil(snap.Sources),
	}
}

// terminationsView is /api/v1/terminations: the report's, in report order.
func terminationsView(r *analyzer.Report) []analyzer.Termination {
	out := make([]analyzer.Termination, len(r.Terminations))
	for i, t := range r.Terminations {
		t.Evidence = nonNil(t.Evidence)
		out[i] = t
	}
	return out
}

// inputsView is /api/v1/inputs.
func inputsView(r *analyzer.Report) []analyzer.Input {
	out := make([]analyzer.Input, len(r.Inputs))
	for i, in := range r.Inputs {
		in.Problems = nonNil(in.Problems)
		out[i] = in
	}
	return out
}

// errorsView is /api/v1/errors: one page of the errors a filter selects.
type errorsView struct {
	Total   int         `json:"total"` // errors selected, on all pages
	Page    int         `json:"page"`
	PerPage int         `json:"per_page"`
	Pages   int         `json:"pages"` // number of pages; 0 when nothing is selected
	Items   []errorItem `json:"items"`
}

// errorItem is one LB 5xx as the report has it, plus the workload of the
// pod that served it when a termination of that pod names it.
type errorItem struct {
	analyzer.ErrorVerdict
	Workload string `json:"workload,omitempty"`
}

// matches reports whether e (served by workload) is selected by f.
func (f errorFilter) matches(e *analyzer.ErrorVerdict, workload string) bool {
	switch {
	case f.Cause != "" && e.Cause != f.Cause,
		f.Details != "" && e.StatusDetails != f.Details,
		f.Workload != "" && workload != f.Workload,
		f.Pod != "" && (e.Pod == nil || *e.Pod != f.Pod):
		return false
	}
	return f.Window.Contains(e.Timestamp)
}

func (d *derived) errors(f errorFilter) errorsView {
	r := d.report
	v := errorsView{Page: f.Page, PerPage: perPage, Items: []errorItem{}}
	first := (f.Page - 1) * perPage
	for i := range r.Errors {
		e := &r.Errors[i]
		w := d.workloadOf(e)
		if !f.matches(e, w) {
			continue
		}
		if v.Total >= first && v.Total < first+perPage {
			item := errorItem{ErrorVerdict: *e, Workload: w}
			item.Timestamp = item.Timestamp.UTC()
			v.Items = append(v.Items, item)
		}
		v.Total++
	}
	v.Pages = (v.Total + perPage - 1) / perPage
	return v
}

// workloadOf is the workload of the pod that served e, or "".
func (d *derived) workloadOf(e *analyzer.ErrorVerdict) string {
	if e.Pod == nil {
		return ""
	}
	return d.podWorkload[*e.Pod]
}

// nonNil returns s, or an empty slice when s is nil, so JSON has [].
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
