package sim

import (
	"strconv"
	"strings"
	"time"
)

// negReadyGate is the NEG readiness gate's condition type.
const negReadyGate = "cloud.google.com/load-balancer-neg-ready"

// podDocs returns the pod watch stream inside the window as
// `kubectl get pods --watch -o json --output-watch-events` prints it.
func podDocs(w *World) []map[string]any {
	var out []map[string]any
	for _, u := range w.podUpdates {
		if u.at > w.end {
			continue
		}
		out = append(out, map[string]any{"type": u.kind, "object": renderPod(w, u.p, u.at, u.rv)})
	}
	return out
}

// renderPod returns the Pod object as the API server returned it at t.
func renderPod(w *World, p *pod, t time.Duration, rv int64) map[string]any {
	d := p.d
	cfg := d.cfg
	// kubelet-written times are on the node's clock.
	var skew time.Duration
	if p.node != nil {
		skew = p.node.skew
	}
	kt := func(at time.Duration) string { return kubeTime(w.abs(at).Add(skew)) }
	ct := func(at time.Duration) string { return kubeTime(w.abs(at)) }

	meta := map[string]any{
		"creationTimestamp": ct(p.created),
		"generateName":      p.rs.name + "-",
		"labels":            map[string]any{"app": cfg.Name, "pod-template-hash": p.rs.hash},
		"name":              p.name,
		"namespace":         cfg.Namespace,
		"ownerReferences": []any{map[string]any{
			"apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true,
			"kind": "ReplicaSet", "name": p.rs.name, "uid": p.rs.uid,
		}},
		"resourceVersion": strconv.FormatInt(rv, 10),
		"uid":             p.uid,
	}
	if p.t0 <= t {
		meta["deletionTimestamp"] = kubeTime(w.abs(p.t0).Truncate(time.Second).Add(time.Duration(cfg.Grace) * time.Second))
		meta["deletionGracePeriodSeconds"] = cfg.Grace
	}

	container := map[string]any{
		"image":           p.rs.image,
		"imagePullPolicy": "IfNotPresent",
		"name":            containerName,
		"ports":           []any{map[string]any{"containerPort": cfg.Port, "name": "http", "protocol": "TCP"}},
		"readinessProbe": map[string]any{
			"failureThreshold": 3,
			"httpGet":          map[string]any{"path": "/healthz", "port": cfg.Port, "scheme": "HTTP"},
			"periodSeconds":    5, "successThreshold": 1, "timeoutSeconds": 1,
		},
		"resources":                map[string]any{"requests": map[string]any{"cpu": "250m", "memory": "256Mi"}},
		"terminationMessagePath":   "/dev/termination-log",
		"terminationMessagePolicy": "File",
	}
	switch cfg.PreStop.Kind {
	case PreStopExecSleep:
		cmd := []any{}
		for _, s := range preStopCommand(cfg.PreStop.Seconds) {
			cmd = append(cmd, s)
		}
		container["lifecycle"] = map[string]any{"preStop": map[string]any{"exec": map[string]any{"command": cmd}}}
	case PreStopSleep:
		container["lifecycle"] = map[string]any{"preStop": map[string]any{"sleep": map[string]any{"seconds": cfg.PreStop.Seconds}}}
	}
	spec := map[string]any{
		"containers":                    []any{container},
		"dnsPolicy":                     "ClusterFirst",
		"enableServiceLinks":            true,
		"preemptionPolicy":              "PreemptLowerPriority",
		"priority":                      0,
		"readinessGates":                []any{map[string]any{"conditionType": negReadyGate}},
		"restartPolicy":                 "Always",
		"schedulerName":                 "default-scheduler",
		"securityContext":               map[string]any{},
		"serviceAccount":                "default",
		"serviceAccountName":            "default",
		"terminationGracePeriodSeconds": cfg.Grace,
		"tolerations": []any{
			map[string]any{"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
			map[string]any{"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300},
		},
	}
	if p.scheduled <= t {
		spec["nodeName"] = p.node.name
	}
	return map[string]any{
		"apiVersion": "v1",
		"kind":       "Pod",
		"metadata":   meta,
		"spec":       spec,
		"status":     podStatus(w, p, t, kt, ct),
	}
}

// podStatus renders status at t.
func podStatus(w *World, p *pod, t time.Duration, kt, ct func(time.Duration) string) map[string]any {
	status := map[string]any{"phase": "Pending", "qosClass": "Burstable"}
	if p.scheduled > t {
		return status
	}
	cond := func(typ string, ok bool, at string, reason, msg string) map[string]any {
		c := map[string]any{"lastProbeTime": nil, "lastTransitionTime": at, "status": "False", "type": typ}
		if ok {
			c["status"] = "True"
		}
		if reason != "" {
			c["reason"] = reason
		}
		if msg != "" {
			c["message"] = msg
		}
		return c
	}
	terminated := p.statusTerminated <= t
	running := p.started <= t
	var conds []any
	if p.negReady <= t {
		conds = append(conds, cond(negReadyGate, true, ct(p.negReady), "LoadBalancerNegReady", ""))
	} else {
		conds = append(conds, cond(negReadyGate, false, ct(p.scheduled), "LoadBalancerNegNotReady",
			"Waiting for pod to become healthy in at least one of the NEG(s): ["+p.d.neg+"]"))
	}
	sandbox := min(p.sandbox, p.scheduled+time.Second)
	conds = append(conds,
		cond("PodReadyToStartContainers", running && !terminated, kt(lastOf(t, sandbox, p.statusTerminated)), "", ""),
		cond("Initialized", true, kt(sandbox), "", ""))
	containersReady := p.containersReady <= t && !terminated
	ready := p.ready <= t && !terminated
	notReady := func(ok bool, gate bool) (string, string) {
		switch {
		case ok:
			return "", ""
		case terminated:
			return "PodCompleted", ""
		case gate && p.containersReady <= t:
			return "ReadinessGatesNotReady", "corresponding condition of pod readiness gate \"" + negReadyGate + "\" does not exist."
		}
		return "ContainersNotReady", "containers with unready status: [" + containerName + "]"
	}
	r, m := notReady(ready, true)
	readyAt := lastOf(t, sandbox, p.ready, p.exit)
	conds = append(conds, cond("Ready", ready, kt(readyAt), r, m))
	r, m = notReady(containersReady, false)
	conds = append(conds, cond("ContainersReady", containersReady, kt(lastOf(t, sandbox, p.containersReady, p.exit)), r, m),
		cond("PodScheduled", true, ct(p.scheduled), "", ""))
	status["conditions"] = conds
	status["hostIP"] = p.node.hostIP.String()
	status["hostIPs"] = []any{map[string]any{"ip": p.node.hostIP.String()}}
	status["startTime"] = kt(sandbox)

	cs := map[string]any{
		"image":        p.rs.image,
		"imageID":      imageRepo(p.rs.image) + "@sha256:" + p.rs.imageID,
		"lastState":    map[string]any{},
		"name":         containerName,
		"ready":        containersReady,
		"restartCount": 0,
		"started":      running && !terminated,
	}
	switch {
	case terminated:
		cs["containerID"] = p.containerID
		cs["state"] = map[string]any{"terminated": map[string]any{
			"containerID": p.containerID,
			"exitCode":    p.exitCode,
			"finishedAt":  kt(p.exit),
			"reason":      p.exitReason,
			"startedAt":   kt(p.started),
		}}
		status["phase"] = "Succeeded"
		if p.exitCode != 0 {
			status["phase"] = "Failed"
		}
	case running:
		cs["containerID"] = p.containerID
		cs["state"] = map[string]any{"running": map[string]any{"startedAt": kt(p.started)}}
		status["phase"] = "Running"
	default:
		cs["imageID"] = ""
		cs["state"] = map[string]any{"waiting": map[string]any{"reason": "ContainerCreating"}}
	}
	status["containerStatuses"] = []any{cs}
	if p.sandbox <= t {
		status["podIP"] = p.ip.String()
		status["podIPs"] = []any{map[string]any{"ip": p.ip.String()}}
	}
	return status
}

// lastOf returns the latest of the given times that are not after t.
func lastOf(t time.Duration, ts ...time.Duration) time.Duration {
	out := ts[0]
	for _, x := range ts[1:] {
		if x <= t && x > out {
			out = x
		}
	}
	return out
}

// imageRepo strips the tag from an image reference.
func imageRepo(img string) string {
	if i := strings.LastIndexByte(img, ':'); i > strings.LastIndexByte(img, '/') {
		return img[:i]
	}
	return img
}
