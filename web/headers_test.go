package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/negtrace/negtrace/analyzer"

	"golang.org/x/net/html"
)

// routes is every kind of answer the server gives, for the tests that
// must hold on all of them.
var routes = []struct {
	path   string
	status int
}{
	{"/", 200}, {"/timeline", 200}, {"/workloads", 200}, {"/errors", 200}, {"/sources", 200},
	{"/errors?cause=bogus", 400},
	{"/reports?format=json", 200}, {"/reports?format=markdown", 200}, {"/reports?format=html", 200}, {"/reports?format=x", 400},
	{"/api/v1/snapshot", 200}, {"/api/v1/terminations", 200}, {"/api/v1/errors", 200}, {"/api/v1/recommendations", 200},
	{"/api/v1/inputs", 200}, {"/api/v1/timeseries", 200}, {"/api/v1/latency", 200}, {"/api/v1/report", 200},
	{"/api/v1/errors?page=0", 400}, {"/api/v1/nope", 404},
	{"/healthz", 200}, {"/readyz", 200}, {"/metrics", 200},
	{"/static/app.css", 200}, {"/static/app.js", 200}, {"/static/vendor/chart.umd.min.js", 200},
	{"/static/vendor/chartjs-plugin-annotation.min.js", 200}, {"/static/", 404}, {"/static/vendor/", 404},
	{"/static/nope.js", 404}, {"/nope", 404},
}

func metricsStub() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = io.WriteString(w, "negtrace_up 1\n")
	})
}

// TestSecurityHeaders: every answer, errors included, carries the
// hardening headers; only the HTML report relaxes the CSP, to inline
// styles and nothing else.
func TestSecurityHeaders(t *testing.T) {
	ts := newTestServer(t, nil, Options{Metrics: metricsStub()})
	for _, rt := range routes {
		t.Run(rt.path, func(t *testing.T) {
			res := ts.get(t, rt.path)
			if res.status != rt.status {
				t.Errorf("status %d, want %d", res.status, rt.status)
			}
			csp := contentSecurityPolicy
			if rt.path == "/reports?format=html" {
				csp = reportSecurityPolicy
			}
			for h, want := range map[string]string{
				"Content-Security-Policy":    csp,
				"X-Content-Type-Options":     "nosniff",
				"Referrer-Policy":            "no-referrer",
				"X-Frame-Options":            "DENY",
				"Cross-Origin-Opener-Policy": "same-origin",
			} {
				if got := res.header.Get(h); got != want {
					t.Errorf("%s = %q, want %q", h, got, want)
				}
			}
		})
	}
	if strings.Contains(reportSecurityPolicy, "script") || !strings.Contains(reportSecurityPolicy, "default-src 'none'") {
		t.Errorf("the report CSP allows more than inline styles: %s", reportSecurityPolicy)
	}
}

// TestReadOnly: anything but GET and HEAD is 405, on every route.
func TestReadOnly(t *testing.T) {
	ts := newTestServer(t, nil, Options{Metrics: metricsStub()})
	for _, rt := range routes {
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
			res := ts.do(t, m, rt.path)
			if res.status != http.StatusMethodNotAllowed || res.header.Get("Allow") != "GET, HEAD" {
				t.Errorf("%s %s: %d Allow %q, want 405 Allow \"GET, HEAD\"", m, rt.path, res.status, res.header.Get("Allow"))
			}
			if res.header.Get("Content-Security-Policy") != contentSecurityPolicy {
				t.Errorf("%s %s: no CSP on the 405", m, rt.path)
			}
		}
	}
	for _, path := range []string{"/", "/api/v1/snapshot", "/static/app.js"} {
		res := ts.do(t, http.MethodHead, path)
		if res.status != http.StatusOK || res.body != "" {
			t.Errorf("HEAD %s: %d with %d bytes, want 200 and no body", path, res.status, len(res.body))
		}
	}
}

