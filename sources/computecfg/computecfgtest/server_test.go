package computecfgtest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"regexp"
	"testing"
	"time"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
)

func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func TestJSONIsTheAPIs(t *testing.T) {
	srv := NewServer(t, []*computepb.BackendService{BackendService("p", "", "web", "z1")}, []*computepb.HealthCheck{HealthCheck("p", "", "web")})
	code, body := get(t, srv.URL+"/compute/v1/projects/p/global/backendServices/web")
	if code != http.StatusOK {
		t.Fatalf("GET backend service: %d %s", code, body)
	}
	for _, re := range []string{
		`"id":\s*"\d+"`, // uint64 as a string
		`"selfLink":\s*"https://www.googleapis.com/compute/v1/projects/p/global/backendServices/web"`,
		`"loadBalancingScheme":\s*"EXTERNAL"`,
		`"connectionDraining":\s*\{\s*"drainingTimeoutSec":\s*0\s*\}`,
		`"group":\s*"https://www.googleapis.com/compute/v1/projects/p/zones/z1/networkEndpointGroups/web"`,
	} {
		if !regexp.MustCompile(re).Match(body) {
			t.Errorf("backend service JSON lacks %s:\n%s", re, body)
		}
	}
	_, body = get(t, srv.URL+"/compute/v1/projects/p/global/healthChecks/web")
	if !regexp.MustCompile(`"checkIntervalSec":\s*15`).Match(body) || !regexp.MustCompile(`"httpHealthCheck":\s*\{`).Match(body) {
		t.Errorf("health check JSON not in the API's names:\n%s", body)
	}
}

func TestFixtureThroughTheRealClient(t *testing.T) {
	data, err := os.ReadFile("../testdata/backend_regional_sampled.json")
	if err != nil {
		t.Fatal(err)
	}
	want := &computepb.BackendService{}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, want); err != nil {
		t.Fatal(err)
	}
	srv := NewServer(t, []*computepb.BackendService{want}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := compute.NewRegionBackendServicesRESTClient(ctx, srv.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := c.Get(ctx, &computepb.GetRegionBackendServiceRequest{Project: "shop-prod", Region: "europe-west1", BackendService: want.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("Get (-want +got):\n%s", diff)
	}
}

func TestListPages(t *testing.T) {
	var bss []*computepb.BackendService
	for _, n := range []string{"e", "a", "d", "c", "b"} {
		bss = append(bss, BackendService("p", "", n, "z"))
	}
	bss = append(bss, BackendService("p", "r1", "regional", "r1-a"), BackendService("other", "", "x", "z"))
	srv := NewServer(t, bss, nil)
	srv.SetPageSize(2)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := compute.NewBackendServicesRESTClient(ctx, srv.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var names []string
	it := c.List(ctx, &computepb.ListBackendServicesRequest{Project: "p"})
	for {
		bs, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, bs.GetName())
	}
	if diff := cmp.Diff([]string{"a", "b", "c", "d", "e"}, names); diff != "" {
		t.Errorf("listed (-want +got):\n%s", diff)
	}
	if got := srv.Count(BackendServicesList); got != 3 {
		t.Errorf("pages fetched %d, want 3", got)
	}
	if code, _ := get(t, srv.URL+"/compute/v1/projects/p/global/backendServices?filter=name%3Da"); code != http.StatusBadRequest {
		t.Errorf("filtered list answered %d, want 400 (filters are not evaluated)", code)
	}
}

func TestFaults(t *testing.T) {
	srv := NewServer(t, []*computepb.BackendService{BackendService("p", "", "web", "z")}, nil)
	srv.Inject(Fault{Method: HealthChecksGet, Code: 503})              // never matches below
	srv.Inject(Fault{Method: BackendServicesGet, Code: 403, Times: 2}) // twice, then gone
	url := srv.URL + "/compute/v1/projects/p/global/backendServices/web"
	for i := range 2 {
		code, body := get(t, url)
		if code != http.StatusForbidden {
			t.Fatalf("request %d answered %d, want 403", i, code)
		}
		var e apiError
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatal(err)
		}
		want := "Required 'compute.backendServices.get' permission for 'projects/p/global/backendServices/web'"
		if e.Error.Code != 403 || e.Error.Message != want || len(e.Error.Errors) != 1 || e.Error.Errors[0].Reason != "forbidden" {
			t.Errorf("error body %s", body)
		}
	}
	if code, body := get(t, url); code != http.StatusOK {
		t.Errorf("third request answered %d %s, want the fault spent", code, body)
	}
	if got := srv.Count(BackendServicesGet); got != 3 {
		t.Errorf("Count = %d, want 3 (failed requests count)", got)
	}

	// The real client sees a googleapi.Error with the code and reason.
	srv.Inject(Fault{Code: 429})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := compute.NewBackendServicesRESTClient(ctx, srv.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Get(ctx, &computepb.GetBackendServiceRequest{Project: "p", BackendService: "web"})
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) || gerr.Code != 429 || len(gerr.Errors) != 1 || gerr.Errors[0].Reason != "rateLimitExceeded" {
		t.Errorf("Get with a 429 fault = %v, want a googleapi.Error 429 rateLimitExceeded", err)
	}
	srv.Clear()
	if _, err := c.Get(ctx, &computepb.GetBackendServiceRequest{Project: "p", BackendService: "web"}); err != nil {
		t.Errorf("Get after Clear: %v", err)
	}
	if _, err := c.Get(ctx, &computepb.GetBackendServiceRequest{Project: "p", BackendService: "nope"}); !errors.As(err, &gerr) || gerr.Code != 404 {
		t.Errorf("Get of a missing service = %v, want 404", err)
	}
	if got, want := srv.Total(), 6; got != want {
		t.Errorf("Total = %d, want %d", got, want)
	}
}

func TestPutAndDelete(t *testing.T) {
	srv := NewServer(t, nil, nil)
	bs := BackendService("p", "r1", "api", "r1-a")
	srv.PutBackendService(bs)
	bs.Name = proto.String("changed after Put") // the fake keeps a copy
	url := srv.URL + "/compute/v1/projects/p/regions/r1/backendServices/api"
	if code, body := get(t, url); code != http.StatusOK || !regexp.MustCompile(`"name":\s*"api"`).Match(body) {
		t.Errorf("GET after Put: %d %s", code, body)
	}
	srv.DeleteBackendService(bs.GetSelfLink())
	if code, _ := get(t, url); code != http.StatusNotFound {
		t.Errorf("GET after Delete: %d, want 404", code)
	}
}
