package computewatch

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/compute/apiv1/computepb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/option"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/computecfg"
	ct "github.com/negtrace/negtrace/sources/computecfg/computecfgtest"
)

func isState(state string) func(analyzer.SourceStatus) bool {
	return func(s analyzer.SourceStatus) bool { return s.State == state }
}

func TestPermissionDeniedThenRecovery(t *testing.T) {
	srv := world(t)
	srv.Inject(ct.Fault{Code: 403})
	rec, att := newRecorder(), &attempts{}
	opts := options(srv, rec, att)
	opts.Interval = 20 * time.Millisecond
	f := start(t, opts)

	// Never read: down, with the role and the command that grants it.
	st := waitStatus(t, f, "down after 3 failures", func(s analyzer.SourceStatus) bool {
		return s.State == analyzer.SourceDown && s.Errors >= 3
	})
	for _, want := range []string{
		"permission denied by the Compute API (Required 'compute.backendServices.list' permission for 'projects/shop-prod/global/backendServices')",
		"grant roles/compute.viewer on project shop-prod",
		"gcloud projects add-iam-policy-binding shop-prod --member=serviceAccount:SA_EMAIL --role=roles/compute.viewer",
	} {
		if !strings.Contains(st.Message, want) {
			t.Errorf("message %q lacks %q", st.Message, want)
		}
	}
	if n := len(rec.all()); n != 0 {
		t.Fatalf("%d batches applied while every call failed", n)
	}
	if a := att.get(); len(a) < 3 || !slices.Equal(a[:3], []int{1, 2, 3}) {
		t.Errorf("backoff attempts %v, want 1, 2, 3, … on consecutive failures", a)
	}

	// The role is granted: the next read succeeds and the source is ok.
	srv.Clear()
	b := rec.next(t)
	if diff := cmp.Diff([]computecfg.Backend{wantAdmin, wantWeb}, b.Backends); diff != "" {
		t.Errorf("backends after recovery (-want +got):\n%s", diff)
	}
	st = waitStatus(t, f, "ok", isState(analyzer.SourceOK))
	if st.Message != "" || st.LastSuccess != now {
		t.Errorf("status after recovery %+v, want no message and a last success", st)
	}

	// Revoked again after a success: degraded (not down), then ok again.
	srv.Inject(ct.Fault{Code: 403})
	st = waitStatus(t, f, "degraded", isState(analyzer.SourceDegraded))
	if !strings.Contains(st.Message, "roles/compute.viewer") || st.LastSuccess != now {
		t.Errorf("status %+v, want degraded with the role message and the last success kept", st)
	}
	srv.Clear()
	waitStatus(t, f, "ok again", isState(analyzer.SourceOK))
}

func TestUnavailableRetriedByTheClient(t *testing.T) {
	for _, method := range []string{
		ct.BackendServicesList, ct.RegionBackendServicesList, ct.BackendServicesGet, ct.RegionBackendServicesGet,
		ct.HealthChecksGet, ct.RegionHealthChecksGet,
	} {
		t.Run(method, func(t *testing.T) {
			srv := world(t)
			srv.Inject(ct.Fault{Method: method, Code: 503, Times: 2})
			rec, att := newRecorder(), &attempts{}
			opts := options(srv, rec, att)
			opts.Regions = []string{"europe-west1"}
			want := []computecfg.Backend{wantAdmin, wantWeb, wantAPI}
			if strings.HasSuffix(method, ".get") && strings.Contains(method, "ackendServices") {
				opts.BackendServices = []string{"k8s1-web", "gkegw1-api"}
				want = []computecfg.Backend{wantWeb, wantAPI}
			}
			f := start(t, opts)

			b := rec.next(t)
			if diff := cmp.Diff(want, b.Backends); diff != "" {
				t.Errorf("backends (-want +got):\n%s", diff)
			}
			if got := srv.Count(method); got < 3 {
				t.Errorf("%s called %d times, want at least 3 (two 503s retried by the client)", method, got)
			}
			st := waitStatus(t, f, "ok", isState(analyzer.SourceOK))
			if st.Errors != 0 || len(att.get()) != 0 {
				t.Errorf("status %+v, backoff %v: retried 503s are not failures", st, att.get())
			}
		})
	}
}

