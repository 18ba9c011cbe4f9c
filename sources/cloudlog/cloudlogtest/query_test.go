package cloudlogtest

import (
	"testing"
)

// entryJSON is an LB entry used by the query tests.
const entryJSON = `{
  "insertId": "abc",
  "logName": "projects/shop-prod/logs/requests",
  "timestamp": "2025-03-04T18:15:03.412377Z",
  "resource": {"type": "http_load_balancer", "labels": {"backend_service_name": "k8s1-ab12cd34-shop-web-80-9f8e7d6c"}},
  "httpRequest": {"status": 502, "serverIp": "10.52.3.17:8080", "requestSize": "612"},
  "jsonPayload": {"statusDetails": "failed_to_connect_to_backend", "tags": ["a", "b"]}
}`

const auditJSON = `{
  "insertId": "x",
  "logName": "projects/shop-prod/logs/cloudaudit.googleapis.com%2Factivity",
  "timestamp": "2025-03-04T18:15:01Z",
  "protoPayload": {
    "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
    "methodName": "beta.compute.networkEndpointGroups.detachNetworkEndpoints",
    "resourceName": "projects/shop-prod/zones/us-central1-a/networkEndpointGroups/k8s1-ab12cd34-shop-web-80-9f8e7d6c"
  }
}`

func TestQueryMatch(t *testing.T) {
	lb, err := DecodeEntry([]byte(entryJSON))
	if err != nil {
		t.Fatal(err)
	}
	audit, err := DecodeEntry([]byte(auditJSON))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		filter    string
		lb, audit bool
	}{
		{``, true, true},
		{`resource.type="http_load_balancer"`, true, false},
		{`resource.type="HTTP_LOAD_BALANCER"`, true, false}, // case-insensitive
		{`resource.type="http_load"`, false, false},         // = is equality
		{`resource.type:"http_load"`, true, false},          // : is substring
		{`resource.type=("gce_network" OR "http_load_balancer")`, true, false},
		{`httpRequest.status>=500`, true, false},
		{`httpRequest.status>=503`, false, false},
		{`httpRequest.status<503 httpRequest.status>501`, true, false},
		{`httpRequest.status=502`, true, false},
		{`httpRequest.requestSize>100`, true, false}, // int64 written as a string compares as a number
		{`httpRequest.status!=502`, false, true},     // missing field: != is true
		{`NOT httpRequest.status=502`, false, true},
		{`-httpRequest.status=502`, false, true},
		{`timestamp>="2025-03-04T18:15:03Z"`, true, false},
		{`timestamp>="2025-03-04T18:15:03.412377Z" AND timestamp<"2025-03-04T18:15:03.412378Z"`, true, false},
		{`timestamp<"2025-03-04T18:15:03.412377Z"`, false, true},
		{`timestamp>="2025-03-04T19:15:01+01:00"`, true, true}, // offsets are times, not strings
		{`log_id("requests")`, true, false},
		{`log_id("cloudaudit.googleapis.com/activity")`, false, true},
		{`log_id("activity")`, false, false},
		{`protoPayload.methodName:("networkEndpointGroups.detachNetworkEndpoints" OR "networkEndpointGroups.attachNetworkEndpoints")`, false, true},
		{`protoPayload.@type="type.googleapis.com/google.cloud.audit.AuditLog"`, false, true},
		{`jsonPayload.tags:"b"`, true, false},
		{`jsonPayload.statusDetails=~"^failed_to_.*backend$"`, true, false},
		{`jsonPayload.statusDetails!~"^failed"`, false, true},
		// OR binds tighter than AND: (false OR true) AND false.
		{`resource.type="gce_network" OR httpRequest.status=502 AND log_id("x")`, false, false},
		{`resource.type="gce_network" OR (httpRequest.status=502 AND log_id("requests"))`, true, false},
		{"log_id(\"requests\")\nhttpRequest.status>=500", true, false}, // newline is AND
		{`(log_id("requests") AND httpRequest.status>=500) OR (log_id("cloudaudit.googleapis.com/activity"))`, true, true},
		{`resource.labels.backend_service_name="k8s1-ab12cd34-shop-web-80-9f8e7d6c"`, true, false},
		{`resource.labels.missing="x"`, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			q, err := ParseQuery(tt.filter)
			if err != nil {
				t.Fatalf("ParseQuery: %v", err)
			}
			if got := q.Match(lb); got != tt.lb {
				t.Errorf("Match(lb entry) = %v, want %v", got, tt.lb)
			}
			if got := q.Match(audit); got != tt.audit {
				t.Errorf("Match(audit entry) = %v, want %v", got, tt.audit)
			}
		})
	}
}

func TestParseQueryErrors(t *testing.T) {
	for _, filter := range []string{
		`"global restriction"`,
		`resource.type=`,
		`resource.type="x`,
		`(resource.type="x"`,
		`resource.type=("a" OR )`,
		`resource.type=("a" "b")`,
		`SEARCH("x")`,
		`log_id(requests)`,
		`jsonPayload.x=~"("`,
		`resource.type="x")`,
		`a=b OR`,
	} {
		t.Run(filter, func(t *testing.T) {
			if _, err := ParseQuery(filter); err == nil {
				t.Errorf("ParseQuery(%q) succeeded, want an error", filter)
			}
		})
	}
}
