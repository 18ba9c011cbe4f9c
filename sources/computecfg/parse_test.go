package computecfg

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"cloud.google.com/go/compute/apiv1/computepb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

var fetched = time.Date(2025, 6, 3, 9, 30, 0, 0, time.UTC)

// readFixture decodes a Compute API JSON response from testdata the way the
// apiv1 REST clients do (unknown fields dropped).
func readFixture[M proto.Message](t *testing.T, name string, m M) M {
	t.Helper()
	if name == "" {
		var zero M
		return zero
	}
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, m); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return m
}

func TestBackendFromFixtures(t *testing.T) {
	tests := []struct {
		name    string
		backend string
		check   string
		want    Backend
	}{
		{
			name:    "GKE Ingress backend service with its default health check",
			backend: "backend_gke_ingress.json",
			check:   "healthcheck_gke_ingress.json",
			want: Backend{
				Name:       "k8s1-ab12cd34-shop-web-80-9f8e7d6c",
				Project:    "shop-prod",
				Scheme:     "EXTERNAL",
				TimeoutSec: 30,
				LogEnabled: true,
				SampleRate: 1,
				NEGs: []NEGRef{
					{Zone: "us-central1-a", Name: "k8s1-ab12cd34-shop-web-80-9f8e7d6c"},
					{Zone: "us-central1-b", Name: "k8s1-ab12cd34-shop-web-80-9f8e7d6c"},
					{Zone: "us-central1-f", Name: "k8s1-ab12cd34-shop-web-80-9f8e7d6c"},
				},
				HealthCheck: &HealthCheck{
					Name: "k8s1-ab12cd34-shop-web-80-9f8e7d6c", Type: "HTTP",
					IntervalSec: 15, TimeoutSec: 15, HealthyThreshold: 1, UnhealthyThreshold: 2,
					RequestPath: "/healthz",
				},
				FetchedAt: fetched,
			},
		},
		{
			name:    "GKE Ingress backend service, health check unknown",
			backend: "backend_gke_ingress.json",
			want: Backend{
				Name:       "k8s1-ab12cd34-shop-web-80-9f8e7d6c",
				Project:    "shop-prod",
				Scheme:     "EXTERNAL",
				TimeoutSec: 30,
				LogEnabled: true,
				SampleRate: 1,
				NEGs: []NEGRef{
					{Zone: "us-central1-a", Name: "k8s1-ab12cd34-shop-web-80-9f8e7d6c"},
					{Zone: "us-central1-b", Name: "k8s1-ab12cd34-shop-web-80-9f8e7d6c"},
					{Zone: "us-central1-f", Name: "k8s1-ab12cd34-shop-web-80-9f8e7d6c"},
				},
				FetchedAt: fetched,
			},
		},
		{
			name:    "regional, sampled, instance group and serverless NEG left out, duplicate NEG once",
			backend: "backend_regional_sampled.json",
			check:   "healthcheck_regional_https.json",
			want: Backend{
				Name:               "gkegw1-x9y8-shop-api-8080-k1l2m3n4",
				Project:            "shop-prod",
				Region:             "europe-west1",
				Scheme:             "EXTERNAL_MANAGED",
				TimeoutSec:         60,
				DrainingTimeoutSec: 45,
				LogEnabled:         true,
				SampleRate:         0.1,
				NEGs:               []NEGRef{{Zone: "europe-west1-b", Name: "k8s1-x9y8-shop-api-8080-k1l2m3n4"}},
				HealthCheck: &HealthCheck{
					Name: "gkegw1-x9y8-shop-api-8080-k1l2m3n4", Type: "HTTPS",
					IntervalSec: 5, TimeoutSec: 3, HealthyThreshold: 2, UnhealthyThreshold: 3,
					RequestPath: "/ready",
				},
				FetchedAt: fetched,
			},
		},
		{
			name:    "instance groups only, no logConfig",
			backend: "backend_instance_groups.json",
			want: Backend{
				Name:       "k8s-be-30872--ab12cd3400000000",
				Project:    "shop-prod",
				Scheme:     "EXTERNAL",
				TimeoutSec: 30,
				FetchedAt:  fetched,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bs := readFixture(t, tt.backend, &computepb.BackendService{})
			hc := readFixture(t, tt.check, &computepb.HealthCheck{})
			got := BackendFrom(bs, hc, fetched)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("BackendFrom (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBackendFromEdges(t *testing.T) {
	const hcURL = "https://www.googleapis.com/compute/v1/projects/p/global/healthChecks/hc-from-url"
	tests := []struct {
		name string
		bs   *computepb.BackendService
		hc   *computepb.HealthCheck
		want Backend
	}{
		{
			name: "nil service",
			want: Backend{FetchedAt: fetched},
		},
		{
			name: "empty service takes API defaults",
			bs:   &computepb.BackendService{},
			want: Backend{TimeoutSec: 30, FetchedAt: fetched},
		},
		{
			name: "no selfLink: name kept, region from the region field",
			bs: &computepb.BackendService{
				Name:   proto.String("bs"),
				Region: proto.String("https://www.googleapis.com/compute/v1/projects/p/regions/us-east4"),
			},
			want: Backend{Name: "bs", Region: "us-east4", TimeoutSec: 30, FetchedAt: fetched},
		},
		{
			name: "no name: taken from selfLink",
			bs:   &computepb.BackendService{SelfLink: proto.String("projects/p/global/backendServices/from-link")},
			want: Backend{Name: "from-link", Project: "p", TimeoutSec: 30, FetchedAt: fetched},
		},
		{
			name: "logging on without a sample rate logs everything",
			bs:   &computepb.BackendService{LogConfig: &computepb.BackendServiceLogConfig{Enable: proto.Bool(true)}},
			want: Backend{TimeoutSec: 30, LogEnabled: true, SampleRate: 1, FetchedAt: fetched},
		},
		{
			name: "logging off ignores the sample rate",
			bs:   &computepb.BackendService{LogConfig: &computepb.BackendServiceLogConfig{Enable: proto.Bool(false), SampleRate: proto.Float32(0.5)}},
			want: Backend{TimeoutSec: 30, FetchedAt: fetched},
		},
		{
			name: "sample rate above 1 reads 1",
			bs:   &computepb.BackendService{LogConfig: &computepb.BackendServiceLogConfig{Enable: proto.Bool(true), SampleRate: proto.Float32(7)}},
			want: Backend{TimeoutSec: 30, LogEnabled: true, SampleRate: 1, FetchedAt: fetched},
		},
		{
			name: "negative sample rate reads 0",
			bs:   &computepb.BackendService{LogConfig: &computepb.BackendServiceLogConfig{Enable: proto.Bool(true), SampleRate: proto.Float32(-0.2)}},
			want: Backend{TimeoutSec: 30, LogEnabled: true, SampleRate: 0, FetchedAt: fetched},
		},
		{
			name: "explicit zero timeout kept",
			bs:   &computepb.BackendService{TimeoutSec: proto.Int32(0)},
			want: Backend{FetchedAt: fetched},
		},
		{
			name: "nil and hostile backends skipped",
			bs: &computepb.BackendService{Backends: []*computepb.Backend{
				nil,
				{},
				{Group: proto.String("zones//networkEndpointGroups/x")},
				{Group: proto.String("zones/z/networkEndpointGroups/")},
				{Group: proto.String("https://www.googleapis.com/compute/v1/projects/p/global/networkEndpointGroups/internet-neg")},
				{Group: proto.String("zones/us-west1-c/networkEndpointGroups/partial")},
			}},
			want: Backend{TimeoutSec: 30, NEGs: []NEGRef{{Zone: "us-west1-c", Name: "partial"}}, FetchedAt: fetched},
		},
		{
			name: "health check without name or numbers: URL name and API defaults",
			bs:   &computepb.BackendService{HealthChecks: []string{hcURL}},
			hc:   &computepb.HealthCheck{Http2HealthCheck: &computepb.HTTP2HealthCheck{RequestPath: proto.String("/h2")}},
			want: Backend{TimeoutSec: 30, FetchedAt: fetched, HealthCheck: &HealthCheck{
				Name: "hc-from-url", IntervalSec: 5, TimeoutSec: 5, HealthyThreshold: 2, UnhealthyThreshold: 2, RequestPath: "/h2",
			}},
		},
		{
			name: "TCP health check has no path even with a stray HTTP block",
			bs:   &computepb.BackendService{HealthChecks: []string{hcURL}},
			hc: &computepb.HealthCheck{
				Name: proto.String("tcp"), Type: proto.String("TCP"),
				CheckIntervalSec: proto.Int32(10), TimeoutSec: proto.Int32(10), HealthyThreshold: proto.Int32(1), UnhealthyThreshold: proto.Int32(5),
				HttpHealthCheck: &computepb.HTTPHealthCheck{RequestPath: proto.String("/stray")},
			},
			want: Backend{TimeoutSec: 30, FetchedAt: fetched, HealthCheck: &HealthCheck{
				Name: "tcp", Type: "TCP", IntervalSec: 10, TimeoutSec: 10, HealthyThreshold: 1, UnhealthyThreshold: 5,
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := BackendFrom(tt.bs, tt.hc, fetched)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("BackendFrom (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSampleRateDecimal(t *testing.T) {
	tests := []struct {
		in   float32
		want float64
	}{{0.1, 0.1}, {0.25, 0.25}, {0.333, 0.333}, {0.01, 0.01}, {0.9, 0.9}, {1e-6, 1e-6}}
	for _, tt := range tests {
		bs := &computepb.BackendService{LogConfig: &computepb.BackendServiceLogConfig{Enable: proto.Bool(true), SampleRate: proto.Float32(tt.in)}}
		if got := BackendFrom(bs, nil, fetched).SampleRate; got != tt.want {
			t.Errorf("sample rate %v read as %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestHealthCheckLink(t *testing.T) {
	tests := []struct {
		name   string
		checks []string
		want   Link
		ok     bool
	}{
		{name: "none"},
		{
			name:   "global",
			checks: []string{"https://www.googleapis.com/compute/v1/projects/p/global/healthChecks/a", "https://www.googleapis.com/compute/v1/projects/p/global/healthChecks/b"},
			want:   Link{Project: "p", Collection: "healthChecks", Name: "a"},
			ok:     true,
		},
		{
			name:   "regional",
			checks: []string{"https://www.googleapis.com/compute/v1/projects/p/regions/r1/healthChecks/a"},
			want:   Link{Project: "p", Region: "r1", Collection: "healthChecks", Name: "a"},
			ok:     true,
		},
		{
			name:   "legacy HTTP health check is not read",
			checks: []string{"https://www.googleapis.com/compute/v1/projects/p/global/httpHealthChecks/a"},
		},
		{name: "garbage", checks: []string{"not a url"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := HealthCheckLink(&computepb.BackendService{HealthChecks: tt.checks})
			if ok != tt.ok {
				t.Fatalf("HealthCheckLink ok = %v, want %v", ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("HealthCheckLink (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHasNEG(t *testing.T) {
	ig := readFixture(t, "backend_instance_groups.json", &computepb.BackendService{})
	neg := readFixture(t, "backend_gke_ingress.json", &computepb.BackendService{})
	if HasNEG(ig) {
		t.Error("HasNEG(instance groups) = true, want false")
	}
	if !HasNEG(neg) {
		t.Error("HasNEG(GKE NEG backend) = false, want true")
	}
	if HasNEG(nil) {
		t.Error("HasNEG(nil) = true, want false")
	}
}
