package negops

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPair(t *testing.T) {
	t0 := mustTime(t, "2025-03-04T18:15:00Z")
	at := func(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }
	ep1 := []Endpoint{{IP: netip.MustParseAddr("10.52.3.17"), Port: 8080, Instance: "n1"}}
	ep2 := []Endpoint{{IP: netip.MustParseAddr("10.52.3.18"), Port: 8080, Instance: "n1"}}
	entry := func(id string, sec float64, first, last bool, eps []Endpoint, code int) AuditEntry {
		return AuditEntry{
			InsertID: id + "@" + at(sec).Format(time.RFC3339Nano), Time: at(sec), OperationID: id,
			First: first, Last: last, Kind: Detach, Project: "p", Zone: "z", NEG: "neg",
			Endpoints: eps, StatusCode: code, StatusMessage: map[bool]string{true: "boom"}[code != 0],
		}
	}
	op := func(id string, req, done float64, eps []Endpoint) Operation {
		o := Operation{ID: id, Kind: Detach, Project: "p", Zone: "z", NEG: "neg", Endpoints: eps}
		if req >= 0 {
			o.RequestedAt = at(req)
		}
		if done >= 0 {
			o.CompletedAt = at(done)
		}
		return o
	}
	failed := func(o Operation, msg string) Operation { o.Failed, o.Error = true, msg; return o }

	tests := []struct {
		name    string
		entries []AuditEntry
		want    []Operation
	}{
		{
			name:    "first and last, newest first as gcloud prints",
			entries: []AuditEntry{entry("op-a", 8, false, true, nil, 0), entry("op-a", 1, true, false, ep1, 0)},
			want:    []Operation{op("op-a", 1, 8, ep1)},
		},
		{
			name:    "failed completion",
			entries: []AuditEntry{entry("op-a", 1, true, false, ep1, 0), entry("op-a", 9, false, true, nil, 14)},
			want:    []Operation{failed(op("op-a", 1, 9, ep1), "boom")},
		},
		{
			name:    "failed completion without a message",
			entries: []AuditEntry{entry("op-a", 1, true, false, ep1, 0), func() AuditEntry { e := entry("op-a", 9, false, true, nil, 14); e.StatusMessage = ""; return e }()},
			want:    []Operation{failed(op("op-a", 1, 9, ep1), "status code 14")},
		},
		{
			name:    "rejected at the first entry",
			entries: []AuditEntry{entry("op-a", 1, true, false, ep1, 3)},
			want:    []Operation{failed(op("op-a", 1, 1, ep1), "boom")},
		},
		{
			name:    "successful completion wins over an error on the first entry",
			entries: []AuditEntry{entry("op-a", 1, true, false, ep1, 3), entry("op-a", 4, false, true, nil, 0)},
			want:    []Operation{op("op-a", 1, 4, ep1)},
		},
		{
			name:    "only the request seen",
			entries: []AuditEntry{entry("op-a", 1, true, false, ep1, 0)},
			want:    []Operation{op("op-a", 1, -1, ep1)},
		},
		{
			name:    "only the completion seen, endpoints from it",
			entries: []AuditEntry{entry("op-a", 7, false, true, ep2, 0)},
			want:    []Operation{op("op-a", -1, 7, ep2)},
		},
		{
			name:    "both flags: completed at once",
			entries: []AuditEntry{entry("op-a", 3, true, true, ep1, 0)},
			want:    []Operation{op("op-a", 3, 3, ep1)},
		},
		{
			name:    "neither flag: completed at once, failed",
			entries: []AuditEntry{entry("op-a", 3, false, false, ep1, 9)},
			want:    []Operation{failed(op("op-a", 3, 3, ep1), "boom")},
		},
		{
			name: "duplicates keep the earliest per role",
			entries: []AuditEntry{
				entry("op-a", 2, true, false, ep2, 0), entry("op-a", 1, true, false, ep1, 0),
				entry("op-a", 9, false, true, nil, 0), entry("op-a", 8, false, true, nil, 0),
				entry("op-a", 1, true, false, ep1, 0),
			},
			want: []Operation{op("op-a", 1, 8, ep1)},
		},
		{
			name: "entries without id are separate operations",
			entries: []AuditEntry{
				entry("", 5, false, false, ep2, 0), entry("", 2, true, false, ep1, 0), entry("", 2, false, false, ep1, 0),
			},
			want: []Operation{op("", 2, -1, ep1), op("", 2, 2, ep1), op("", 5, 5, ep2)},
		},
		{
			name: "sorted by requested, then completed-only time, then id",
			entries: []AuditEntry{
				entry("op-c", 4, false, true, nil, 0),
				entry("op-b", 3, true, false, ep2, 0), entry("op-b", 6, false, true, nil, 0),
				entry("op-a", 3, true, false, ep1, 0), entry("op-a", 5, false, true, nil, 0),
			},
			want: []Operation{op("op-a", 3, 5, ep1), op("op-b", 3, 6, ep2), op("op-c", -1, 4, nil)},
		},
		{
			name:    "no entries",
			entries: nil,
			want:    []Operation{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Pair(tt.entries)
			if diff := cmp.Diff(tt.want, got, addrCmp); diff != "" {
				t.Errorf("Pair() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// Pair must not depend on the order of its input: exports are read newest
// first (gcloud) or oldest first (sinks), in any file order.
func TestPairOrderIndependent(t *testing.T) {
	t0 := mustTime(t, "2025-03-04T18:15:00Z")
	var entries []AuditEntry
	for i, id := range []string{"op-1", "op-2", "op-3", "op-2", "op-1", ""} {
		entries = append(entries, AuditEntry{OperationID: id, Time: t0.Add(time.Duration(i) * time.Second), First: i < 3, Last: i >= 3, Kind: Attach, NEG: "n"})
	}
	want := Pair(entries)
	rev := make([]AuditEntry, len(entries))
	for i := range entries {
		rev[len(entries)-1-i] = entries[i]
	}
	if diff := cmp.Diff(want, Pair(rev), addrCmp); diff != "" {
		t.Errorf("Pair(reversed) differs from Pair(entries) (-entries +reversed):\n%s", diff)
	}
	if len(want) != 4 {
		t.Errorf("Pair() returned %d operations, want 4", len(want))
	}
}

// Pair copies endpoints: changing an operation does not change the entries.
func TestPairDoesNotAlias(t *testing.T) {
	e := AuditEntry{OperationID: "x", First: true, Endpoints: []Endpoint{{Port: 1}}}
	ops := Pair([]AuditEntry{e})
	ops[0].Endpoints[0].Port = 2
	if e.Endpoints[0].Port != 1 {
		t.Errorf("Pair() aliases the entry's endpoints")
	}
}