func TestUnavailableBeyondTheTimeout(t *testing.T) {
	srv := world(t)
	srv.Inject(ct.Fault{Code: 503})
	rec, att := newRecorder(), &attempts{}
	opts := options(srv, rec, att)
	opts.Timeout = 300 * time.Millisecond
	f := start(t, opts)

	st := waitStatus(t, f, "down", func(s analyzer.SourceStatus) bool { return s.State == analyzer.SourceDown && s.Errors > 0 })
	if !strings.Contains(st.Message, "retrying with backoff") {
		t.Errorf("message %q, want it to say the read is retried", st.Message)
	}
	if srv.Count(ct.BackendServicesList) < 2 {
		t.Errorf("list called %d times, want the client to retry 503s", srv.Count(ct.BackendServicesList))
	}
	srv.Clear()
	rec.next(t)
	waitStatus(t, f, "ok", isState(analyzer.SourceOK))
}

func TestFaultMessages(t *testing.T) {
	tests := []struct {
		name  string
		fault ct.Fault
		want  string
	}{
		{
			name:  "quota",
			fault: ct.Fault{Code: 429},
			want:  "Compute API read quota exhausted (Quota exceeded for quota metric 'Read requests'",
		},
		{
			name:  "rate limit answered as 403",
			fault: ct.Fault{Code: 403, Reason: "rateLimitExceeded"},
			want:  "Compute API read quota exhausted",
		},
		{
			name:  "API disabled",
			fault: ct.Fault{Code: 403, Reason: "accessNotConfigured"},
			want:  "the Compute Engine API is disabled in project shop-prod (Compute Engine API has not been used in project shop-prod before or it is disabled.",
		},
		{
			name:  "API disabled, command",
			fault: ct.Fault{Code: 403, Reason: "accessNotConfigured"},
			want:  "gcloud services enable compute.googleapis.com --project=shop-prod",
		},
		{
			name:  "bad credentials",
			fault: ct.Fault{Code: 401},
			want:  "the Compute API refused negtrace's credentials (Request had invalid authentication credentials.",
		},
		{
			name:  "project not found",
			fault: ct.Fault{Code: 404},
			want:  "check that --project=shop-prod is the load balancer's project",
		},
		{
			name:  "server error not retried by the client",
			fault: ct.Fault{Code: 500},
			want:  "the Compute API is unavailable (HTTP 500: Internal error.",
		},
		{
			name:  "bad request",
			fault: ct.Fault{Code: 400, Reason: "invalid"},
			want:  "the Compute API refused a read (HTTP 400: Bad Request): retrying with backoff",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := world(t)
			srv.Inject(tt.fault)
			f := start(t, options(srv, newRecorder(), &attempts{}))
			st := waitStatus(t, f, "down", func(s analyzer.SourceStatus) bool { return s.State == analyzer.SourceDown && s.Errors > 0 })
			if !strings.Contains(st.Message, tt.want) {
				t.Errorf("message %q lacks %q", st.Message, tt.want)
			}
		})
	}
}

func TestHealthCheckFailureKeepsTheLastOneRead(t *testing.T) {
	srv := world(t)
	rec, att := newRecorder(), &attempts{}
	opts := options(srv, rec, att)
	opts.Interval = 10 * time.Millisecond
	f := start(t, opts)
	if b := rec.next(t); b.Backends[1].HealthCheck == nil {
		t.Fatal("first read has no health check")
	}

	// healthChecks.get is denied; backend services still read.
	srv.Inject(ct.Fault{Method: ct.HealthChecksGet, Code: 403})
	st := waitStatus(t, f, "degraded", isState(analyzer.SourceDegraded))
	if !strings.Contains(st.Message, "Required 'compute.healthChecks.get' permission") {
		t.Errorf("message %q does not name the denied permission", st.Message)
	}
	b := rec.next(t)
	if diff := cmp.Diff([]computecfg.Backend{wantAdmin, wantWeb}, b.Backends); diff != "" {
		t.Errorf("backends while health checks are denied (-want +got):\n%s", diff)
	}
}

