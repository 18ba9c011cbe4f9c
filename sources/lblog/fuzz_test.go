package lblog

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"
)

// addSeeds seeds f with every seed file, compact and pretty forms alike.
func addSeeds(f *testing.F) {
	for _, path := range seedFiles(f) {
		raw, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
		f.Add(bytes.ReplaceAll(raw, []byte("\n"), nil))
	}
	f.Add([]byte(`{"insertId":"a","timestamp":"2025-03-04T18:15:03Z","resource":{"type":"http_load_balancer"},"httpRequest":{"status":"502","serverIp":"[::1]:80"}}`))
}

// FuzzParse checks that Parse never panics, never returns both a record and
// an error, and keeps its output in range.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := Parse(raw)
		if err != nil {
			if r != (Request{}) {
				t.Fatalf("Parse returned %+v with error %v", r, err)
			}
			return
		}
		if r.Latency < 0 {
			t.Errorf("Latency = %v < 0", r.Latency)
		}
		if r.Status < 0 || r.Status > maxStatus {
			t.Errorf("Status = %d out of range", r.Status)
		}
		if r.Time.Location() != time.UTC {
			t.Errorf("Time %v not in UTC", r.Time)
		}
		if !IsLBResource(r.ResourceType) {
			t.Errorf("ResourceType %q is not an LB type", r.ResourceType)
		}
		if r.ServerPort != 0 && !r.ServerIP.IsValid() {
			t.Errorf("ServerPort %d without ServerIP", r.ServerPort)
		}
	})
}

// FuzzPeek checks that Peek never panics, that its InsertID is part of the
// input, that it only accepts valid JSON, and that whenever both Peek and
// Parse succeed they agree.
func FuzzPeek(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, ok := Peek(raw)
		if !ok {
			return
		}
		if !bytes.Contains(raw, p.InsertID) {
			t.Fatalf("InsertID %q not in the input", p.InsertID)
		}
		if !json.Valid(raw) {
			t.Fatalf("Peek accepted invalid JSON %q", raw)
		}
		r, err := Parse(raw)
		if err != nil {
			return
		}
		checkAgree(t, raw, p, r)
	})
}
