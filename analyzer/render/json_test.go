package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/negtrace/negtrace/analyzer"
)

func TestJSONRoundTrip(t *testing.T) {
	want := fixtureReport()
	var buf bytes.Buffer
	if err := JSON(&buf, want); err != nil {
		t.Fatal(err)
	}
	var got analyzer.Report
	dec := json.NewDecoder(&buf)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	// EquateEmpty: the fixture has a nil Problems list that comes back as [].
	if diff := cmp.Diff(want, &got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestJSONShape(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, fixtureReport()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "{\n  \"schema\": \"negtrace.report/v1\",\n") {
		t.Errorf("not indented by two spaces with schema first: %q", out[:min(len(out), 60)])
	}
	if !strings.HasSuffix(out, "}\n") {
		t.Error("no trailing newline")
	}
}

// nilReport has every slice and map nil, at every level.
func nilReport() *analyzer.Report {
	return &analyzer.Report{
		Schema:       analyzer.Schema,
		Inputs:       []analyzer.Input{{Path: "a.json", Kind: "cloud_logging"}},
		Terminations: []analyzer.Termination{{Pod: "ns/p", Verdict: analyzer.VerdictInconclusive}},
	}
}

func TestJSONNilSlices(t *testing.T) {
	r := nilReport()
	var buf bytes.Buffer
	if err := JSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Inputs []struct {
			Problems json.RawMessage `json:"problems"`
		} `json:"inputs"`
		Summary struct {
			ByCause json.RawMessage `json:"by_cause"`
		} `json:"summary"`
		Terminations []struct {
			Evidence json.RawMessage `json:"evidence"`
		} `json:"terminations"`
		Errors          json.RawMessage  `json:"errors"`
		Recommendations json.RawMessage  `json:"recommendations"`
		Notes           *json.RawMessage `json:"notes"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]json.RawMessage{
		"inputs[0].problems":       doc.Inputs[0].Problems,
		"terminations[0].evidence": doc.Terminations[0].Evidence,
		"errors":                   doc.Errors,
		"recommendations":          doc.Recommendations,
	} {
		if string(got) != "[]" {
			t.Errorf("%s = %s, want []", name, got)
		}
	}
	if string(doc.Summary.ByCause) != "{}" {
		t.Errorf("summary.by_cause = %s, want {}", doc.Summary.ByCause)
	}
	if doc.Notes != nil {
		t.Errorf("notes = %s, want it omitted (omitempty in the contract)", *doc.Notes)
	}
	// The caller's report is untouched.
	if diff := cmp.Diff(nilReport(), r); diff != "" {
		t.Errorf("JSON modified the report (-before +after):\n%s", diff)
	}
	if r.Inputs[0].Problems != nil || r.Terminations[0].Evidence != nil || r.Errors != nil || r.Summary.ByCause != nil {
		t.Error("JSON replaced nil slices in the caller's report")
	}
}

// TestJSONUTC checks times come out in UTC whatever their location, and
// the caller's times keep theirs.
func TestJSONUTC(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	r := fixtureReport()
	r.Window.Start = r.Window.Start.In(paris)
	local := r.Terminations[0].DeletionRequestedAt.In(paris)
	r.Terminations[0].DeletionRequestedAt = &local
	r.Errors[0].Timestamp = r.Errors[0].Timestamp.In(paris)
	var buf bytes.Buffer
	if err := JSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "+01:00") {
		t.Error("a time was written with its local offset, not in UTC")
	}
	if r.Terminations[0].DeletionRequestedAt.Location() != paris || r.Window.Start.Location() != paris {
		t.Error("JSON changed the location of the caller's times")
	}
	// Same instants, so the same bytes as the all-UTC fixture.
	var want bytes.Buffer
	if err := JSON(&want, fixtureReport()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.String(), buf.String()); diff != "" {
		t.Errorf("(-utc +local):\n%s", diff)
	}
}
