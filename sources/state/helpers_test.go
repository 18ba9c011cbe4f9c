package state

import (
	"bufio"
	"compress/gzip"
	"context"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/computecfg"
	"github.com/negtrace/negtrace/sources/export"
	"github.com/negtrace/negtrace/sources/kube"
	"github.com/negtrace/negtrace/sources/lblog"
	"github.com/negtrace/negtrace/sources/negops"
)

// t0 is the base time of the hand-made records.
var t0 = time.Date(2026, 3, 14, 10, 0, 0, 123456789, time.UTC)

// cmpOpts compare records and evidence: netip.Addr by value, times by
// instant and location (stored times come back in UTC), and unexported
// fields (analyzer.Traffic) by value.
var cmpOpts = cmp.Options{
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
	cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) && a.Location().String() == b.Location().String() }),
	cmp.Exporter(func(reflect.Type) bool { return true }),
}

// openTest opens a database file in a fresh temporary folder (or at path,
// when given) and closes it at the end of the test.
func openTest(t testing.TB, opts Options) *DB {
	t.Helper()
	if opts.Path == "" {
		opts.Path = filepath.Join(t.TempDir(), "state.db")
	}
	db, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// fixedClock is a settable clock, safe for concurrent use.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fixedClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func ptr[T any](v T) *T { return &v }

// request is an LB entry to ip at t.
func request(id string, t time.Time, status int, ip string) lblog.Request {
	r := lblog.Request{InsertID: id, Time: t, Status: status, ResourceType: lblog.ResourceGlobal, BackendService: "k8s1-web"}
	if ip != "" {
		r.ServerIP = netip.MustParseAddr(ip)
		r.ServerPort = 8080
	}
	if status >= 500 {
		r.StatusDetails = lblog.FailedToConnect
	}
	return r
}

// fullRequest and the others below set every field, so a round trip that
// loses one shows (TestFixturesComplete keeps them complete).
func fullRequest() lblog.Request {
	return lblog.Request{
		InsertID: "1abc", Time: t0, Status: 502, StatusDetails: lblog.FailedToConnect,
		ServerIP: netip.MustParseAddr("10.8.1.7"), ServerPort: 8080, BackendService: "k8s1-web-80",
		ResourceType: lblog.ResourceGlobal, Latency: 1234567 * time.Microsecond, Method: "GET",
		URL: "https://example.com/a?b=<script>", UserAgent: "curl/8.5\x00", RemoteIP: "203.0.113.9",
	}
}

func fullAudit() negops.AuditEntry {
	return negops.AuditEntry{
		InsertID: "-x1", Time: t0.Add(time.Second), OperationID: "operation-1", First: true, Last: true,
		Kind: negops.Detach, Method: "v1.compute.networkEndpointGroups.detachNetworkEndpoints",
		Project: "p", Zone: "europe-west1-b", NEG: "k8s1-neg",
		Endpoints: []negops.Endpoint{
			{IP: netip.MustParseAddr("10.8.1.7"), Port: 8080, Instance: "node-1"},
			{IP: netip.MustParseAddr("fd00::7"), Port: 8443, Instance: "node-2"},
		},
		StatusCode: 9, StatusMessage: "failed precondition",
	}
}

func fullEvent() kube.Event {
	return kube.Event{
		InsertID: "ev1", Namespace: "shop", Name: "web-1.17", Kind: "Pod", ObjectName: "web-1", ObjectUID: "uid-1",
		FieldPath: "spec.containers{web}", Reason: kube.ReasonKilling, Message: "Stopping container web",
		Type: "Normal", Component: "kubelet", Host: "node-1", Time: t0.Add(2 * time.Second),
		FirstTime: t0.Add(-time.Minute), Count: 3,
	}
}

func fullPod() kube.Pod {
	return kube.Pod{
		UID: "uid-1", Namespace: "shop", Name: "web-1", Node: "node-1",
		IP:       netip.MustParseAddr("10.8.1.7"),
		IPs:      []netip.Addr{netip.MustParseAddr("10.8.1.7"), netip.MustParseAddr("fd00::7")},
		Workload: "shop/web", OwnerKind: "ReplicaSet",
		Created: t0.Add(-time.Hour), Started: t0.Add(-59 * time.Minute), ReadyAt: t0.Add(-58 * time.Minute),
		Deletion: t0.Add(30 * time.Second), DeletionGrace: ptr(int64(30)), TerminationGrace: 30,
		PreStop:   kube.PreStop{Kind: kube.PreStopExecSleep, Seconds: 5.5, Command: []string{"sh", "-c", "sleep 5.5"}},
		Container: "web", Ports: []int{8080, 9090},
		Exits: []kube.ContainerExit{{Container: "web", ExitCode: 143, Signal: 15, Reason: "Error",
			StartedAt: t0.Add(-59 * time.Minute), FinishedAt: t0.Add(12 * time.Second)}},
		Phase: "Running", ResourceVersion: "1001", Deleted: true,
	}
}

func fullSlice() kube.EndpointSlice {
	return kube.EndpointSlice{
		Namespace: "shop", Name: "web-abc", Service: "web",
		Ports: []kube.SlicePort{{Name: "http", Port: 8080}},
		Endpoints: []kube.SliceEndpoint{{
			Addresses: []netip.Addr{netip.MustParseAddr("10.8.1.7")}, Ready: true, Serving: true, Terminating: true,
			PodUID: "uid-1", PodName: "web-1", Node: "node-1", Zone: "europe-west1-b",
		}},
		ResourceVersion: "2002",
	}
}

func fullService() kube.Service {
	return kube.Service{
		Namespace: "shop", Name: "web", UID: "svc-uid",
		NEGs: map[string]string{"80": "k8s1-neg"}, Zones: []string{"europe-west1-b", "europe-west1-c"},
		TargetPorts: map[int]int{80: 8080},
	}
}

func fullBackend() computecfg.Backend {
	return computecfg.Backend{
		Name: "k8s1-web-80", Project: "p", Region: "europe-west1", Scheme: "EXTERNAL_MANAGED",
		TimeoutSec: 30, DrainingTimeoutSec: 10, LogEnabled: true, SampleRate: 0.5,
		NEGs: []computecfg.NEGRef{{Zone: "europe-west1-b", Name: "k8s1-neg"}},
		HealthCheck: &computecfg.HealthCheck{Name: "hc", Type: "HTTP", IntervalSec: 5, TimeoutSec: 5,
			HealthyThreshold: 2, UnhealthyThreshold: 3, RequestPath: "/healthz"},
		FetchedAt: t0,
	}
}

// corpus is a simulated incident's records, as read from the exported
// files in testdata/scenarios: every LB entry (not only the errors), audit
// entries, events, pod and slice versions, Services.
type corpus struct {
	batch Batch
	ev    *analyzer.Evidence // what sources/export read from the same files
}

var (
	corpusOnce sync.Once
	corpusVal  corpus
	corpusErr  error
)

// scenario is the bundled incident the corpus is read from.
const scenario = "../../testdata/scenarios/rollout-race"

// loadCorpus reads the scenario once per test binary.
func loadCorpus(t testing.TB) corpus {
	t.Helper()
	corpusOnce.Do(func() { corpusVal, corpusErr = readCorpus() })
	if corpusErr != nil {
		t.Fatalf("read %s: %v", scenario, corpusErr)
	}
	return corpusVal
}

func readCorpus() (corpus, error) {
	c := analyzer.NewCollector(analyzer.Window{})
	if err := export.Read(context.Background(), []string{scenario}, export.Options{Collector: c, Logger: slog.New(slog.DiscardHandler)}); err != nil {
		return corpus{}, err
	}
	ev := c.Evidence()
	reqs, err := readLB(filepath.Join(scenario, "lb-requests.jsonl.gz"))
	if err != nil {
		return corpus{}, err
	}
	return corpus{
		batch: Batch{Source: "cloud-logging", Requests: reqs, Audit: ev.Audit, Events: ev.Events, Pods: ev.Pods, Slices: ev.Slices, Services: ev.Services},
		ev:    ev,
	}, nil
}

// readLB parses every LB entry of a gzipped NDJSON file.
func readLB(path string) ([]lblog.Request, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var out []lblog.Request
	for sc.Scan() {
		if r, err := lblog.Parse(sc.Bytes()); err == nil {
			out = append(out, r)
		}
	}
	return out, sc.Err()
}
