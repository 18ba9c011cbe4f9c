package kube

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// defaultTerminationGrace is the API default of
// spec.terminationGracePeriodSeconds.
const defaultTerminationGrace = 30

// podTemplateHashLabel is the label the Deployment controller puts on its
// ReplicaSets' pods; the ReplicaSet is named <deployment>-<hash>.
const podTemplateHashLabel = "pod-template-hash"

// PodFrom converts an API Pod into a Pod record. It reads only; nil
// pointers anywhere in p (including p itself) give zero fields.
//
// Workload is "ns/<deployment>" for a pod whose controller is a ReplicaSet
// (its name without the pod-template-hash suffix; OwnerKind "Deployment"),
// "ns/<owner>" for any other owner (StatefulSet, DaemonSet, Job...), and
// "ns/<pod>" for a pod without owner. PreStop and Container describe the
// serving container: the first one with a containerPort, else the first.
// Exits come from the final state.terminated of each container status, not
// from lastState (a previous instance).
func PodFrom(p *corev1.Pod) Pod {
	if p == nil {
		return Pod{}
	}
	out := Pod{
		UID:              string(p.UID),
		Namespace:        p.Namespace,
		Name:             p.Name,
		Node:             p.Spec.NodeName,
		IP:               parseIP(p.Status.PodIP),
		Created:          utc(p.CreationTimestamp),
		Started:          utcPtr(p.Status.StartTime),
		Deletion:         utcPtr(p.DeletionTimestamp),
		TerminationGrace: defaultTerminationGrace,
		Phase:            string(p.Status.Phase),
		ResourceVersion:  p.ResourceVersion,
	}
	out.Workload, out.OwnerKind = workload(p)
	if p.DeletionGracePeriodSeconds != nil {
		g := *p.DeletionGracePeriodSeconds
		out.DeletionGrace = &g
	}
	if p.Spec.TerminationGracePeriodSeconds != nil {
		out.TerminationGrace = *p.Spec.TerminationGracePeriodSeconds
	}
	for _, pip := range p.Status.PodIPs {
		if ip := parseIP(pip.IP); ip.IsValid() {
			out.IPs = append(out.IPs, ip)
		}
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			out.ReadyAt = utc(c.LastTransitionTime)
		}
	}

	serving := -1
	for i, c := range p.Spec.Containers {
		for _, port := range c.Ports {
			out.Ports = append(out.Ports, int(port.ContainerPort))
		}
		if serving < 0 && len(c.Ports) > 0 {
			serving = i
		}
	}
	if serving < 0 && len(p.Spec.Containers) > 0 {
		serving = 0
	}
	out.PreStop = PreStop{Kind: PreStopNone}
	if serving >= 0 {
		c := &p.Spec.Containers[serving]
		out.Container = c.Name
		if c.Lifecycle != nil {
			out.PreStop = preStopFrom(c.Lifecycle.PreStop)
		}
	}

	for _, cs := range p.Status.ContainerStatuses {
		t := cs.State.Terminated
		if t == nil {
			continue
		}
		out.Exits = append(out.Exits, ContainerExit{
			Container:  cs.Name,
			ExitCode:   int(t.ExitCode),
			Signal:     int(t.Signal),
			Reason:     t.Reason,
			StartedAt:  utc(t.StartedAt),
			FinishedAt: utc(t.FinishedAt),
		})
	}
	return out
}

// workload names the pod's workload and the kind of its owner.
func workload(p *corev1.Pod) (name, kind string) {
	ref := controllerRef(p.OwnerReferences)
	if ref == nil {
		return p.Namespace + "/" + p.Name, ""
	}
	if ref.Kind == "ReplicaSet" {
		return p.Namespace + "/" + deploymentName(ref.Name, p.Labels[podTemplateHashLabel]), "Deployment"
	}
	return p.Namespace + "/" + ref.Name, ref.Kind
}

// controllerRef returns the owner reference marked as controller, else the
// first owner reference, else nil.
func controllerRef(refs []metav1.OwnerReference) *metav1.OwnerReference {
	for i := range refs {
		if c := refs[i].Controller; c != nil && *c {
			return &refs[i]
		}
	}
	if len(refs) > 0 {
		return &refs[0]
	}
	return nil
}

// deploymentName strips the pod-template-hash suffix from a ReplicaSet
// name: "-<hash>" when the pod carries the hash label and the name ends
// with it, else the last dash-separated segment.
func deploymentName(rs, hash string) string {
	if hash != "" {
		if d, ok := strings.CutSuffix(rs, "-"+hash); ok && d != "" {
			return d
		}
	}
	if i := strings.LastIndexByte(rs, '-'); i > 0 {
		return rs[:i]
	}
	return rs
}
