package web

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/negtrace/negtrace/analyzer"
)

// perPage is the page size of /errors and /api/v1/errors.
const perPage = 50

// timeLayouts are the forms accepted for from= and to=: RFC 3339, and
// what an HTML datetime-local input sends (no zone: read as UTC).
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04"}

// paramError is a bad query parameter: the message says which and why,
// and is shown to the user with a 400.
type paramError struct{ msg string }

func (e *paramError) Error() string { return e.msg }

func badParam(format string, args ...any) error {
	return &paramError{msg: fmt.Sprintf(format, args...)}
}

// parseTime reads one time parameter; empty is the zero time (open).
func parseTime(name, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, badParam("bad %s=%q: want a time like 2025-03-04T18:10:00Z (RFC 3339; without a zone, UTC)", name, v)
}

// parseWindow reads from= and to= (both optional, half-open [from, to)).
func parseWindow(q url.Values) (analyzer.Window, error) {
	var w analyzer.Window
	var err error
	if w.Start, err = parseTime("from", q.Get("from")); err != nil {
		return w, err
	}
	if w.End, err = parseTime("to", q.Get("to")); err != nil {
		return w, err
	}
	if !w.Start.IsZero() && !w.End.IsZero() && !w.End.After(w.Start) {
		return w, badParam("bad window: to=%s is not after from=%s", w.End.Format(time.RFC3339), w.Start.Format(time.RFC3339))
	}
	return w, nil
}

// errorFilter selects LB 5xx; zero fields select everything.
type errorFilter struct {
	Cause    analyzer.Cause
	Workload string // the workload of the pod that served the error
	Details  string // statusDetails, exactly
	Pod      string // "ns/name", exactly
	Window   analyzer.Window
	Page     int // 1-based
}

// parseErrorFilter reads the filters of /errors and /api/v1/errors.
// causes are the causes a filter may name.
func parseErrorFilter(q url.Values, causes []analyzer.Cause) (errorFilter, error) {
	f := errorFilter{
		Cause:    analyzer.Cause(strings.TrimSpace(q.Get("cause"))),
		Workload: strings.TrimSpace(q.Get("workload")),
		Details:  strings.TrimSpace(q.Get("details")),
		Pod:      strings.TrimSpace(q.Get("pod")),
		Page:     1,
	}
	if f.Cause != "" && !slices.Contains(causes, f.Cause) {
		names := make([]string, len(causes))
		for i, c := range causes {
			names[i] = string(c)
		}
		return f, badParam("bad cause=%q: want one of %s", f.Cause, strings.Join(names, ", "))
	}
	var err error
	if f.Window, err = parseWindow(q); err != nil {
		return f, err
	}
	if p := strings.TrimSpace(q.Get("page")); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			return f, badParam("bad page=%q: want a page number from 1", p)
		}
		f.Page = n
	}
	return f, nil
}

// query returns the filter as URL parameters, for links to other pages
// of the same selection; page 0 leaves the page out.
func (f errorFilter) query(page int) url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("cause", string(f.Cause))
	set("workload", f.Workload)
	set("details", f.Details)
	set("pod", f.Pod)
	if !f.Window.Start.IsZero() {
		q.Set("from", f.Window.Start.Format(time.RFC3339Nano))
	}
	if !f.Window.End.IsZero() {
		q.Set("to", f.Window.End.Format(time.RFC3339Nano))
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return q
}

// parseBucket reads bucket= of /api/v1/timeseries: a Go duration of at
// least a second; 0 (absent) lets the server choose.
func parseBucket(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		if n, nerr := strconv.Atoi(v); nerr == nil { // plain seconds
			d, err = time.Duration(n)*time.Second, nil
		}
	}
	if err != nil || d < time.Second || d%time.Second != 0 {
		return 0, badParam("bad bucket=%q: want whole seconds, e.g. 30s, 1m or 60", v)
	}
	return d, nil
}
