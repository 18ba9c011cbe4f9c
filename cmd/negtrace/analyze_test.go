package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/negtrace/negtrace/analyzer"
)

func runArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code = run(ctx, args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestAnalyzeNoUsableEvidence(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("this is not an export\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "broken.json"), []byte(`[{"insertId": "x", "timestamp": `), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runArgs(t, "analyze", "-q", dir)
	if code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	if stdout != "" {
		t.Errorf("a report was written for unusable input:\n%s", stdout)
	}
	for _, want := range []string{"no usable evidence", "notes.txt", "broken.json:1"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestAnalyzeUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no input", []string{"analyze"}, exitUsage},
		{"bad format", []string{"analyze", "--format", "pdf", "x"}, exitUsage},
		{"bad from", []string{"analyze", "--from", "yesterday", "x"}, exitUsage},
		{"to before from", []string{"analyze", "--from", "2025-03-04T18:20:00Z", "--to", "2025-03-04T18:10:00Z", "x"}, exitUsage},
		{"help", []string{"analyze", "-h"}, exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, _, stderr := runArgs(t, tt.args...); code != tt.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.want, stderr)
			}
		})
	}
}

func TestAnalyzeWindowAndOutputFile(t *testing.T) {
	t.Chdir("../..")
	out := filepath.Join(t.TempDir(), "report.html")
	code, stdout, stderr := runArgs(t, "analyze", "-q", "--format", "html", "-o", out, "testdata/scenarios/rollout-race")
	if code != exitOK || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	html, err := os.ReadFile(out)
	if err != nil || !bytes.Contains(html, []byte("<svg")) {
		t.Fatalf("HTML report %s: err %v, has timeline %v", out, err, bytes.Contains(html, []byte("<svg")))
	}

	// A window before the rollout: LB entries outside are ignored, so no race.
	code, stdout, stderr = runArgs(t, "analyze", "-q", "--format", "json", "--from", "2025-03-04T18:10:00Z", "--to", "2025-03-04T18:12:00Z", "testdata/scenarios/rollout-race")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	var rep analyzer.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if got := rep.Summary.ByCause[analyzer.CauseRace]; got != 0 {
		t.Errorf("race errors in a window before the rollout = %d, want 0", got)
	}
	if want := time.Date(2025, 3, 4, 18, 12, 0, 0, time.UTC); !rep.Window.End.Equal(want) {
		t.Errorf("window end = %v, want %v", rep.Window.End, want)
	}
	for _, e := range rep.Errors {
		if e.Timestamp.Before(rep.Window.Start) || !e.Timestamp.Before(rep.Window.End) {
			t.Errorf("error %s at %v outside the window", e.InsertID, e.Timestamp)
		}
	}
}
