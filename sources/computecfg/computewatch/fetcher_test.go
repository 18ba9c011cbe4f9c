package computewatch

import (
	"context"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/compute/apiv1/computepb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/computecfg"
	ct "github.com/negtrace/negtrace/sources/computecfg/computecfgtest"
	"github.com/negtrace/negtrace/sources/state"
)

// world is a project with two NEG-backed global services sharing a health
// check, an instance-group service, and a sampled regional NEG service.
func world(t *testing.T) *ct.Server {
	web := ct.BackendService(project, "", "k8s1-web", "us-central1-a", "us-central1-b")
	admin := ct.BackendService(project, "", "k8s1-admin", "us-central1-a")
	admin.HealthChecks = web.HealthChecks
	admin.ConnectionDraining.DrainingTimeoutSec = proto.Int32(20)
	ig := ct.InstanceGroupBackendService(project, "k8s-be-30872", "us-central1-a")
	api := ct.BackendService(project, "europe-west1", "gkegw1-api", "europe-west1-b")
	api.LogConfig.SampleRate = proto.Float32(0.5)
	api.TimeoutSec = proto.Int32(60)
	apiHC := ct.HealthCheck(project, "europe-west1", "gkegw1-api")
	apiHC.CheckIntervalSec = proto.Int32(5)
	apiHC.HttpHealthCheck.RequestPath = proto.String("/ready")
	return ct.NewServer(t,
		[]*computepb.BackendService{web, admin, ig, api},
		[]*computepb.HealthCheck{ct.HealthCheck(project, "", "k8s1-web"), apiHC, ct.HealthCheck(project, "", "k8s-be-30872")})
}

// gkeCheck is the health check ct.HealthCheck builds, as read.
func gkeCheck(name string) *computecfg.HealthCheck {
	return &computecfg.HealthCheck{Name: name, Type: "HTTP", IntervalSec: 15, TimeoutSec: 15, HealthyThreshold: 1, UnhealthyThreshold: 2, RequestPath: "/"}
}

var (
	wantAdmin = computecfg.Backend{
		Name: "k8s1-admin", Project: project, Scheme: "EXTERNAL", TimeoutSec: 30, DrainingTimeoutSec: 20,
		LogEnabled: true, SampleRate: 1, NEGs: []computecfg.NEGRef{{Zone: "us-central1-a", Name: "k8s1-admin"}},
		HealthCheck: gkeCheck("k8s1-web"), FetchedAt: now,
	}
	wantWeb = computecfg.Backend{
		Name: "k8s1-web", Project: project, Scheme: "EXTERNAL", TimeoutSec: 30,
		LogEnabled: true, SampleRate: 1,
		NEGs:        []computecfg.NEGRef{{Zone: "us-central1-a", Name: "k8s1-web"}, {Zone: "us-central1-b", Name: "k8s1-web"}},
		HealthCheck: gkeCheck("k8s1-web"), FetchedAt: now,
	}
	wantAPI = computecfg.Backend{
		Name: "gkegw1-api", Project: project, Region: "europe-west1", Scheme: "EXTERNAL_MANAGED", TimeoutSec: 60,
		LogEnabled: true, SampleRate: 0.5, NEGs: []computecfg.NEGRef{{Zone: "europe-west1-b", Name: "gkegw1-api"}},
		HealthCheck: &computecfg.HealthCheck{Name: "gkegw1-api", Type: "HTTP", IntervalSec: 5, TimeoutSec: 15, HealthyThreshold: 1, UnhealthyThreshold: 2, RequestPath: "/ready"},
		FetchedAt:   now,
	}
)

func TestRunListsNEGBackedServices(t *testing.T) {
	srv := world(t)
	srv.SetPageSize(1) // the global list comes in three pages
	rec, att := newRecorder(), &attempts{}
	opts := options(srv, rec, att)
	opts.Regions = []string{"europe-west1"}
	f := start(t, opts)

	got := rec.next(t)
	want := state.Batch{Source: "compute", Backends: []computecfg.Backend{wantAdmin, wantWeb, wantAPI}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("batch (-want +got):\n%s", diff)
	}
	st := waitStatus(t, f, "ok", func(s analyzer.SourceStatus) bool { return s.State == analyzer.SourceOK })
	wantSt := analyzer.SourceStatus{Name: "compute", State: analyzer.SourceOK, LastSuccess: now, Records: 3}
	if diff := cmp.Diff(wantSt, st); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
	calls := map[string]int{
		ct.BackendServicesList:       3,
		ct.RegionBackendServicesList: 1,
		ct.HealthChecksGet:           1, // shared by web and admin: read once
		ct.RegionHealthChecksGet:     1,
		ct.BackendServicesGet:        0,
	}
	for m, n := range calls {
		if got := srv.Count(m); got != n {
			t.Errorf("%s called %d times, want %d", m, got, n)
		}
	}
	if len(att.get()) != 0 {
		t.Errorf("backoff asked %v after a clean read", att.get())
	}
}

