package cloudlog

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/negtrace/negtrace/sources/cloudlog/cloudlogtest"
	"github.com/negtrace/negtrace/sources/kube"
	"github.com/negtrace/negtrace/sources/lblog"
	"github.com/negtrace/negtrace/sources/negops"
	"github.com/negtrace/negtrace/sources/state"
)

// scenarios are the simulated incidents under testdata/scenarios.
var scenarios = []string{"rollout-race", "scale-down-drain", "safe-prestop", "lookalikes", "lost-evidence"}

func scenarioDir(name string) string {
	return filepath.Join("..", "..", "testdata", "scenarios", name)
}

// testNow is the fixed clock of the reader tests: after every scenario.
var testNow = time.Date(2025, 3, 4, 19, 0, 0, 0, time.UTC)

// cmpRecords compares records holding netip.Addr values.
var cmpRecords = cmp.Options{cmpopts.EquateComparable(netip.Addr{}), cmpopts.EquateEmpty()}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// rawEntries reads the LogEntry JSON objects of a scenario's Cloud Logging
// files as they are on disk.
func rawEntries(t *testing.T, dir string) []json.RawMessage {
	t.Helper()
	var out []json.RawMessage
	for _, name := range cloudlogtest.ScenarioFiles {
		f, err := os.Open(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var r io.Reader = f
		if strings.HasSuffix(name, ".gz") {
			zr, err := gzip.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			r = zr
		}
		dec := json.NewDecoder(bufio.NewReader(r))
		if !strings.HasSuffix(name, ".gz") {
			var arr []json.RawMessage
			if err := dec.Decode(&arr); err != nil {
				t.Fatal(err)
			}
			out = append(out, arr...)
			continue
		}
		for {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err == io.EOF {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			out = append(out, raw)
		}
	}
	return out
}

// records are the records a reader handed over, deduplicated as the state
// database does.
type records struct {
	Requests map[string]lblog.Request
	Audit    map[string]negops.AuditEntry
	Events   map[string]kube.Event
}

func newRecords() records {
	return records{map[string]lblog.Request{}, map[string]negops.AuditEntry{}, map[string]kube.Event{}}
}

func reqKey(r lblog.Request) string { return r.InsertID + "|" + r.Time.Format(time.RFC3339Nano) }
func auditKey(a negops.AuditEntry) string {
	return a.InsertID + "|" + a.Time.Format(time.RFC3339Nano) + "|" + a.OperationID
}
func eventKey(e kube.Event) string { return e.InsertID + "|" + e.Time.Format(time.RFC3339Nano) }

func (rs records) add(b state.Batch) {
	for _, r := range b.Requests {
		rs.Requests[reqKey(r)] = r
	}
	for _, a := range b.Audit {
		rs.Audit[auditKey(a)] = a
	}
	for _, e := range b.Events {
		rs.Events[eventKey(e)] = e
	}
}

func (rs records) len() int { return len(rs.Requests) + len(rs.Audit) + len(rs.Events) }

// expected is what the reader should hand over of raw entries: what the
// file parsers make of the LB entries with status >= 500, the NEG audit
// entries and the events with the reasons of the filter.
func expected(t *testing.T, raws []json.RawMessage) records {
	t.Helper()
	want := newRecords()
	for _, raw := range raws {
		if r, err := lblog.Parse(raw); err == nil {
			if r.Status >= 500 {
				want.Requests[reqKey(r)] = r
			}
			continue
		}
		if a, err := negops.ParseAuditEntry(raw); err == nil {
			want.Audit[auditKey(a)] = a
			continue
		}
		if e, err := kube.EventFromLogEntry(raw); err == nil {
			if slices.Contains(eventReasons, e.Reason) {
				want.Events[eventKey(e)] = e
			}
			continue
		}
		t.Fatalf("entry readable by no parser: %s", raw)
	}
	return want
}

// sink is a test ApplyFunc: it keeps every batch and the deduplicated
// records, and fails while failures remain.
type sink struct {
	mu       sync.Mutex
	batches  []state.Batch
	recs     records
	failures int
}

func newSink() *sink { return &sink{recs: newRecords()} }

func (s *sink) apply(ctx context.Context, b state.Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failures > 0 {
		s.failures--
		return errors.New("disk full")
	}
	s.batches = append(s.batches, b)
	s.recs.add(b)
	return nil
}

func (s *sink) snapshot() (records, []state.Batch) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := records{maps.Clone(s.recs.Requests), maps.Clone(s.recs.Audit), maps.Clone(s.recs.Events)}
	return out, slices.Clone(s.batches)
}

// has reports whether a request with insertId id was applied.
func (s *sink) has(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.recs.Requests {
		if r.InsertID == id {
			return true
		}
	}
	return false
}

// batchOf returns the first batch holding the request with insertId id.
func (s *sink) batchOf(id string) (state.Batch, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.batches {
		for _, r := range b.Requests {
			if r.InsertID == id {
				return b, true
			}
		}
	}
	return state.Batch{}, false
}

// waitFor polls cond until it holds or ctx is done.
func waitFor(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
		}
	}
}

// runReader starts r.Run and returns a function that stops it and checks
// that Run returned nil.
func runReader(ctx context.Context, t *testing.T, r *Reader) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run returned %v, want nil", err)
				}
			case <-time.After(10 * time.Second):
				t.Errorf("Run did not return after cancel")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// fastOptions are reader options for tests against srv: fixed clock,
// short poll and backoff.
func fastOptions(t *testing.T, srv *cloudlogtest.Server, s *sink) Options {
	return Options{
		Client:   srv.Client(t),
		Project:  "projects/shop-prod",
		Apply:    s.apply,
		Backfill: 2 * time.Hour,
		Poll:     20 * time.Millisecond,
		Now:      func() time.Time { return testNow },
		Backoff:  func(int) time.Duration { return 5 * time.Millisecond },
	}
}

// lbEntry is an LB 5xx entry (as Cloud Logging returns it) at ts.
func lbEntry(t *testing.T, id string, ts time.Time, status int) *loggingpb.LogEntry {
	t.Helper()
	raw := `{"insertId":"` + id + `","logName":"projects/shop-prod/logs/requests","timestamp":"` + ts.Format(time.RFC3339Nano) + `",
	"resource":{"type":"http_load_balancer","labels":{"backend_service_name":"k8s1-d4bae62c-shop-web-80-c11dde4c"}},
	"httpRequest":{"requestMethod":"GET","status":` + strconv.Itoa(status) + `,"serverIp":"10.52.1.7:8080","latency":"0.002s"},
	"jsonPayload":{"@type":"type.googleapis.com/google.cloud.loadbalancing.type.LoadBalancerLogEntry","statusDetails":"failed_to_connect_to_backend"}}`
	e, err := cloudlogtest.DecodeEntry([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func loadScenario(t *testing.T, name string) []*loggingpb.LogEntry {
	t.Helper()
	entries, err := cloudlogtest.LoadScenario(scenarioDir(name))
	if err != nil {
		t.Fatal(err)
	}
	return entries
}
