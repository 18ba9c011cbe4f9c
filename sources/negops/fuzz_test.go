package negops

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// FuzzParseAuditEntry checks ParseAuditEntry's invariants on any input:
// it never panics, never returns both a value and an error, and what it
// returns is usable (a kind, a UTC time, valid endpoint IPs and ports).
func FuzzParseAuditEntry(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, b := range sampleEntries(f) {
		f.Add(b)
	}
	f.Add([]byte(`{"timestamp":"2025-03-04T18:20:00Z","operation":{"id":"x","last":true},"protoPayload":{"methodName":"beta.compute.networkEndpointGroups.attachNetworkEndpoints","request":{"networkEndpoints":[{"ipAddress":"::ffff:10.0.0.1","port":"80"}]},"status":{"code":3}}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		e, err := ParseAuditEntry(raw)
		if err != nil {
			if diff := cmp.Diff(AuditEntry{}, e, addrCmp); diff != "" {
				t.Fatalf("ParseAuditEntry() returned a value with error %v (-zero +got):\n%s", err, diff)
			}
			return
		}
		if _, ok := MethodKind(e.Method); !ok || e.Kind == "" {
			t.Errorf("ParseAuditEntry() = Kind %q, Method %q: not a NEG method", e.Kind, e.Method)
		}
		if e.Time.IsZero() || e.Time.Location() != time.UTC {
			t.Errorf("ParseAuditEntry().Time = %v, want a UTC time", e.Time)
		}
		for _, ep := range e.Endpoints {
			if !ep.IP.IsValid() || ep.Port < 0 || ep.Port > 65535 {
				t.Errorf("ParseAuditEntry() endpoint %+v is invalid", ep)
			}
		}
		Pair([]AuditEntry{e, e})
	})
}

// FuzzParseControllerEvent checks that ParseControllerEvent never panics
// and returns a zero value when it reports no match.
func FuzzParseControllerEvent(f *testing.F) {
	f.Add("Detach", `Detach 1 network endpoint(s) (NEG "k8s1-a" in zone "us-central1-a")`)
	f.Add("DetachFailed", `(combined from similar events): Failed to Detach 2 network endpoint(s) (NEG "k8s1-a" in zone "z"): googleapi: Error 503`)
	f.Fuzz(func(t *testing.T, reason, message string) {
		ev, ok := ParseControllerEvent(reason, message)
		if !ok && ev != (ControllerEvent{}) {
			t.Fatalf("ParseControllerEvent(%q, %q) = %+v, false: want a zero value", reason, message, ev)
		}
		if ok && (ev.Count < 0 || ev.Kind == "") {
			t.Fatalf("ParseControllerEvent(%q, %q) = %+v: invalid", reason, message, ev)
		}
	})
}
