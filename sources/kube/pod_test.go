package kube

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestPodFrom(t *testing.T) {
	tests := []struct {
		name string
		pod  *corev1.Pod
		want Pod
	}{
		{
			name: "terminating deployment pod",
			pod:  unmarshal[corev1.Pod](t, readTestdata(t, "pod_terminating.json")),
			want: Pod{
				UID: "9a8b7c6d-1111-2222-3333-444455556666", Namespace: "shop", Name: "web-6d9f7c8b5-q2w3e",
				Node:     "gke-prod-pool-1-5e6f7a8b-x1y2",
				IP:       netip.MustParseAddr("10.52.3.17"),
				IPs:      []netip.Addr{netip.MustParseAddr("10.52.3.17"), netip.MustParseAddr("fd00:10:52::3:17")},
				Workload: "shop/web", OwnerKind: "Deployment",
				Created:  mustTime(t, "2025-03-04T17:02:11Z"),
				Started:  mustTime(t, "2025-03-04T17:02:12Z"),
				ReadyAt:  mustTime(t, "2025-03-04T17:02:25Z"),
				Deletion: mustTime(t, "2025-03-04T18:16:01Z"), DeletionGrace: ptr[int64](60),
				TerminationGrace: 60,
				PreStop: PreStop{Kind: PreStopExecSleep, Seconds: 15,
					Command: []string{"/bin/sh", "-c", "sleep 15 && nginx -s quit"}},
				Container: "app",
				Ports:     []int{8080, 9102},
				Exits: []ContainerExit{{Container: "app", ExitCode: 143, Reason: "Error",
					StartedAt: mustTime(t, "2025-03-04T17:02:20Z"), FinishedAt: mustTime(t, "2025-03-04T18:15:19Z")}},
				Phase: "Running", ResourceVersion: "884100",
			},
		},
		{
			name: "statefulset pod with native sleep, not ready",
			pod: &corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{Namespace: "db", Name: "pg-0", OwnerReferences: []metav1.OwnerReference{
					{Kind: "Service", Name: "not-controller"},
					{Kind: "StatefulSet", Name: "pg", Controller: ptr(true)},
				}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "pg", Lifecycle: &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Sleep: &corev1.SleepAction{Seconds: 20}}},
				}}},
				Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse,
					LastTransitionTime: metav1.NewTime(mustTime(t, "2025-03-04T18:00:00Z"))}}},
			},
			want: Pod{Namespace: "db", Name: "pg-0", Workload: "db/pg", OwnerKind: "StatefulSet", TerminationGrace: 30,
				PreStop: PreStop{Kind: PreStopSleep, Seconds: 20}, Container: "pg"},
		},
		{
			name: "replicaset without hash label",
			pod: &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "api-v2-5c7d9-abcde",
				OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "api-v2-5c7d9", Controller: ptr(true)}}},
				Spec: corev1.PodSpec{TerminationGracePeriodSeconds: ptr[int64](0)}},
			want: Pod{Namespace: "ns", Name: "api-v2-5c7d9-abcde", Workload: "ns/api-v2", OwnerKind: "Deployment", PreStop: PreStop{Kind: PreStopNone}},
		},
		{
			name: "unowned pod with httpGet preStop",
			pod: &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "debug"},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c",
					Lifecycle: &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/drain"}}}}}},
				Status: corev1.PodStatus{PodIP: "::ffff:10.1.2.3"}},
			want: Pod{Namespace: "ns", Name: "debug", Workload: "ns/debug", TerminationGrace: 30,
				IP: netip.MustParseAddr("10.1.2.3"), PreStop: PreStop{Kind: PreStopHTTP}, Container: "c"},
		},
		{
			name: "owner without controller flag",
			pod: &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "j-1",
				OwnerReferences: []metav1.OwnerReference{{Kind: "Job", Name: "j"}}}},
			want: Pod{Namespace: "ns", Name: "j-1", Workload: "ns/j", OwnerKind: "Job", TerminationGrace: 30, PreStop: PreStop{Kind: PreStopNone}},
		},
		{
			name: "empty pod",
			pod:  &corev1.Pod{},
			want: Pod{Workload: "/", TerminationGrace: 30, PreStop: PreStop{Kind: PreStopNone}},
		},
		{
			name: "nil pod",
			pod:  nil,
			want: Pod{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PodFrom(tt.pod)
			if diff := cmp.Diff(tt.want, got, addrCmp); diff != "" {
				t.Errorf("PodFrom() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// PodFrom copies what it points to: the record does not alias the object.
func TestPodFromDoesNotAlias(t *testing.T) {
	p := unmarshal[corev1.Pod](t, readTestdata(t, "pod_terminating.json"))
	got := PodFrom(p)
	*got.DeletionGrace = 1
	got.PreStop.Command[0] = "x"
	if *p.DeletionGracePeriodSeconds != 60 || p.Spec.Containers[1].Lifecycle.PreStop.Exec.Command[0] != "/bin/sh" {
		t.Errorf("PodFrom() result aliases the API object")
	}
}

func TestPodDeletionRequested(t *testing.T) {
	p := PodFrom(unmarshal[corev1.Pod](t, readTestdata(t, "pod_terminating.json")))
	got, ok := p.DeletionRequested()
	if want := mustTime(t, "2025-03-04T18:15:01Z"); !ok || !got.Equal(want) {
		t.Errorf("DeletionRequested() = %v, %v, want %v, true", got, ok, want)
	}
}

func TestDeploymentName(t *testing.T) {
	tests := []struct{ rs, hash, want string }{
		{"web-6d9f7c8b5", "6d9f7c8b5", "web"},
		{"web-6d9f7c8b5", "", "web"},
		{"my-app-v2-6d9f7c8b5", "6d9f7c8b5", "my-app-v2"},
		{"my-app-v2-6d9f7c8b5", "other", "my-app-v2"},
		{"nodash", "", "nodash"},
		{"-abc", "abc", "-abc"},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := deploymentName(tt.rs, tt.hash); got != tt.want {
			t.Errorf("deploymentName(%q, %q) = %q, want %q", tt.rs, tt.hash, got, tt.want)
		}
	}
}