// TestMetrics: /metrics is Options.Metrics, or 404 without it.
func TestMetrics(t *testing.T) {
	with := newTestServer(t, nil, Options{Metrics: metricsStub()})
	if res := with.get(t, "/metrics"); res.status != 200 || res.body != "negtrace_up 1\n" {
		t.Errorf("with Metrics: %d %q", res.status, res.body)
	}
	without := newTestServer(t, nil, Options{})
	if res := without.get(t, "/metrics"); res.status != 404 {
		t.Errorf("without Metrics: %d, want 404", res.status)
	}
}

// TestNoInlineCode: the pages hold no inline script, style element or
// style attribute (the CSP would block them), and every script and
// stylesheet they load is served.
func TestNoInlineCode(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	for _, path := range []string{"/", "/timeline", "/workloads", "/errors", "/sources", "/errors?cause=bogus"} {
		t.Run(path, func(t *testing.T) {
			z := html.NewTokenizer(strings.NewReader(ts.get(t, path).body))
			var inScript bool
			for {
				tt := z.Next()
				if tt == html.ErrorToken {
					if z.Err() != io.EOF {
						t.Fatal(z.Err())
					}
					return
				}
				tok := z.Token()
				switch tt {
				case html.StartTagToken, html.SelfClosingTagToken:
					attr := map[string]string{}
					for _, a := range tok.Attr {
						attr[a.Key] = a.Val
						if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
							t.Errorf("<%s %s=%q>: inline code", tok.Data, a.Key, a.Val)
						}
					}
					switch tok.Data {
					case "style":
						t.Error("inline <style> element")
					case "script":
						inScript = true
						if attr["src"] == "" {
							t.Error("inline <script>")
						} else if res := ts.get(t, attr["src"]); res.status != 200 || !strings.Contains(res.header.Get("Content-Type"), "javascript") {
							t.Errorf("script %s: %d %s", attr["src"], res.status, res.header.Get("Content-Type"))
						}
					case "link":
						if res := ts.get(t, attr["href"]); res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), "text/css") {
							t.Errorf("stylesheet %s: %d %s", attr["href"], res.status, res.header.Get("Content-Type"))
						}
					}
				case html.TextToken:
					if inScript && strings.TrimSpace(tok.Data) != "" {
						t.Errorf("inline script text %q", tok.Data)
					}
				case html.EndTagToken:
					inScript = false
				}
			}
		})
	}
}

// panicStore panics, as a buggy store might.
type panicStore struct{}

func (panicStore) Snapshot() *analyzer.Snapshot { panic("boom") }
func (panicStore) Report(context.Context, analyzer.Window) (*analyzer.Report, error) {
	panic("boom")
}

// TestLoggingAndPanics: requests are logged at debug level; a panic is a
// logged 500 with the security headers, and the server goes on.
func TestLoggingAndPanics(t *testing.T) {
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := New(Options{Store: panicStore{}, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{Server: httptest.NewServer(s)}
	defer ts.Close()
	res := ts.get(t, "/readyz")
	if res.status != http.StatusInternalServerError || res.header.Get("Content-Security-Policy") != contentSecurityPolicy {
		t.Errorf("panic: %d, CSP %q", res.status, res.header.Get("Content-Security-Policy"))
	}
	if res := ts.get(t, "/healthz"); res.status != http.StatusOK {
		t.Errorf("after a panic /healthz is %d", res.status)
	}
	logs := buf.String()
	for _, want := range []string{`msg="handler panic" method=GET path=/readyz panic=boom`, `msg="http request" method=GET path=/healthz status=200`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestNewValidates: the required options are required.
func TestNewValidates(t *testing.T) {
	for name, opts := range map[string]Options{
		"no store":  {Logger: discard()},
		"no logger": {Store: &testStore{}},
		"negative":  {Store: &testStore{}, Logger: discard(), MaxConcurrentReports: -1},
	} {
		if _, err := New(opts); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
