package cloudlog

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/negtrace/negtrace/sources/cloudlog/cloudlogtest"
	"github.com/negtrace/negtrace/sources/kube"
	"github.com/negtrace/negtrace/sources/negops"
)

// TestEntryJSON checks that entries from the API are written with the field
// names the file parsers read.
func TestEntryJSON(t *testing.T) {
	for _, e := range loadScenario(t, "rollout-race") {
		raw, err := protojson.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			InsertID    string `json:"insertId"`
			Timestamp   string `json:"timestamp"`
			HTTPRequest *struct {
				Status   *int   `json:"status"`
				ServerIP string `json:"serverIp"`
				Latency  string `json:"latency"`
			} `json:"httpRequest"`
			JSONPayload  map[string]any `json:"jsonPayload"`
			ProtoPayload map[string]any `json:"protoPayload"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		if _, err := time.Parse(time.RFC3339Nano, doc.Timestamp); err != nil || doc.InsertID == "" {
			t.Fatalf("timestamp %q insertId %q: %s", doc.Timestamp, doc.InsertID, raw)
		}
		switch {
		case doc.HTTPRequest != nil:
			// proto3 JSON leaves out a status of 0; the parser reads that as 0.
			hr := e.GetHttpRequest()
			status := 0
			if doc.HTTPRequest.Status != nil {
				status = *doc.HTTPRequest.Status
			}
			if status != int(hr.GetStatus()) || doc.HTTPRequest.ServerIP != hr.GetServerIp() || doc.HTTPRequest.Latency == "" || doc.JSONPayload["statusDetails"] == nil {
				t.Fatalf("LB entry: %s", raw)
			}
		case doc.ProtoPayload != nil:
			if doc.ProtoPayload["@type"] != "type.googleapis.com/google.cloud.audit.AuditLog" || doc.ProtoPayload["methodName"] == nil {
				t.Fatalf("audit entry: %s", raw)
			}
		default:
			if doc.JSONPayload["kind"] != "Event" || doc.JSONPayload["involvedObject"] == nil {
				t.Fatalf("event entry: %s", raw)
			}
		}
	}
}

// TestConvertSkips: entries that are not what the filter asks for, or that
// the parsers reject, are skipped with the reason; the others convert.
func TestConvertSkips(t *testing.T) {
	decode := func(s string) *loggingpb.LogEntry {
		e, err := cloudlogtest.DecodeEntry([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	ts := timestamppb.New(testNow)
	unknownAny := &loggingpb.LogEntry{InsertId: "any", Timestamp: ts, Payload: &loggingpb.LogEntry_ProtoPayload{
		ProtoPayload: &anypb.Any{TypeUrl: "type.googleapis.com/example.Unknown", Value: []byte{8, 1}}}}
	tests := []struct {
		name    string
		entry   *loggingpb.LogEntry
		wantErr error // nil: any error
	}{
		{"other log", decode(`{"insertId":"x","logName":"projects/p/logs/syslog","textPayload":"hi","timestamp":"2025-03-04T18:00:00Z"}`), errUnexpected},
		{"unregistered payload type", unknownAny, nil},
		{"audit of another method", decode(`{"insertId":"m","timestamp":"2025-03-04T18:00:00Z","protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","methodName":"v1.compute.instances.insert"}}`), negops.ErrNotNEG},
		{"event of another API", decode(`{"insertId":"e","logName":"projects/p/logs/events","timestamp":"2025-03-04T18:00:00Z","jsonPayload":{"kind":"Event","apiVersion":"example.com/v9","reason":"Killing"}}`), kube.ErrNotEvent},
		{"LB entry without timestamp", decode(`{"insertId":"l","resource":{"type":"http_load_balancer"},"httpRequest":{"status":502}}`), nil},
	}
	good := lbEntry(t, "good", testNow, 502)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := convert([]*loggingpb.LogEntry{tt.entry, good})
			if len(c.skipped) != 1 || c.batch.Len() != 1 || c.batch.Requests[0].InsertID != "good" {
				t.Fatalf("skipped %v, batch %+v", c.skipped, c.batch)
			}
			if tt.wantErr != nil && !errors.Is(c.skipped[0].err, tt.wantErr) {
				t.Errorf("skip reason %v, want %v", c.skipped[0].err, tt.wantErr)
			}
			if c.skipped[0].key != entryKey(tt.entry) {
				t.Errorf("skipped key %q", c.skipped[0].key)
			}
			if !c.newest.Equal(testNow) || c.batch.Source != SourceName {
				t.Errorf("newest %v, source %q", c.newest, c.batch.Source)
			}
		})
	}
}
