package computecfg

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseLink(t *testing.T) {
	tests := []struct {
		in   string
		want Link
		ok   bool
	}{
		{
			in:   "https://www.googleapis.com/compute/v1/projects/shop-prod/global/backendServices/k8s1-web",
			want: Link{Project: "shop-prod", Collection: "backendServices", Name: "k8s1-web"},
			ok:   true,
		},
		{
			in:   "https://compute.googleapis.com/compute/v1/projects/p/regions/europe-west1/backendServices/b",
			want: Link{Project: "p", Region: "europe-west1", Collection: "backendServices", Name: "b"},
			ok:   true,
		},
		{
			in:   "https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-a/networkEndpointGroups/neg",
			want: Link{Project: "p", Zone: "us-central1-a", Collection: "networkEndpointGroups", Name: "neg"},
			ok:   true,
		},
		{
			in:   "projects/p/zones/z/networkEndpointGroups/neg",
			want: Link{Project: "p", Zone: "z", Collection: "networkEndpointGroups", Name: "neg"},
			ok:   true,
		},
		{
			in:   "zones/z/networkEndpointGroups/neg",
			want: Link{Zone: "z", Collection: "networkEndpointGroups", Name: "neg"},
			ok:   true,
		},
		{
			in:   "global/healthChecks/hc",
			want: Link{Collection: "healthChecks", Name: "hc"},
			ok:   true,
		},
		{
			// Compute names may be scope words.
			in:   "projects/projects/zones/zones/networkEndpointGroups/regions",
			want: Link{Project: "projects", Zone: "zones", Collection: "networkEndpointGroups", Name: "regions"},
			ok:   true,
		},
		{
			in:   "https://www.googleapis.com/compute/v1/projects/p/global/backendServices/b?alt=json#x",
			want: Link{Project: "p", Collection: "backendServices", Name: "b"},
			ok:   true,
		},
		{in: ""},
		{in: "/"},
		{in: "projects"},
		{in: "projects/p"},
		{in: "projects//global/backendServices/b"},
		{in: "projects/p/global/backendServices/"},
		{in: "projects/p/global/backendServices/b/getHealth"},
		{in: "projects/p/regions//backendServices/b"},
		{in: "projects/p/zones/z/networkEndpointGroups"},
		{in: "projects/p/elsewhere/x/backendServices/b"},
		{in: "https://www.googleapis.com/compute/v1/zones/z"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseLink(tt.in)
			if ok != tt.ok {
				t.Fatalf("ParseLink(%q) ok = %v, want %v (got %+v)", tt.in, ok, tt.ok, got)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseLink(%q) (-want +got):\n%s", tt.in, diff)
			}
			if ok && got.Global() != (tt.want.Region == "" && tt.want.Zone == "") {
				t.Errorf("Global() = %v", got.Global())
			}
		})
	}
}