func TestHealthCheckDeleted(t *testing.T) {
	srv := ct.NewServer(t, []*computepb.BackendService{ct.BackendService(project, "", "k8s1-web", "us-central1-a")}, nil)
	rec := newRecorder()
	f := start(t, options(srv, rec, &attempts{}))
	b := rec.next(t)
	if len(b.Backends) != 1 || b.Backends[0].HealthCheck != nil {
		t.Errorf("backends %+v, want one with no health check", b.Backends)
	}
	if st := waitStatus(t, f, "ok", isState(analyzer.SourceOK)); st.Errors != 0 {
		t.Errorf("status %+v: a health check that does not exist is not a failure", st)
	}
}

func TestApplyFailureIsRetried(t *testing.T) {
	srv := world(t)
	rec, att := newRecorder(), &attempts{}
	rec.fail = 2
	f := start(t, options(srv, rec, att))
	b := rec.next(t)
	if len(b.Backends) != 2 {
		t.Errorf("backends %+v, want the two NEG-backed services", b.Backends)
	}
	st := waitStatus(t, f, "ok", isState(analyzer.SourceOK))
	if st.Errors != 2 || st.Records != 2 {
		t.Errorf("status %+v, want 2 errors (failed stores) and 2 records", st)
	}
	if a := att.get(); !slices.Equal(a, []int{1, 2}) {
		t.Errorf("backoff attempts %v, want [1 2]", a)
	}
}

func TestNoCredentials(t *testing.T) {
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", t.TempDir()+"/missing.json")
	srv := world(t)
	rec, att := newRecorder(), &attempts{}
	opts := options(srv, rec, att)
	opts.ClientOptions = []option.ClientOption{option.WithEndpoint(srv.URL)} // credentials from the environment
	f, err := New(context.Background(), opts)
	if err != nil {
		t.Fatalf("New = %v, want a Fetcher that reports the missing credentials", err)
	}
	st := f.Status()
	if st.State != analyzer.SourceDown || st.Errors != 1 || !strings.Contains(st.Message, "no Google credentials for the Compute API") ||
		!strings.Contains(st.Message, "gcloud auth application-default login") {
		t.Errorf("status %+v, want down saying how to set up credentials", st)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	waitStatus(t, f, "retried", func(s analyzer.SourceStatus) bool { return s.Errors >= 3 })
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if srv.Total() != 0 {
		t.Errorf("%d calls reached the API without credentials", srv.Total())
	}
}

func TestPartialReadIsDegraded(t *testing.T) {
	srv := world(t)
	srv.Inject(ct.Fault{Method: ct.RegionBackendServicesList, Code: 403})
	rec, att := newRecorder(), &attempts{}
	opts := options(srv, rec, att)
	opts.Regions = []string{"europe-west1"}
	f := start(t, opts)

	// The global services are stored although the region cannot be read.
	b := rec.next(t)
	if diff := cmp.Diff([]computecfg.Backend{wantAdmin, wantWeb}, b.Backends); diff != "" {
		t.Errorf("backends (-want +got):\n%s", diff)
	}
	st := waitStatus(t, f, "degraded", isState(analyzer.SourceDegraded))
	if !strings.Contains(st.Message, "compute.regionBackendServices.list") || !st.LastSuccess.IsZero() {
		t.Errorf("status %+v, want degraded naming the denied permission and no full read yet", st)
	}
}
