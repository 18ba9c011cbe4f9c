package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/analyzer/render"
)

// TestReports: each format is the analyzer/render output of Store.Report
// for the window asked, with the right headers.
func TestReports(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	from := time.Date(2025, 3, 4, 18, 12, 0, 0, time.UTC)
	to := time.Date(2025, 3, 4, 18, 15, 0, 0, time.UTC)
	win := analyzer.Window{Start: from, End: to}
	rep, err := analyse(context.Background(), win)
	if err != nil {
		t.Fatal(err)
	}
	opts := render.Options{Generated: updated, Version: "v0.0.0-test"}

	for _, tc := range []struct {
		format, query, contentType, disposition string
		csp                                     string
	}{
		{"json", "from=2025-03-04T18:12:00Z&to=2025-03-04T18:15:00Z&format=json", "application/json; charset=utf-8", "", contentSecurityPolicy},
		{"markdown", "from=2025-03-04T18:12:00Z&to=2025-03-04T18:15:00Z&format=markdown", "text/markdown; charset=utf-8",
			`attachment; filename="negtrace-report-20250304T181200Z-20250304T181500Z.md"`, contentSecurityPolicy},
		// What the page's form sends: datetime-local values, read as UTC.
		{"html", "from=2025-03-04T18%3A12%3A00&to=2025-03-04T18%3A15&format=html", "text/html; charset=utf-8",
			`attachment; filename="negtrace-report-20250304T181200Z-20250304T181500Z.html"`, reportSecurityPolicy},
	} {
		t.Run(tc.format, func(t *testing.T) {
			res := ts.get(t, "/reports?"+tc.query)
			if res.status != http.StatusOK {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			var want bytes.Buffer
			if err := render.Write(&want, tc.format, rep, opts); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want.String(), res.body); diff != "" {
				t.Errorf("body (-want +got):\n%.2000s", diff)
			}
			for h, want := range map[string]string{"Content-Type": tc.contentType, "Content-Disposition": tc.disposition,
				"Content-Security-Policy": tc.csp, "X-Content-Type-Options": "nosniff"} {
				if got := res.header.Get(h); got != want {
					t.Errorf("%s: %q, want %q", h, got, want)
				}
			}
			asked := ts.store.asked()
			if len(asked) == 0 || asked[len(asked)-1] != win {
				t.Errorf("Store.Report asked for %v, want %v", asked, win)
			}
		})
	}

	t.Run("api report", func(t *testing.T) {
		var got analyzer.Report
		ts.getJSON(t, "/api/v1/report?from=2025-03-04T18:12:00Z&to=2025-03-04T18:15:00Z", http.StatusOK, &got)
		var want analyzer.Report
		var buf bytes.Buffer
		if err := render.JSON(&buf, rep); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(buf.Bytes(), &want); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if got.Window != win || got.Summary.LB5xx >= realReport(t).Summary.LB5xx {
			t.Errorf("window %v with %d 5xx: not the window asked", got.Window, got.Summary.LB5xx)
		}
	})

	t.Run("open window", func(t *testing.T) {
		res := ts.get(t, "/reports?format=markdown")
		if want := `attachment; filename="negtrace-report-20250304T181000Z-20250304T182459Z.md"`; res.header.Get("Content-Disposition") != want {
			t.Errorf("Content-Disposition %q, want %q (the report's own window)", res.header.Get("Content-Disposition"), want)
		}
		if asked := ts.store.asked(); asked[len(asked)-1] != (analyzer.Window{}) {
			t.Errorf("asked %v, want the open window", asked[len(asked)-1])
		}
	})
}

// TestReportErrors: bad parameters are 400 with the reason; a failing
// store is a 500.
func TestReportErrors(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	for _, tc := range []struct{ query, want string }{
		{"format=pdf", `bad format="pdf"`},
		{"format=text", `bad format="text"`},
		{"format=json&from=tomorrow", `bad from="tomorrow"`},
		{"format=json&to=2025-03-04", `bad to="2025-03-04"`},
		{"format=html&from=2025-03-04T18:15:00Z&to=2025-03-04T18:12:00Z", "is not after"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			res := ts.get(t, "/reports?"+tc.query)
			if res.status != http.StatusBadRequest || !strings.Contains(res.body, tc.want) {
				t.Errorf("status %d %q; want 400 saying %q", res.status, res.body, tc.want)
			}
			if ct := res.header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
	t.Run("api 400", func(t *testing.T) {
		var e apiError
		ts.getJSON(t, "/api/v1/report?from=x", http.StatusBadRequest, &e)
		if !strings.Contains(e.Error, `bad from="x"`) {
			t.Errorf("error %q", e.Error)
		}
	})

	store := &testStore{report: func(context.Context, analyzer.Window) (*analyzer.Report, error) { return nil, errNoReport }}
	store.snap.Store(snapshotOf(realReport(t), true))
	failing := newTestServer(t, store, Options{})
	if res := failing.get(t, "/reports?format=html"); res.status != http.StatusInternalServerError || !strings.Contains(res.body, errNoReport.Error()) {
		t.Errorf("failing store: %d %q, want 500 with the reason", res.status, res.body)
	}
	var e apiError
	failing.getJSON(t, "/api/v1/report", http.StatusInternalServerError, &e)
}

// TestReportConcurrency: at most MaxConcurrentReports reports run at once;
// a request waiting for a turn gives up with its context.
func TestReportConcurrency(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 4)
	store := &testStore{report: func(ctx context.Context, _ analyzer.Window) (*analyzer.Report, error) {
		started <- struct{}{}
		<-release
		return realReport(t), nil
	}}
	store.snap.Store(snapshotOf(realReport(t), true))
	s, err := New(Options{Store: store, Logger: discard(), MaxConcurrentReports: 1})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.report(context.Background(), analyzer.Window{})
		done <- err
	}()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.report(ctx, analyzer.Window{}); err == nil {
		t.Error("a second report ran while the only slot was taken")
	}
	close(release)
	if err := <-done; err != nil {
		t.Error(err)
	}
	if len(started) != 0 {
		t.Error("the waiting report ran after giving up")
	}
}
