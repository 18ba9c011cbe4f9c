package kube

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	discoveryv1 "k8s.io/api/discovery/v1"
)

func TestSliceFrom(t *testing.T) {
	tests := []struct {
		name  string
		slice *discoveryv1.EndpointSlice
		want  EndpointSlice
	}{
		{
			name:  "terminating endpoint and nil conditions",
			slice: unmarshal[discoveryv1.EndpointSlice](t, readTestdata(t, "slice_terminating.json")),
			want: EndpointSlice{
				Namespace: "shop", Name: "web-7xk2p", Service: "web", ResourceVersion: "884105",
				Ports: []SlicePort{{Name: "http", Port: 8080}, {}},
				Endpoints: []SliceEndpoint{
					{Addresses: []netip.Addr{netip.MustParseAddr("10.52.3.17")}, Ready: false, Serving: true, Terminating: true,
						PodUID: "9a8b7c6d-1111-2222-3333-444455556666", PodName: "web-6d9f7c8b5-q2w3e",
						Node: "gke-prod-pool-1-5e6f7a8b-x1y2", Zone: "us-central1-a"},
					{Addresses: []netip.Addr{netip.MustParseAddr("10.52.4.9")}, Ready: true, Serving: true,
						PodUID: "pod-2", PodName: "web-6d9f7c8b5-zz9x8"},
					{Addresses: []netip.Addr{netip.MustParseAddr("10.52.5.1")}, Ready: false, Serving: true},
				},
			},
		},
		{
			name:  "placeholder sample does not fail",
			slice: unmarshal[discoveryv1.EndpointSlice](t, readSample(t, "kubernetes-api/discovery.k8s.io.v1.EndpointSlice.json")),
			want: EndpointSlice{
				Namespace: "namespaceValue", Name: "nameValue", ResourceVersion: "resourceVersionValue",
				Ports:     []SlicePort{{Name: "nameValue", Port: 3}},
				Endpoints: []SliceEndpoint{{Ready: true, Serving: true, Terminating: true, Node: "nodeNameValue", Zone: "zoneValue"}},
			},
		},
		{name: "empty", slice: &discoveryv1.EndpointSlice{}, want: EndpointSlice{}},
		{name: "nil", slice: nil, want: EndpointSlice{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, SliceFrom(tt.slice), addrCmp); diff != "" {
				t.Errorf("SliceFrom() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
