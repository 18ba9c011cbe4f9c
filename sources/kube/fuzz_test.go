package kube

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// addSeeds seeds f with the testdata fixtures and every shared sample.
func addSeeds(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, rel := range allSamples(f) {
		f.Add(readSample(f, rel))
	}
}

// FuzzDecodeDocument checks that DecodeDocument never panics and never
// returns both objects and an error.
func FuzzDecodeDocument(f *testing.F) {
	addSeeds(f)
	pod, _ := os.ReadFile(filepath.Join("testdata", "pod_terminating.json"))
	f.Add([]byte(`{"type":"DELETED","object":` + string(pod) + `}`))
	f.Add([]byte(`{"apiVersion":"v1","kind":"List","items":[` + string(pod) + `,{"apiVersion":"apps/v1","kind":"Deployment"},7]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		objs, err := DecodeDocument(raw)
		if err != nil {
			if diff := cmp.Diff(Objects{}, objs, addrCmp); diff != "" {
				t.Fatalf("DecodeDocument() returned objects with error %v (-zero +got):\n%s", err, diff)
			}
			return
		}
		for _, p := range objs.Pods {
			if p.PreStop.Kind == "" || p.PreStop.Seconds < 0 {
				t.Errorf("DecodeDocument() pod %s/%s has preStop %+v", p.Namespace, p.Name, p.PreStop)
			}
			if !p.Created.IsZero() && p.Created.Location() != time.UTC {
				t.Errorf("DecodeDocument() pod time %v is not UTC", p.Created)
			}
		}
		for _, e := range objs.Events {
			if e.Count < 1 {
				t.Errorf("DecodeDocument() event count = %d, want >= 1", e.Count)
			}
		}
	})
}

// FuzzEventFromLogEntry checks that EventFromLogEntry never panics and
// never returns both an event and an error.
func FuzzEventFromLogEntry(f *testing.F) {
	addSeeds(f)
	f.Add([]byte(`{"insertId":"i","logName":"projects/p/logs/events","timestamp":"2025-03-04T18:15:02Z","jsonPayload":{"kind":"Event","apiVersion":"events.k8s.io/v1","series":{"count":2,"lastObservedTime":"2025-03-04T18:15:02.000001Z"}}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ev, err := EventFromLogEntry(raw)
		if err != nil {
			if diff := cmp.Diff(Event{}, ev); diff != "" {
				t.Fatalf("EventFromLogEntry() returned an event with error %v (-zero +got):\n%s", err, diff)
			}
			return
		}
		if ev.Count < 1 {
			t.Errorf("EventFromLogEntry() count = %d, want >= 1", ev.Count)
		}
	})
}
