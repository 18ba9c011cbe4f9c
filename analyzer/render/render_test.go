package render

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFormats(t *testing.T) {
	want := []string{FormatText, FormatJSON, FormatMarkdown, FormatHTML}
	if diff := cmp.Diff(want, Formats()); diff != "" {
		t.Errorf("Formats (-want +got):\n%s", diff)
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	for _, f := range []string{"", "yaml", "JSON", "md"} {
		t.Run(f, func(t *testing.T) {
			var buf bytes.Buffer
			err := Write(&buf, f, fixtureReport(), Options{})
			if !errors.Is(err, ErrUnknownFormat) {
				t.Fatalf("Write(%q) = %v, want ErrUnknownFormat", f, err)
			}
			if !strings.Contains(err.Error(), `"`+f+`"`) || !strings.Contains(err.Error(), "markdown") {
				t.Errorf("error %q does not name the format and the accepted ones", err)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes for an unknown format", buf.Len())
			}
		})
	}
}

func TestWriteNilReport(t *testing.T) {
	for _, f := range Formats() {
		t.Run(f, func(t *testing.T) {
			if err := Write(&bytes.Buffer{}, f, nil, Options{}); err == nil {
				t.Error("no error for a nil report")
			}
		})
	}
}

// failWriter fails after n bytes.
type failWriter struct{ n int }

var errWrite = errors.New("disk full")

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		n := w.n
		w.n = 0
		return n, errWrite
	}
	w.n -= len(p)
	return len(p), nil
}

func TestWriteError(t *testing.T) {
	for _, f := range Formats() {
		t.Run(f, func(t *testing.T) {
			err := Write(&failWriter{n: 100}, f, fixtureReport(), Options{})
			if !errors.Is(err, errWrite) {
				t.Errorf("got %v, want the writer's error", err)
			}
		})
	}
}

// TestEmptyReport renders a report of an analysis that found nothing: no
// panic, and each format says so instead of showing empty tables.
func TestEmptyReport(t *testing.T) {
	r := nilReport()
	r.Terminations = nil
	for _, f := range Formats() {
		t.Run(f, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, f, r, Options{}); err != nil {
				t.Fatal(err)
			}
			if f != FormatJSON && !strings.Contains(strings.ToLower(buf.String()), "no lb 5xx") {
				t.Errorf("does not say there was no 5xx:\n%s", buf.String())
			}
		})
	}
}
