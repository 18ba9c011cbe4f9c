package sim

import (
	"strconv"
	"time"
)

// eventEntries returns GKE's Cloud Logging copy of the Kubernetes events
// written inside the window: logName events, resource k8s_pod for pod
// events and k8s_cluster for the others, jsonPayload the core/v1 Event.
func eventEntries(w *World) []gcloudEntry {
	cfg := &w.Config
	var out []gcloudEntry
	for i, ev := range w.events {
		if ev.at > w.end {
			continue
		}
		ref := map[string]any{
			"apiVersion": ev.obj.apiVersion,
			"kind":       ev.obj.kind,
			"name":       ev.obj.name,
			"namespace":  ev.obj.namespace,
			"uid":        ev.obj.uid,
		}
		if ev.obj.fieldPath != "" {
			ref["fieldPath"] = ev.obj.fieldPath
		}
		source := map[string]any{"component": ev.component}
		if ev.host != "" {
			source["host"] = ev.host
		}
		payload := map[string]any{
			"apiVersion":     "v1",
			"count":          ev.count,
			"eventTime":      nil,
			"firstTimestamp": kubeTime(ev.first),
			"involvedObject": ref,
			"kind":           "Event",
			"lastTimestamp":  kubeTime(ev.last),
			"message":        ev.message,
			"metadata": map[string]any{
				"creationTimestamp": kubeTime(ev.created),
				"name":              ev.name,
				"namespace":         ev.namespace,
				"resourceVersion":   strconv.FormatInt(ev.rv, 10),
				"uid":               ev.uid,
			},
			"reason":             ev.reason,
			"reportingComponent": ev.component,
			"reportingInstance":  ev.host,
			"source":             source,
			"type":               ev.typ,
		}
		labels := map[string]any{"cluster_name": cfg.Cluster, "location": cfg.Location, "project_id": cfg.Project}
		rtype := "k8s_cluster"
		if ev.obj.kind == "Pod" {
			rtype = "k8s_pod"
			labels["namespace_name"] = ev.obj.namespace
			labels["pod_name"] = ev.obj.name
		}
		severity := "INFO"
		if ev.typ == "Warning" {
			severity = "WARNING"
		}
		ts := ev.last.Truncate(time.Second)
		out = append(out, gcloudEntry{at: ts, seq: i, entry: map[string]any{
			"insertId":         ev.insertID,
			"jsonPayload":      payload,
			"logName":          "projects/" + cfg.Project + "/logs/events",
			"receiveTimestamp": protoTime(w.abs(ev.at).Add(ev.receive).Add(time.Duration(ev.rv % 1000))),
			"resource":         map[string]any{"type": rtype, "labels": labels},
			"severity":         severity,
			"timestamp":        protoTime(ts),
		}})
	}
	newestFirst(out)
	return out
}
