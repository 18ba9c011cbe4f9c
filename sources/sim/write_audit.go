package sim

import (
	"cmp"
	"slices"
	"strconv"
	"time"
)

// gcloudEntry is a LogEntry as a map (gcloud prints keys sorted) with the
// time it sorts by.
type gcloudEntry struct {
	at    time.Time
	seq   int
	entry map[string]any
}

// newestFirst orders entries as `gcloud logging read` prints them.
func newestFirst(es []gcloudEntry) {
	slices.SortStableFunc(es, func(a, b gcloudEntry) int {
		if c := b.at.Compare(a.at); c != 0 {
			return c
		}
		return cmp.Compare(b.seq, a.seq)
	})
}

// auditEntries returns the Admin Activity audit entries of the NEG
// operations inside the window: one when the operation is accepted
// (operation.first, with the request) and one when it completes
// (operation.last, with the status when it failed).
func auditEntries(w *World) []gcloudEntry {
	cfg := &w.Config
	robot := "service-" + w.projectNumber + "@container-engine-robot.iam.gserviceaccount.com"
	var out []gcloudEntry
	for i, o := range w.ops {
		if o.requested > w.end {
			continue
		}
		version := "v1"
		if cfg.NEG.BetaAPI {
			version = "beta"
		}
		opType := string(o.kind) + "NetworkEndpoints"
		method := version + ".compute.networkEndpointGroups." + opType
		resource := "projects/" + cfg.Project + "/zones/" + o.zone + "/networkEndpointGroups/" + o.d.neg
		link := "https://www.googleapis.com/compute/" + version + "/" + resource
		var eps []any
		for _, k := range o.endpoints {
			var port any = k.port
			if o.portString {
				port = strconv.Itoa(k.port)
			}
			eps = append(eps, map[string]any{"instance": k.node, "ipAddress": k.ip.String(), "port": port})
		}
		requested := w.abs(o.requested)
		base := func() map[string]any {
			return map[string]any{
				"@type":              "type.googleapis.com/google.cloud.audit.AuditLog",
				"authenticationInfo": map[string]any{"principalEmail": robot},
				"methodName":         method,
				"resourceLocation":   map[string]any{"currentLocations": []any{o.zone}},
				"resourceName":       resource,
				"serviceName":        "compute.googleapis.com",
				"requestMetadata": map[string]any{
					"callerIp":                "private",
					"callerSuppliedUserAgent": "google-api-go-client/0.5 GoogleContainerEngine",
					"destinationAttributes":   map[string]any{},
					"requestAttributes":       map[string]any{"auth": map[string]any{}, "time": protoTime(requested)},
				},
			}
		}
		resourceLabels := map[string]any{"type": "gce_network", "labels": map[string]any{"network_id": w.networkID, "project_id": cfg.Project}}
		logName := "projects/" + cfg.Project + "/logs/cloudaudit.googleapis.com%2Factivity"

		first := base()
		first["request"] = map[string]any{
			"@type":            "type.googleapis.com/compute.networkEndpointGroups." + opType,
			"networkEndpoints": eps,
		}
		first["response"] = map[string]any{
			"@type":         "type.googleapis.com/operation",
			"id":            o.numID,
			"insertTime":    computeTime(requested.Add(-o.insertTimeEarly)),
			"name":          o.id,
			"operationType": opType,
			"progress":      "0",
			"selfLink":      "https://www.googleapis.com/compute/" + version + "/projects/" + cfg.Project + "/zones/" + o.zone + "/operations/" + o.id,
			"startTime":     computeTime(requested),
			"status":        "RUNNING",
			"targetId":      o.d.negIDs[o.zone],
			"targetLink":    link,
			"user":          robot,
			"zone":          "https://www.googleapis.com/compute/" + version + "/projects/" + cfg.Project + "/zones/" + o.zone,
		}
		out = append(out, gcloudEntry{at: requested, seq: 2 * i, entry: map[string]any{
			"insertId":         o.insertIDs[0],
			"logName":          logName,
			"operation":        map[string]any{"first": true, "id": o.id, "producer": "compute.googleapis.com"},
			"protoPayload":     first,
			"receiveTimestamp": protoTime(requested.Add(o.receive[0]).Add(time.Duration(o.receive[0].Microseconds() % 997))),
			"resource":         resourceLabels,
			"severity":         "NOTICE",
			"timestamp":        protoTime(requested),
		}})
		if o.done > w.end {
			continue
		}
		done := w.abs(o.done)
		last := base()
		severity := "NOTICE"
		if o.failed {
			last["status"] = map[string]any{"code": o.code, "message": o.message}
			severity = "ERROR"
		}
		out = append(out, gcloudEntry{at: done, seq: 2*i + 1, entry: map[string]any{
			"insertId":         o.insertIDs[1],
			"logName":          logName,
			"operation":        map[string]any{"id": o.id, "last": true, "producer": "compute.googleapis.com"},
			"protoPayload":     last,
			"receiveTimestamp": protoTime(done.Add(o.receive[1]).Add(time.Duration(o.receive[1].Microseconds() % 991))),
			"resource":         resourceLabels,
			"severity":         severity,
			"timestamp":        protoTime(done),
		}})
	}
	newestFirst(out)
	return out
}
