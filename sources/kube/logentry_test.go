package kube

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestIsEventsLog(t *testing.T) {
	tests := []struct {
		logName string
		want    bool
	}{
		{"projects/shop-prod/logs/events", true},
		{"projects/p/logs/events/x", false},
		{"projects/p/logs/cloudaudit.googleapis.com%2Factivity", false},
		{"projects/p/logs/requests", false},
		{"projects//logs/events", false},
		{"projects/a/b/logs/events", false},
		{"organizations/o/logs/events", false},
		{"events", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsEventsLog(tt.logName); got != tt.want {
			t.Errorf("IsEventsLog(%q) = %v, want %v", tt.logName, got, tt.want)
		}
	}
}

func TestEventFromLogEntry(t *testing.T) {
	const negMsg = `(combined from similar events): Failed to Detach 2 network endpoint(s) (NEG "k8s1-ab12cd34-shop-web-80-9f8e7d6c" in zone "us-central1-a"): googleapi: Error 503: Backend Error, backendError`
	tests := []struct {
		name string
		raw  string
		want Event
	}{
		{
			name: "GKE exported neg-controller event",
			raw:  string(readTestdata(t, "events_log_entry.json")),
			want: Event{InsertID: "1x2y3z4w5v6u", Namespace: "shop", Name: "web.182a9c3e5f7b1d20", Kind: "Service", ObjectName: "web",
				ObjectUID: "5b6c7d8e-aaaa-bbbb-cccc-ddddeeeeffff", Reason: "DetachFailed", Type: "Warning", Message: negMsg,
				Component: "neg-controller", Time: mustTime(t, "2025-03-04T18:15:09Z"), FirstTime: mustTime(t, "2025-03-04T18:10:01Z"), Count: 3},
		},
		{
			name: "event without times takes the entry timestamp",
			raw: `{"insertId":"i2","logName":"projects/p/logs/events","timestamp":"2025-03-04T18:15:02.123Z",
				"jsonPayload":{"kind":"Event","apiVersion":"v1","reason":"Killing","involvedObject":{"kind":"Pod","name":"p"}}}`,
			want: Event{InsertID: "i2", Kind: "Pod", ObjectName: "p", Reason: "Killing",
				Time: mustTime(t, "2025-03-04T18:15:02.123Z"), FirstTime: mustTime(t, "2025-03-04T18:15:02.123Z"), Count: 1},
		},
		{
			name: "events.k8s.io payload",
			raw: `{"insertId":"i3","logName":"projects/p/logs/events",
				"jsonPayload":{"kind":"Event","apiVersion":"events.k8s.io/v1","reason":"Killing","note":"Stopping container app","eventTime":"2025-03-04T18:15:02.000001Z"}}`,
			want: Event{InsertID: "i3", Reason: "Killing", Message: "Stopping container app",
				Time: mustTime(t, "2025-03-04T18:15:02.000001Z"), FirstTime: mustTime(t, "2025-03-04T18:15:02.000001Z"), Count: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EventFromLogEntry([]byte(tt.raw))
			if err != nil {
				t.Fatalf("EventFromLogEntry() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("EventFromLogEntry() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEventFromLogEntryErrors(t *testing.T) {
	tests := []struct {
		name         string
		raw          string
		wantNotEvent bool
	}{
		{"invalid json", `{"logName":`, true},
		{"other log", `{"logName":"projects/p/logs/requests","jsonPayload":{"kind":"Event","apiVersion":"v1"}}`, true},
		{"text payload", `{"logName":"projects/p/logs/events","textPayload":"Killing pod"}`, true},
		{"payload of another kind", `{"logName":"projects/p/logs/events","jsonPayload":{"kind":"Pod","apiVersion":"v1"}}`, true},
		{"audit event payload", `{"logName":"projects/p/logs/events","jsonPayload":{"kind":"Event","apiVersion":"audit.k8s.io/v1"}}`, true},
		{"payload not an object", `{"logName":"projects/p/logs/events","jsonPayload":"Event"}`, true},
		{"unreadable event", `{"logName":"projects/p/logs/events","jsonPayload":{"kind":"Event","apiVersion":"v1","count":"many"}}`, false},
		{"bad event time", `{"logName":"projects/p/logs/events","jsonPayload":{"kind":"Event","lastTimestamp":"soon"}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EventFromLogEntry([]byte(tt.raw))
			if err == nil {
				t.Fatalf("EventFromLogEntry(%s) = %+v, want an error", tt.raw, got)
			}
			if errors.Is(err, ErrNotEvent) != tt.wantNotEvent {
				t.Errorf("EventFromLogEntry(%s) error = %v; errors.Is(ErrNotEvent) = %v, want %v", tt.raw, err, !tt.wantNotEvent, tt.wantNotEvent)
			}
			if diff := cmp.Diff(Event{}, got); diff != "" {
				t.Errorf("EventFromLogEntry(%s) returned a value with its error (-zero +got):\n%s", tt.raw, diff)
			}
		})
	}
}

// No shared sample is an exported event: all are refused with ErrNotEvent.
func TestEventFromLogEntrySamples(t *testing.T) {
	for _, rel := range allSamples(t) {
		if _, err := EventFromLogEntry(readSample(t, rel)); !errors.Is(err, ErrNotEvent) {
			t.Errorf("EventFromLogEntry(%s) error = %v, want ErrNotEvent", rel, err)
		}
	}
}
