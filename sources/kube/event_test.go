package kube

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestEventFrom(t *testing.T) {
	micro := func(s string) metav1.MicroTime { return metav1.NewMicroTime(mustTime(t, s)) }
	sec := func(s string) metav1.Time { return metav1.NewTime(mustTime(t, s)) }
	tests := []struct {
		name  string
		event *corev1.Event
		want  Event
	}{
		{
			name:  "neg controller detach",
			event: unmarshal[corev1.Event](t, readTestdata(t, "event_detach.json")),
			want: Event{Namespace: "shop", Name: "web.182a9c3e5f7b1d20", Kind: "Service", ObjectName: "web",
				ObjectUID: "5b6c7d8e-aaaa-bbbb-cccc-ddddeeeeffff", Reason: "Detach", Type: "Normal",
				Message:   `Detach 1 network endpoint(s) (NEG "k8s1-ab12cd34-shop-web-80-9f8e7d6c" in zone "us-central1-a")`,
				Component: "neg-controller", Time: mustTime(t, "2025-03-04T18:15:09Z"), FirstTime: mustTime(t, "2025-03-04T18:15:09Z"), Count: 1},
		},
		{
			name:  "kubelet killing",
			event: unmarshal[corev1.Event](t, readTestdata(t, "event_killing.json")),
			want: Event{Namespace: "shop", Name: "web-6d9f7c8b5-q2w3e.182a9c3d0e4f5a61", Kind: "Pod", ObjectName: "web-6d9f7c8b5-q2w3e",
				ObjectUID: "9a8b7c6d-1111-2222-3333-444455556666", FieldPath: "spec.containers{app}", Reason: "Killing", Type: "Normal",
				Message: "Stopping container app", Component: "kubelet", Host: "gke-prod-pool-1-5e6f7a8b-x1y2",
				Time: mustTime(t, "2025-03-04T18:15:02Z"), FirstTime: mustTime(t, "2025-03-04T18:15:02Z"), Count: 1},
		},
		{
			name: "new-API recorder with series",
			event: &corev1.Event{Reason: "Unhealthy", ReportingController: "kubelet", ReportingInstance: "node-1",
				EventTime: micro("2025-03-04T18:15:00.100000Z"),
				Series:    &corev1.EventSeries{Count: 4, LastObservedTime: micro("2025-03-04T18:15:30.5Z")}},
			want: Event{Reason: "Unhealthy", Component: "kubelet", Host: "node-1",
				Time: mustTime(t, "2025-03-04T18:15:00.1Z"), FirstTime: mustTime(t, "2025-03-04T18:15:00.1Z"), Count: 4},
		},
		{
			name:  "series without eventTime",
			event: &corev1.Event{Series: &corev1.EventSeries{LastObservedTime: micro("2025-03-04T18:15:30.5Z")}, LastTimestamp: sec("2025-03-04T18:15:00Z")},
			want:  Event{Time: mustTime(t, "2025-03-04T18:15:30.5Z"), FirstTime: mustTime(t, "2025-03-04T18:15:30.5Z"), Count: 1},
		},
		{
			name:  "only firstTimestamp, aggregated",
			event: &corev1.Event{FirstTimestamp: sec("2025-03-04T18:00:00Z"), Count: 7},
			want:  Event{Time: mustTime(t, "2025-03-04T18:00:00Z"), FirstTime: mustTime(t, "2025-03-04T18:00:00Z"), Count: 7},
		},
		{name: "no time at all", event: &corev1.Event{}, want: Event{Count: 1}},
		{name: "nil", event: nil, want: Event{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := EventFrom(tt.event)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("EventFrom() mismatch (-want +got):\n%s", diff)
			}
			if got.Time.Location() != time.UTC {
				t.Errorf("EventFrom().Time location = %v, want UTC", got.Time.Location())
			}
		})
	}
}

func TestEventFromEventsV1(t *testing.T) {
	tests := []struct {
		name  string
		event *eventsv1.Event
		want  Event
	}{
		{
			name:  "placeholder sample",
			event: unmarshal[eventsv1.Event](t, readSample(t, "kubernetes-api/events.k8s.io.v1.Event.json")),
			want: Event{Namespace: "namespaceValue", Name: "nameValue", Kind: "kindValue", ObjectName: "nameValue",
				ObjectUID: "uidValue", FieldPath: "fieldPathValue", Reason: "reasonValue", Message: "noteValue", Type: "typeValue",
				Component: "componentValue", Host: "hostValue",
				Time: mustTime(t, "2002-01-01T01:01:01.000002Z"), FirstTime: mustTime(t, "2013-01-01T01:01:01Z"), Count: 15},
		},
		{
			name: "reporting fields when no deprecated source",
			event: &eventsv1.Event{Reason: "Killing", Note: "Stopping container app", ReportingController: "kubelet", ReportingInstance: "node-1",
				Regarding:               corev1.ObjectReference{Kind: "Pod", Name: "p", UID: "u"},
				DeprecatedLastTimestamp: metav1.NewTime(mustTime(t, "2025-03-04T18:15:02Z"))},
			want: Event{Kind: "Pod", ObjectName: "p", ObjectUID: "u", Reason: "Killing", Message: "Stopping container app",
				Component: "kubelet", Host: "node-1", Time: mustTime(t, "2025-03-04T18:15:02Z"), FirstTime: mustTime(t, "2025-03-04T18:15:02Z"), Count: 1},
		},
		{name: "nil", event: nil, want: Event{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, EventFromEventsV1(tt.event)); diff != "" {
				t.Errorf("EventFromEventsV1() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