func TestRunRereadsEveryInterval(t *testing.T) {
	srv := world(t)
	rec, att := newRecorder(), &attempts{}
	opts := options(srv, rec, att)
	opts.Interval = 10 * time.Millisecond
	start(t, opts)
	first := rec.next(t)
	// A change in the API shows in a later read.
	changed := ct.BackendService(project, "", "k8s1-web", "us-central1-a", "us-central1-b")
	changed.ConnectionDraining.DrainingTimeoutSec = proto.Int32(90)
	srv.PutBackendService(changed)
	deadline := time.Now().Add(10 * time.Second)
	for {
		b := rec.next(t)
		if len(b.Backends) == 2 && b.Backends[1].DrainingTimeoutSec == 90 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("draining change never read; last batch %+v", b)
		}
	}
	if len(first.Backends) != 2 || first.Backends[1].DrainingTimeoutSec != 0 {
		t.Errorf("first batch %+v, want web with draining 0", first.Backends)
	}
}

func TestRunNamedBackendServices(t *testing.T) {
	srv := world(t)
	rec, att := newRecorder(), &attempts{}
	opts := options(srv, rec, att)
	opts.BackendServices = []string{"k8s1-web", "gkegw1-api", "k8s-be-30872", "ghost"}
	opts.Regions = []string{"europe-west1"}
	f := start(t, opts)

	got := rec.next(t)
	// Named services are read whatever their backends: the instance-group
	// one is included.
	wantIG := computecfg.Backend{
		Name: "k8s-be-30872", Project: project, Scheme: "EXTERNAL", TimeoutSec: 30,
		LogEnabled: true, SampleRate: 1, HealthCheck: gkeCheck("k8s-be-30872"), FetchedAt: now,
	}
	want := state.Batch{Source: "compute", Backends: []computecfg.Backend{wantWeb, wantAPI, wantIG}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("batch (-want +got):\n%s", diff)
	}
	st := waitStatus(t, f, "degraded", func(s analyzer.SourceStatus) bool { return s.State == analyzer.SourceDegraded })
	if !strings.Contains(st.Message, "ghost not found in project shop-prod (global and regions europe-west1)") {
		t.Errorf("message %q does not name the missing service and where it was looked for", st.Message)
	}
	if st.LastSuccess != now || st.Errors != 0 {
		t.Errorf("status %+v: a missing name is not a failed call", st)
	}
	if got, want := srv.Count(ct.BackendServicesGet), 4; got != want {
		t.Errorf("global gets %d, want %d", got, want)
	}
	if got, want := srv.Count(ct.RegionBackendServicesGet), 4; got != want {
		t.Errorf("regional gets %d, want %d", got, want)
	}
	if srv.Count(ct.BackendServicesList)+srv.Count(ct.RegionBackendServicesList) != 0 {
		t.Error("named services were listed, want got")
	}
}

func TestStatusBeforeRun(t *testing.T) {
	srv := world(t)
	f, err := New(context.Background(), options(srv, newRecorder(), &attempts{}))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := analyzer.SourceStatus{Name: "compute", State: analyzer.SourceDown, Message: "waiting for the first read of the Compute API"}
	if diff := cmp.Diff(want, f.Status()); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
	if srv.Total() != 0 {
		t.Errorf("New made %d API calls, want 0", srv.Total())
	}
}

func TestNothingFound(t *testing.T) {
	srv := ct.NewServer(t, []*computepb.BackendService{ct.InstanceGroupBackendService(project, "ig", "z")}, nil)
	rec, att := newRecorder(), &attempts{}
	f := start(t, options(srv, rec, att))
	st := waitStatus(t, f, "read", func(s analyzer.SourceStatus) bool { return !s.LastSuccess.IsZero() })
	if st.State != analyzer.SourceOK || !strings.Contains(st.Message, "no backend service with a zonal NEG backend in project shop-prod (global)") {
		t.Errorf("status %+v, want ok saying nothing was found", st)
	}
	if n := len(rec.all()); n != 0 {
		t.Errorf("%d batches applied, want none when nothing was read", n)
	}
}

func TestRunStopsDuringBackoff(t *testing.T) {
	srv := world(t)
	srv.Inject(ct.Fault{Code: 403})
	rec := newRecorder()
	opts := options(srv, rec, &attempts{})
	opts.Backoff = func(int) time.Duration { return time.Hour }
	f, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	waitStatus(t, f, "down", func(s analyzer.SourceStatus) bool { return s.State == analyzer.SourceDown && s.Errors > 0 })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return during its backoff")
	}
}
