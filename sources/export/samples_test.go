package export

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// samplesDir holds the third-party samples shared by the project.
const samplesDir = "../../../shared/samples"

// TestReadSamples reads every shared sample, each as it is, and checks what
// each one gave: real entries and objects must be read, and entries that
// are not evidence (Cloud Run requests, cluster audit logs, node logs) must
// be skipped as unknown entry types rather than claimed.
func TestReadSamples(t *testing.T) {
	if _, err := os.Stat(samplesDir); err != nil {
		t.Skipf("no shared samples: %v", err)
	}
	type want struct {
		kind          string
		records, skip int
		problem       string // part of the first problem
	}
	unknown := func(rt string) want {
		return want{kind: KindYAML, skip: 1, problem: "unknown entry type (resource.type=" + rt}
	}
	wants := map[string]want{
		"README.md":                                                                        {kind: KindUnreadable, skip: 1, problem: "not a supported format"},
		"khi/cluster_creation_finished.yaml":                                               unknown("gke_cluster"),
		"khi/cluster_creation_started.yaml":                                                unknown("gke_cluster"),
		"khi/cluster_creation_started_with_error.yaml":                                     unknown("gke_cluster"),
		"khi/cluster_deletion_finished.yaml":                                               unknown("gke_cluster"),
		"khi/cluster_deletion_started.yaml":                                                unknown("gke_cluster"),
		"khi/container_recorder_test_1_1.yaml":                                             unknown("k8s_cluster"),
		"khi/container_recorder_test_1_2.yaml":                                             unknown("k8s_cluster"),
		"khi/container_recorder_test_1_3.yaml":                                             unknown("k8s_cluster"),
		"khi/container_recorder_test_1_1_manifest.yaml":                                    {kind: KindYAML, records: 1},
		"khi/container_recorder_test_1_2_manifest.yaml":                                    {kind: KindYAML, records: 1},
		"khi/container_recorder_test_1_3_manifest.yaml":                                    {kind: KindYAML, records: 1},
		"khi/containerd_create_container.yaml":                                             unknown("k8s_node"),
		"khi/containerd_only_container_id.yaml":                                            unknown("k8s_node"),
		"khi/containerd_run_pod_sandbox.yaml":                                              unknown("k8s_node"),
		"khi/kubelet_only_pod_name.yaml":                                                   unknown("k8s_node"),
		"khi/kubelet_pod_and_container_name.yaml":                                          unknown("k8s_node"),
		"khi/nodepool_creation_finished.yaml":                                              unknown("gke_nodepool"),
		"khi/nodepool_creation_started.yaml":                                               unknown("gke_nodepool"),
		"khi/nodepool_deletion_finished.yaml":                                              unknown("gke_nodepool"),
		"khi/nodepool_deletion_started.yaml":                                               unknown("gke_nodepool"),
		"khi/sample_pod.yaml":                                                              {kind: KindYAML, records: 1},
		"khi/test-log.yaml":                                                                {kind: KindYAML, skip: 1, problem: "ignored 1 audit.k8s.io/v1 Event"},
		"kubernetes-api/core.v1.Endpoints.json":                                            {kind: KindKubectlJSON, skip: 1, problem: "ignored 1 v1 Endpoints"},
		"kubernetes-api/core.v1.Event.json":                                                {kind: KindKubectlJSON, records: 1},
		"kubernetes-api/core.v1.Pod.json":                                                  {kind: KindKubectlJSON, records: 1},
		"kubernetes-api/discovery.k8s.io.v1.EndpointSlice.json":                            {kind: KindKubectlJSON, records: 1},
		"kubernetes-api/events.k8s.io.v1.Event.json":                                       {kind: KindKubectlJSON, records: 1},
		"opentelemetry-collector-contrib/activity.json":                                    {kind: KindCloudLoggingJSON, skip: 1, problem: "unknown entry type (resource.type=k8s_cluster"},
		"opentelemetry-collector-contrib/enforced_edge_security_policy.json":               {kind: KindCloudLoggingJSON, records: 1},
		"opentelemetry-collector-contrib/enforced_security_policy.json":                    {kind: KindCloudLoggingJSON, records: 1},
		"opentelemetry-collector-contrib/global_external_application_load_balancer.json":   {kind: KindCloudLoggingJSON, records: 1},
		"opentelemetry-collector-contrib/real_log.json":                                    {kind: KindCloudLoggingJSON, skip: 1, problem: "unknown entry type (resource.type=cloud_run_revision"},
		"opentelemetry-collector-contrib/regional_external_application_load_balancer.json": {kind: KindCloudLoggingJSON, records: 1},
		"opentelemetry-collector-contrib/system_event.json":                                {kind: KindCloudLoggingJSON, skip: 1, problem: "unknown entry type (resource.type=gce_instance"},
		"opentelemetry-collector-contrib/two_security_policies.json":                       {kind: KindCloudLoggingJSON, records: 1},
		"troubleshoot/events/message-image-pull-fail.json":                                 {kind: KindKubectlJSON, records: 17},
		"troubleshoot/events/message-pod-init-crashloop-backoff.json":                      {kind: KindKubectlJSON, records: 17},
		"troubleshoot/pods/default-unhealthy.json":                                         {kind: KindKubectlJSON, records: 1},
		"troubleshoot/pods/message-image-pull-fail.json":                                   {kind: KindKubectlJSON, records: 1},
		"troubleshoot/pods/message-oomkill-pod.json":                                       {kind: KindKubectlJSON, records: 1},
		"troubleshoot/pods/message-pending-pod-resources.json":                             {kind: KindKubectlJSON, records: 1},
		"troubleshoot/pods/message-pod-crashloop-backoff.json":                             {kind: KindKubectlJSON, records: 1},
		"troubleshoot/pods/message-pod-init-crashloop-backoff.json":                        {kind: KindKubectlJSON, records: 1},
	}
	ev, _ := readAll(t, Options{}, samplesDir)
	// Gzip copies too: detection goes by content.
	var gzPaths []string
	for _, in := range ev.Inputs {
		gzPaths = append(gzPaths, gzipTo(t, in.Path, t.TempDir()))
	}
	evGz, _ := readAll(t, Options{}, gzPaths...)
	if len(evGz.Inputs) != len(ev.Inputs) {
		t.Fatalf("%d gzip inputs, %d plain", len(evGz.Inputs), len(ev.Inputs))
	}
	seen := 0
	for i, in := range ev.Inputs {
		rel, _ := filepath.Rel(samplesDir, in.Path)
		w, ok := wants[filepath.ToSlash(rel)]
		if !ok {
			t.Logf("%s: no expectation (read as %s: %d records, %d skipped)", rel, in.Kind, in.Records, in.Skipped)
			continue
		}
		seen++
		gz := evGz.Inputs[i]
		if gz.Kind != in.Kind || gz.Records != in.Records || gz.Skipped != in.Skipped {
			t.Errorf("%s: gzip copy read as %s %d/%d, plain as %s %d/%d", rel, gz.Kind, gz.Records, gz.Skipped, in.Kind, in.Records, in.Skipped)
		}
		if in.Kind != w.kind || in.Records != w.records || in.Skipped != w.skip {
			t.Errorf("%s: read as %s with %d records, %d skipped; want %s, %d, %d (problems %q)",
				rel, in.Kind, in.Records, in.Skipped, w.kind, w.records, w.skip, in.Problems)
		}
		if w.problem != "" && (len(in.Problems) == 0 || !strings.Contains(in.Problems[0], w.problem)) {
			t.Errorf("%s: problems %q, want one with %q", rel, in.Problems, w.problem)
		}
		if w.problem == "" && len(in.Problems) > 0 {
			t.Errorf("%s: unexpected problems %q", rel, in.Problems)
		}
	}
	if seen != len(wants) {
		t.Errorf("%d of %d expected samples found", seen, len(wants))
	}
	// The LB entries among the samples: 5 requests, 1 of them a 503.
	if ev.LBRequests != 5 || len(ev.Errors) != 1 || ev.Errors[0].InsertID != "96b8mog16i6va6" {
		t.Errorf("LB requests %d, errors %+v; want 5 and the failed_to_pick_backend 503 only", ev.LBRequests, ev.Errors)
	}
}
