package negops

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestMethodKind(t *testing.T) {
	tests := []struct {
		method string
		want   Kind
		wantOK bool
	}{
		{"v1.compute.networkEndpointGroups.detachNetworkEndpoints", Detach, true},
		{"beta.compute.networkEndpointGroups.detachNetworkEndpoints", Detach, true},
		{"alpha.compute.networkEndpointGroups.attachNetworkEndpoints", Attach, true},
		{"v1.compute.networkEndpointGroups.attachNetworkEndpoints", Attach, true},
		{"v1.compute.globalNetworkEndpointGroups.detachNetworkEndpoints", "", false},
		{"v1.compute.regionNetworkEndpointGroups.attachNetworkEndpoints", "", false},
		{"v1.compute.networkEndpointGroups.listNetworkEndpoints", "", false},
		{"v1.compute.networkEndpointGroups.detachNetworkEndpointsX", "", false},
		{"io.k8s.coordination.v1.leases.update", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			got, ok := MethodKind(tt.method)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("MethodKind(%q) = %q, %v, want %q, %v", tt.method, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// addrCmp compares netip.Addr values, whose fields are unexported.
var addrCmp = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm.UTC()
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const (
	testOp   = "operation-1741112101902-62f01a7c0b3d1-4e9a8f2b-6c1d7e3f"
	testNEG  = "k8s1-ab12cd34-shop-web-80-9f8e7d6c"
	testNode = "gke-prod-pool-1-5e6f7a8b-x1y2"
)

func TestParseAuditEntry(t *testing.T) {
	tests := []struct {
		name string
		raw  []byte
		want AuditEntry
	}{
		{
			name: "first entry with string and number ports",
			raw:  readTestdata(t, "detach_first.json"),
			want: AuditEntry{
				InsertID: "-7h2k9qe4bx1a", Time: mustTime(t, "2025-03-04T18:15:01.902311Z"),
				OperationID: testOp, First: true, Kind: Detach,
				Method:  "v1.compute.networkEndpointGroups.detachNetworkEndpoints",
				Project: "shop-prod", Zone: "us-central1-a", NEG: testNEG,
				Endpoints: []Endpoint{
					{IP: netip.MustParseAddr("10.52.3.17"), Port: 8080, Instance: testNode},
					{IP: netip.MustParseAddr("10.52.3.18"), Port: 8080, Instance: testNode},
				},
			},
		},
		{
			name: "failed last entry with local offset normalised to UTC",
			raw:  readTestdata(t, "detach_last_failed.json"),
			want: AuditEntry{
				InsertID: "-q1w2e3r4t5y6", Time: mustTime(t, "2025-03-04T18:15:09.4Z"),
				OperationID: testOp, Last: true, Kind: Detach,
				Method:  "v1.compute.networkEndpointGroups.detachNetworkEndpoints",
				Project: "shop-prod", Zone: "us-central1-a", NEG: testNEG,
				StatusCode: 14, StatusMessage: "The service is currently unavailable.",
			},
		},
		{
			name: "beta attach without operation, bad endpoints skipped",
			raw: []byte(`{"insertId":"a1","timestamp":"2025-03-04T18:20:00Z",
				"protoPayload":{"methodName":"beta.compute.networkEndpointGroups.attachNetworkEndpoints",
				"resourceName":"projects/p/zones/europe-west1-b/networkEndpointGroups/neg-1",
				"request":{"networkEndpoints":[
					{"ipAddress":"10.0.0.300","port":80,"instance":"n1"},
					{"port":80,"instance":"n1"},
					{"ipAddress":"10.0.0.7","port":"http","instance":"n1"},
					{"ipAddress":"10.0.0.8","port":70000},
					{"ipv6Address":"2600:1900::7","port":8443.0,"instance":"n2"},
					{"ipAddress":"10.0.0.9","port":null}
				]}}}`),
			want: AuditEntry{
				InsertID: "a1", Time: mustTime(t, "2025-03-04T18:20:00Z"), Kind: Attach,
				Method:  "beta.compute.networkEndpointGroups.attachNetworkEndpoints",
				Project: "p", Zone: "europe-west1-b", NEG: "neg-1",
				Endpoints: []Endpoint{
					{IP: netip.MustParseAddr("10.0.0.7"), Instance: "n1"},
					{IP: netip.MustParseAddr("10.0.0.8")},
					{IP: netip.MustParseAddr("2600:1900::7"), Port: 8443, Instance: "n2"},
					{IP: netip.MustParseAddr("10.0.0.9")},
				},
			},
		},
		{
			name: "both flags, empty status, URL resource name, project from labels",
			raw: []byte(`{"insertId":"b2","timestamp":"2025-03-04T18:20:00.5+01:00",
				"resource":{"labels":{"project_id":"from-labels"}},
				"operation":{"id":"op-9","first":true,"last":true},
				"protoPayload":{"methodName":"alpha.compute.networkEndpointGroups.detachNetworkEndpoints",
				"resourceName":"zones/us-east1-c/networkEndpointGroups/neg-2","status":{}}}`),
			want: AuditEntry{
				InsertID: "b2", Time: mustTime(t, "2025-03-04T17:20:00.5Z"), OperationID: "op-9",
				First: true, Last: true, Kind: Detach,
				Method:  "alpha.compute.networkEndpointGroups.detachNetworkEndpoints",
				Project: "from-labels", Zone: "us-east1-c", NEG: "neg-2",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAuditEntry(tt.raw)
			if err != nil {
				t.Fatalf("ParseAuditEntry() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got, addrCmp); diff != "" {
				t.Errorf("ParseAuditEntry() mismatch (-want +got):\n%s", diff)
			}
			if got.Time.Location() != time.UTC {
				t.Errorf("ParseAuditEntry().Time location = %v, want UTC", got.Time.Location())
			}
		})
	}
}

func TestParseAuditEntryErrors(t *testing.T) {
	const neg = `"methodName":"v1.compute.networkEndpointGroups.detachNetworkEndpoints"`
	tests := []struct {
		name       string
		raw        string
		wantNotNEG bool
	}{
		{"not json", `{"insertId":`, false},
		{"empty", ``, false},
		{"json array", `[1,2]`, true},
		{"json string", `"x"`, true},
		{"no protoPayload", `{"insertId":"x","timestamp":"2025-03-04T18:20:00Z"}`, true},
		{"other method", `{"timestamp":"2025-03-04T18:20:00Z","protoPayload":{"methodName":"v1.compute.instances.insert"}}`, true},
		{"protoPayload of wrong type", `{"timestamp":"2025-03-04T18:20:00Z","protoPayload":"detach"}`, true},
		{"missing timestamp", `{"protoPayload":{` + neg + `}}`, false},
		{"invalid timestamp", `{"timestamp":"yesterday","protoPayload":{` + neg + `}}`, false},
		{"timestamp without zone", `{"timestamp":"2025-03-04T18:20:00","protoPayload":{` + neg + `}}`, false},
		{"status code of wrong type", `{"timestamp":"2025-03-04T18:20:00Z","protoPayload":{` + neg + `,"status":{"code":"x"}}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAuditEntry([]byte(tt.raw))
			if err == nil {
				t.Fatalf("ParseAuditEntry(%s) = %+v, want an error", tt.raw, got)
			}
			if errors.Is(err, ErrNotNEG) != tt.wantNotNEG {
				t.Errorf("ParseAuditEntry(%s) error = %v, errors.Is(ErrNotNEG) = %v, want %v", tt.raw, err, !tt.wantNotNEG, tt.wantNotNEG)
			}
			if diff := cmp.Diff(AuditEntry{}, got, addrCmp); diff != "" {
				t.Errorf("ParseAuditEntry(%s) returned a value with its error (-zero +got):\n%s", tt.raw, diff)
			}
		})
	}
}

// The shared samples hold no NEG audit entry: every one of them, including
// the Compute and GKE audit entries with operation.first/last, is ErrNotNEG.
func TestParseAuditEntrySamplesAreNotNEG(t *testing.T) {
	for name, raw := range sampleEntries(t) {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseAuditEntry(raw); !errors.Is(err, ErrNotNEG) {
				t.Errorf("ParseAuditEntry(%s) error = %v, want ErrNotNEG", name, err)
			}
		})
	}
}
