package render

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/negtrace/negtrace/analyzer"
)

// JSON writes r as the stable JSON contract (schema negtrace.report/v1):
// indented by two spaces, ending in a newline, every time in UTC, and
// every list present (an empty list is [], never null). The same report
// always gives the same bytes. r itself is not modified.
func JSON(w io.Writer, r *analyzer.Report) error {
	if r == nil {
		return fmt.Errorf("render json: %w", errNilReport)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(normalized(r)); err != nil {
		return fmt.Errorf("render json: %w", err)
	}
	return nil
}

// normalized returns a copy of r with nil slices and maps made empty and
// every time converted to UTC. It shares no slice, map or pointer that it
// had to change with r, so r is never modified.
func normalized(r *analyzer.Report) *analyzer.Report {
	n := *r
	if n.Schema == "" {
		n.Schema = analyzer.Schema
	}
	n.Window = analyzer.Window{Start: r.Window.Start.UTC(), End: r.Window.End.UTC()}

	n.Inputs = make([]analyzer.Input, len(r.Inputs))
	for i, in := range r.Inputs {
		in.Problems = nonNil(in.Problems)
		n.Inputs[i] = in
	}

	n.Summary.ByCause = make(map[analyzer.Cause]int, len(r.Summary.ByCause))
	for c, v := range r.Summary.ByCause {
		n.Summary.ByCause[c] = v
	}

	n.Terminations = make([]analyzer.Termination, len(r.Terminations))
	for i, t := range r.Terminations {
		t.DeletionRequestedAt = utcPtr(t.DeletionRequestedAt)
		t.KillingAt = utcPtr(t.KillingAt)
		t.SigtermAt = utcPtr(t.SigtermAt)
		t.ContainerExitAt = utcPtr(t.ContainerExitAt)
		t.DetachRequestedAt = utcPtr(t.DetachRequestedAt)
		t.DetachCompletedAt = utcPtr(t.DetachCompletedAt)
		t.LastRequestAt = utcPtr(t.LastRequestAt)
		t.Evidence = nonNil(t.Evidence)
		n.Terminations[i] = t
	}

	n.Errors = make([]analyzer.ErrorVerdict, len(r.Errors))
	for i, e := range r.Errors {
		e.Timestamp = e.Timestamp.UTC()
		n.Errors[i] = e
	}

	n.Recommendations = nonNil(r.Recommendations)
	// Notes is omitempty in the contract: absent when there are none.
	return &n
}

// nonNil returns s, or an empty slice when s is nil.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// utcPtr returns a new pointer to t in UTC, or nil.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
