package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/export"
)

// scenario is the bundled demo incident the tests analyse for real.
const scenario = "../testdata/scenarios/rollout-race"

// analyse runs the real pipeline (export.Read + analyzer.Analyze) on the
// scenario for window w.
func analyse(ctx context.Context, w analyzer.Window) (*analyzer.Report, error) {
	col := analyzer.NewCollector(w)
	if err := export.Read(ctx, []string{scenario}, export.Options{Collector: col, Logger: slog.New(slog.DiscardHandler)}); err != nil {
		return nil, err
	}
	return analyzer.Analyze(col.Evidence(), analyzer.DefaultOptions())
}

var (
	demoOnce   sync.Once
	demoReport *analyzer.Report
	demoErr    error
)

// realReport is the analysis of the whole scenario, made once. Tests
// must not modify it: use freshReport for a copy to change.
func realReport(t *testing.T) *analyzer.Report {
	t.Helper()
	demoOnce.Do(func() { demoReport, demoErr = analyse(context.Background(), analyzer.Window{}) })
	if demoErr != nil {
		t.Fatalf("analyse %s: %v", scenario, demoErr)
	}
	return demoReport
}

// freshReport is a deep copy of realReport, through its JSON form.
func freshReport(t *testing.T) *analyzer.Report {
	t.Helper()
	b, err := json.Marshal(realReport(t))
	if err != nil {
		t.Fatal(err)
	}
	var r analyzer.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// testStore is the Store seam: a snapshot set by the test, and reports
// made by a function (by default the real analysis of the scenario).
type testStore struct {
	snap   atomic.Pointer[analyzer.Snapshot]
	report func(ctx context.Context, w analyzer.Window) (*analyzer.Report, error)

	mu      sync.Mutex
	windows []analyzer.Window // asked of Report
}

func (s *testStore) Snapshot() *analyzer.Snapshot { return s.snap.Load() }

func (s *testStore) Report(ctx context.Context, w analyzer.Window) (*analyzer.Report, error) {
	s.mu.Lock()
	s.windows = append(s.windows, w)
	s.mu.Unlock()
	if s.report == nil {
		return analyse(ctx, w)
	}
	return s.report(ctx, w)
}

func (s *testStore) asked() []analyzer.Window {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]analyzer.Window(nil), s.windows...)
}

// updated is the fixed analysis time of test snapshots.
var updated = time.Date(2025, 3, 4, 18, 30, 0, 0, time.UTC)

// snapshotOf wraps r as a store would publish it.
func snapshotOf(r *analyzer.Report, demo bool) *analyzer.Snapshot {
	return &analyzer.Snapshot{
		Report: r, Origin: "bundled demo incident (rollout-race)", Demo: demo, Updated: updated,
		Sources: []analyzer.SourceStatus{{Name: "evidence", State: analyzer.SourceOK, LastSuccess: updated, Records: 4965}},
	}
}

// testServer serves a web.Server over real HTTP.
type testServer struct {
	*httptest.Server
	store *testStore
}

// newTestServer starts a server over store (a snapshot of the real
// report when snap is nil and store is nil).
func newTestServer(t *testing.T, store *testStore, opts Options) *testServer {
	t.Helper()
	if store == nil {
		store = &testStore{}
		store.snap.Store(snapshotOf(realReport(t), true))
	}
	opts.Store = store
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return updated }
	}
	if opts.Version == "" {
		opts.Version = "v0.0.0-test"
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &testServer{Server: ts, store: store}
}

// response is what a request gave.
type response struct {
	status int
	header http.Header
	body   string
}

func (ts *testServer) do(t *testing.T, method, path string) response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (ts *testServer) get(t *testing.T, path string) response {
	t.Helper()
	return ts.do(t, http.MethodGet, path)
}

// getJSON GETs path, wants status, and decodes the body into v.
func (ts *testServer) getJSON(t *testing.T, path string, status int, v any) response {
	t.Helper()
	res := ts.get(t, path)
	if res.status != status {
		t.Fatalf("GET %s: status %d, want %d; body:\n%.500s", path, res.status, status, res.body)
	}
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET %s: Content-Type %q, want application/json", path, ct)
	}
	dec := json.NewDecoder(strings.NewReader(res.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("GET %s: decode %T: %v\n%.500s", path, v, err, res.body)
	}
	return res
}

var errNoReport = errors.New("store failed")

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
