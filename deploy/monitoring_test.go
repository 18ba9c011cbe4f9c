package deploy_test

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// scrapeJob is the job name the alert rules expect (NegtraceDown looks for
// up{job="negtrace"}): Google Managed Prometheus names the job after the
// PodMonitoring, the Prometheus Operator after the Service.
const scrapeJob = "negtrace"

// selects reports whether a label selector matches labels.
func selects(t *testing.T, sel *metav1.LabelSelector, l map[string]string) bool {
	t.Helper()
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		t.Errorf("selector %v: %v", sel, err)
		return false
	}
	return !s.Empty() && s.Matches(labels.Set(l))
}

func TestMonitoringSelectsNegtrace(t *testing.T) {
	forEachBuild(t, func(t *testing.T, objs []object) {
		d := decodeAll(t, objs)
		dep := theDeployment(t, d)
		pod := dep.Spec.Template
		svc := d.services[0]
		container := pod.Spec.Containers[0]

		// The Service reaches the pods on the named port.
		if !selects(t, &metav1.LabelSelector{MatchLabels: svc.Spec.Selector}, pod.Labels) {
			t.Errorf("Service %s selector %v does not select the pods (%v)", svc.Name, svc.Spec.Selector, pod.Labels)
		}
		if svc.Spec.Type != corev1.ServiceTypeClusterIP {
			t.Errorf("Service %s is %s, want ClusterIP (negtrace is not exposed)", svc.Name, svc.Spec.Type)
		}
		i := slices.IndexFunc(svc.Spec.Ports, func(p corev1.ServicePort) bool { return p.Name == portName })
		if i < 0 || svc.Spec.Ports[i].TargetPort.String() != portName || svc.Spec.Ports[i].Port != listenPort {
			t.Errorf("Service %s: want port %q %d to target port %q, got %+v", svc.Name, portName, listenPort, portName, svc.Spec.Ports)
		}

		for _, pm := range d.podMonitorings {
			if pm.Metadata.Name != scrapeJob || pm.Metadata.Namespace != dep.Namespace {
				t.Errorf("PodMonitoring %s/%s: want %s/%s (same namespace as the pods; its name is the job)", pm.Metadata.Namespace, pm.Metadata.Name, dep.Namespace, scrapeJob)
			}
			if !selects(t, &pm.Spec.Selector, pod.Labels) {
				t.Errorf("PodMonitoring %s selector does not select the pods (%v)", pm.Metadata.Name, pod.Labels)
			}
			if len(pm.Spec.Endpoints) != 1 {
				t.Fatalf("PodMonitoring %s: %d endpoints, want 1", pm.Metadata.Name, len(pm.Spec.Endpoints))
			}
			ep := pm.Spec.Endpoints[0]
			if ep.Port.String() != portName || !slices.ContainsFunc(container.Ports, func(p corev1.ContainerPort) bool { return p.Name == ep.Port.String() }) || ep.Path != metricsPath {
				t.Errorf("PodMonitoring %s scrapes port %q path %q; want the container port %q, %s", pm.Metadata.Name, ep.Port.String(), ep.Path, portName, metricsPath)
			}
		}
		for _, sm := range d.serviceMonitors {
			if svc.Name != scrapeJob || sm.Spec.JobLabel != "" {
				t.Errorf("ServiceMonitor %s: the job is the Service's name %q (jobLabel %q), want %q", sm.Metadata.Name, svc.Name, sm.Spec.JobLabel, scrapeJob)
			}
			if !selects(t, &sm.Spec.Selector, svc.Labels) {
				t.Errorf("ServiceMonitor %s selector does not select Service %s (%v)", sm.Metadata.Name, svc.Name, svc.Labels)
			}
			ns := sm.Spec.NamespaceSelector
			if !ns.Any && !slices.Contains(ns.MatchNames, svc.Namespace) && !(len(ns.MatchNames) == 0 && sm.Metadata.Namespace == svc.Namespace) {
				t.Errorf("ServiceMonitor %s does not look in namespace %s", sm.Metadata.Name, svc.Namespace)
			}
			if len(sm.Spec.Endpoints) != 1 {
				t.Fatalf("ServiceMonitor %s: %d endpoints, want 1", sm.Metadata.Name, len(sm.Spec.Endpoints))
			}
			if ep := sm.Spec.Endpoints[0]; ep.Port != portName || ep.Path != metricsPath {
				t.Errorf("ServiceMonitor %s scrapes port %q path %q, want the Service port %q, %s", sm.Metadata.Name, ep.Port, ep.Path, portName, metricsPath)
			}
		}
		// Rules go with the scraper that feeds them.
		if len(d.ruleCRs) != len(d.podMonitorings)+len(d.serviceMonitors) {
			t.Errorf("%d rule resources for %d PodMonitorings and %d ServiceMonitors", len(d.ruleCRs), len(d.podMonitorings), len(d.serviceMonitors))
		}
	})
}
