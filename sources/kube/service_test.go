package kube

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestServiceFrom(t *testing.T) {
	withStatus := func(v string) *corev1.Service {
		return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "s",
			Annotations: map[string]string{NEGStatusAnnotation: v}}}
	}
	tests := []struct {
		name string
		svc  *corev1.Service
		want Service
	}{
		{
			name: "neg status and target ports",
			svc:  unmarshal[corev1.Service](t, readTestdata(t, "service_neg.json")),
			want: Service{
				Namespace: "shop", Name: "web", UID: "5b6c7d8e-aaaa-bbbb-cccc-ddddeeeeffff",
				NEGs:        map[string]string{"80": "k8s1-ab12cd34-shop-web-80-9f8e7d6c", "443": "k8s1-ab12cd34-shop-web-443-0a1b2c3d"},
				Zones:       []string{"us-central1-a", "us-central1-b"},
				TargetPorts: map[int]int{80: 8080, 9000: 9000},
			},
		},
		{name: "bad annotation JSON", svc: withStatus(`{"network_endpoint_groups":`), want: Service{Namespace: "ns", Name: "s"}},
		{name: "annotation of the wrong shape", svc: withStatus(`{"network_endpoint_groups":["a"],"zones":"z"}`), want: Service{Namespace: "ns", Name: "s"}},
		{name: "empty annotation", svc: withStatus(`{}`), want: Service{Namespace: "ns", Name: "s"}},
		{name: "no annotation", svc: &corev1.Service{}, want: Service{}},
		{name: "nil", svc: nil, want: Service{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ServiceFrom(tt.svc)); diff != "" {
				t.Errorf("ServiceFrom() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
