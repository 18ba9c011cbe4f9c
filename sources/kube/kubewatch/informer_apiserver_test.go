package kubewatch

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/kube"
	"github.com/negtrace/negtrace/sources/kube/kubetest"
)

// TestWatcherRealAPIServer drives a pod's life through a real kube-apiserver
// (no kubelet or controllers: the test sets pod status and writes the
// EndpointSlice itself) and checks what the watcher applied: each version
// of the pod with its IP, readiness, deletion deadline and grace (so T0 is
// computable), its exit, the final deleted version; the slice going from
// ready to terminating; the Service's NEGs; the Killing event; nothing from
// another namespace. The client comes from RESTConfig over a kubeconfig file
// and talks protobuf.
func TestWatcherRealAPIServer(t *testing.T) {
	cfg := kubetest.StartAPIServer(t)
	rcfg, err := RESTConfig(writeKubeconfig(t, cfg))
	if err != nil {
		t.Fatal(err)
	}
	client, err := kubernetes.NewForConfig(rcfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, ns := range []string{"shop", "other"} {
		mustDo(t, "create namespace "+ns, func() error {
			_, err := client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
			return err
		})
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web", Annotations: map[string]string{
			kube.NEGStatusAnnotation: `{"network_endpoint_groups":{"80":"k8s1-0a1b2c3d-shop-web-80-4e5f6a7b"},"zones":["europe-west1-b","europe-west1-c"]}`,
		}},
		Spec: corev1.ServiceSpec{
			Selector: map[string]string{"app": "web"},
			Ports:    []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}},
		},
	}
	mustDo(t, "create service", func() error {
		_, err := client.CoreV1().Services("shop").Create(ctx, svc, metav1.CreateOptions{})
		return err
	})

	rec := &recorder{}
	w, err := NewWatcher(WatchOptions{Client: client, Namespaces: []string{"shop"}, Apply: rec.apply,
		Flush: 50 * time.Millisecond, Logger: testLogger})
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, w)
	waitFor(t, "the informers to sync", func() bool { return w.Status().State == analyzer.SourceOK })

	// The pod is created on a node and becomes ready.
	pods := client.CoreV1().Pods("shop")
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web-5d4f8-x2x9k",
			Labels: map[string]string{"app": "web", "pod-template-hash": "5d4f8"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-5d4f8",
				UID: "3b1c1f5e-0000-4000-8000-000000000001", Controller: ptr(true)}}},
		Spec: corev1.PodSpec{
			NodeName:                      "node-a", // scheduled: a graceful delete waits for the (absent) kubelet
			TerminationGracePeriodSeconds: ptr(int64(45)),
			Containers: []corev1.Container{{
				Name: "app", Image: "example.invalid/web:1",
				Ports:     []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
				Lifecycle: &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Sleep: &corev1.SleepAction{Seconds: 10}}},
			}},
		},
	}
	pod, err = pods.Create(ctx, pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create pod: %v", err)
	}
	started := metav1.NewTime(time.Now().Add(-20 * time.Second).Truncate(time.Second))
	readyAt := metav1.NewTime(time.Now().Add(-10 * time.Second).Truncate(time.Second))
	pod.Status = corev1.PodStatus{
		Phase:     corev1.PodRunning,
		PodIP:     "10.8.0.5",
		PodIPs:    []corev1.PodIP{{IP: "10.8.0.5"}},
		HostIP:    "10.132.0.7",
		StartTime: &started,
		Conditions: []corev1.PodCondition{
			{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: readyAt},
			{Type: corev1.ContainersReady, Status: corev1.ConditionTrue, LastTransitionTime: readyAt},
		},
		ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Image: "example.invalid/web:1", Ready: true, Started: ptr(true),
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: started}}}},
	}
	pod, err = pods.UpdateStatus(ctx, pod, metav1.UpdateOptions{})
	if err != nil {
		t.Fatalf("pod status: %v", err)
	}

	// Its endpoint is published ready.
	sliceAPI := client.DiscoveryV1().EndpointSlices("shop")
	slice := &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Namespace: "shop", Name: "web-abc12", Labels: map[string]string{discoveryv1.LabelServiceName: "web"}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       []discoveryv1.EndpointPort{{Name: ptr("http"), Port: ptr(int32(8080)), Protocol: ptr(corev1.ProtocolTCP)}},
		Endpoints: []discoveryv1.Endpoint{{
			Addresses:  []string{"10.8.0.5"},
			Conditions: discoveryv1.EndpointConditions{Ready: ptr(true), Serving: ptr(true), Terminating: ptr(false)},
			TargetRef:  &corev1.ObjectReference{Kind: "Pod", Namespace: "shop", Name: pod.Name, UID: pod.UID},
			NodeName:   ptr("node-a"),
			Zone:       ptr("europe-west1-b"),
		}},
	}
	slice, err = sliceAPI.Create(ctx, slice, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create slice: %v", err)
	}

	// Noise in a namespace not watched.
	mustDo(t, "create other pod", func() error {
		_, err := client.CoreV1().Pods("other").Create(ctx, &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: "other", Name: "noise"},
			Spec:       corev1.PodSpec{NodeName: "node-a", Containers: []corev1.Container{{Name: "c", Image: "example.invalid/noise"}}},
		}, metav1.CreateOptions{})
		return err
	})

	// A graceful delete: the pod stays, with deletionTimestamp = request + 30 s.
	before := time.Now()
	mustDo(t, "graceful delete", func() error {
		return pods.Delete(ctx, pod.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr(int64(30))})
	})
	after := time.Now()
	pod, err = pods.Get(ctx, pod.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get terminating pod: %v", err)
	}
	if pod.DeletionTimestamp == nil {
		t.Fatal("the gracefully deleted pod has no deletionTimestamp")
	}

	// The kubelet's part, played by the test: Killing, not ready, exited.
	killedAt := metav1.NewTime(time.Now().Truncate(time.Second))
	mustDo(t, "create event", func() error {
		_, err := client.CoreV1().Events("shop").Create(ctx, &corev1.Event{
			ObjectMeta:     metav1.ObjectMeta{Namespace: "shop", Name: pod.Name + ".18a1b2c3d4e5f6a7"},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "shop", Name: pod.Name, UID: pod.UID, FieldPath: "spec.containers{app}"},
			Reason:         kube.ReasonKilling, Message: "Stopping container app", Type: corev1.EventTypeNormal,
			Source:         corev1.EventSource{Component: "kubelet", Host: "node-a"},
			FirstTimestamp: killedAt, LastTimestamp: killedAt, Count: 1,
		}, metav1.CreateOptions{})
		return err
	})
	slice.Endpoints[0].Conditions = discoveryv1.EndpointConditions{Ready: ptr(false), Serving: ptr(true), Terminating: ptr(true)}
	mustDo(t, "slice terminating", func() error { _, err := sliceAPI.Update(ctx, slice, metav1.UpdateOptions{}); return err })
	finished := metav1.NewTime(time.Now().Truncate(time.Second))
	pod.Status.Conditions[0].Status = corev1.ConditionFalse
	pod.Status.ContainerStatuses[0].Ready = false
	pod.Status.ContainerStatuses[0].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
		ExitCode: 0, Reason: "Completed", StartedAt: started, FinishedAt: finished}}
	mustDo(t, "pod exited", func() error { _, err := pods.UpdateStatus(ctx, pod, metav1.UpdateOptions{}); return err })

	// Without a kubelet the pod would stay: force-delete it.
	mustDo(t, "force delete", func() error {
		return pods.Delete(ctx, pod.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr(int64(0))})
	})

	waitFor(t, "the deleted pod and the event", func() bool {
		got := rec.all()
		return slices.ContainsFunc(got.Events, func(e kube.Event) bool { return e.Kind == "Pod" }) &&
			len(got.Pods) > 0 && got.Pods[len(got.Pods)-1].Deleted
	})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	got := rec.all()
	for _, p := range got.Pods {
		if p.Namespace != "shop" || p.Name != pod.Name || p.UID != string(pod.UID) || p.ResourceVersion == "" {
			t.Errorf("unexpected pod version %s/%s uid %s rv %q", p.Namespace, p.Name, p.UID, p.ResourceVersion)
		}
	}
	// The pod as the analysis sees it once ready: identity, workload, hook.
	i := slices.IndexFunc(got.Pods, func(p kube.Pod) bool { return p.IP.IsValid() })
	if i < 0 {
		t.Fatal("no pod version with an IP")
	}
	ready := got.Pods[i]
	wantReady := kube.Pod{
		UID: string(pod.UID), Namespace: "shop", Name: pod.Name, Node: "node-a",
		IP: netip.MustParseAddr("10.8.0.5"), IPs: []netip.Addr{netip.MustParseAddr("10.8.0.5")},
		Workload: "shop/web", OwnerKind: "Deployment",
		Created: ready.Created, Started: started.UTC(), ReadyAt: readyAt.UTC(),
		TerminationGrace: 45, PreStop: kube.PreStop{Kind: kube.PreStopSleep, Seconds: 10}, Container: "app",
		Ports: []int{8080}, Phase: "Running", ResourceVersion: ready.ResourceVersion,
	}
	if diff := cmp.Diff(wantReady, ready, addrCmp); diff != "" {
		t.Errorf("ready pod (-want +got):\n%s", diff)
	}

	// The first terminating version: T0 is when the delete was requested.
	i = slices.IndexFunc(got.Pods, func(p kube.Pod) bool { return !p.Deletion.IsZero() })
	if i < 0 {
		t.Fatal("no pod version with a deletionTimestamp")
	}
	term := got.Pods[i]
	if term.DeletionGrace == nil || *term.DeletionGrace != 30 {
		t.Errorf("deletionGracePeriodSeconds = %v, want 30", term.DeletionGrace)
	}
	// deletionTimestamp has whole seconds.
	if t0, ok := term.DeletionRequested(); !ok || t0.Before(before.Add(-time.Second)) || t0.After(after) {
		t.Errorf("DeletionRequested = %v, %v; want within [%v, %v]", t0, ok, before.Add(-time.Second), after)
	}

	// The exit, then the deleted version.
	if !slices.ContainsFunc(got.Pods, func(p kube.Pod) bool {
		return cmp.Equal(p.Exits, []kube.ContainerExit{{Container: "app", Reason: "Completed", StartedAt: started.UTC(), FinishedAt: finished.UTC()}})
	}) {
		t.Error("no pod version with the container's exit")
	}
	last := got.Pods[len(got.Pods)-1]
	if !last.Deleted || last.Deletion.IsZero() || len(last.Exits) != 1 {
		t.Errorf("last pod version: deleted %v, deletion %v, exits %v; want the exited pod, deleted", last.Deleted, last.Deletion, last.Exits)
	}
	// The force delete rewrote deletionTimestamp to its own time with grace
	// 0: T0 must come from the first terminating version, not the last.
	if last.DeletionGrace == nil || *last.DeletionGrace != 0 {
		t.Errorf("deleted version's grace = %v, want 0 (force delete)", last.DeletionGrace)
	}
	if t0, _ := term.DeletionRequested(); last.Deletion.Before(t0) {
		t.Errorf("force delete at %v is before the graceful request %v", last.Deletion, t0)
	}
	if n := countFunc(got.Pods, func(p kube.Pod) bool { return p.Deleted }); n != 1 {
		t.Errorf("%d deleted pod versions, want 1", n)
	}

	// The slice: ready, then terminating (still serving).
	var sliceStates []string
	for _, s := range got.Slices {
		for _, e := range s.Endpoints {
			sliceStates = append(sliceStates, fmt.Sprintf("%s %v ready=%v serving=%v terminating=%v pod=%v node=%s zone=%s ports=%v",
				s.Service, e.Addresses, e.Ready, e.Serving, e.Terminating, e.PodUID == string(pod.UID), e.Node, e.Zone, s.Ports))
		}
	}
	wantSlices := []string{
		"web [10.8.0.5] ready=true serving=true terminating=false pod=true node=node-a zone=europe-west1-b ports=[{http 8080}]",
		"web [10.8.0.5] ready=false serving=true terminating=true pod=true node=node-a zone=europe-west1-b ports=[{http 8080}]",
	}
	if diff := cmp.Diff(wantSlices, sliceStates); diff != "" {
		t.Errorf("slices (-want +got):\n%s", diff)
	}

	if len(got.Services) == 0 {
		t.Fatal("no service applied")
	}
	gotSvc := got.Services[len(got.Services)-1]
	wantSvc := kube.Service{Namespace: "shop", Name: "web", UID: gotSvc.UID,
		NEGs: map[string]string{"80": "k8s1-0a1b2c3d-shop-web-80-4e5f6a7b"}, Zones: []string{"europe-west1-b", "europe-west1-c"},
		TargetPorts: map[int]int{80: 8080}}
	if diff := cmp.Diff(wantSvc, gotSvc); diff != "" || gotSvc.UID == "" {
		t.Errorf("service (-want +got):\n%s", diff)
	}

	wantEv := []kube.Event{{Namespace: "shop", Name: pod.Name + ".18a1b2c3d4e5f6a7", Kind: "Pod", ObjectName: pod.Name,
		ObjectUID: string(pod.UID), FieldPath: "spec.containers{app}", Reason: kube.ReasonKilling, Message: "Stopping container app",
		Type: "Normal", Component: "kubelet", Host: "node-a", Time: killedAt.UTC(), FirstTime: killedAt.UTC(), Count: 1}}
	// The API server's IP repair loop may add its own events about the
	// Service; those of the pod are the test's.
	podEvents := slices.DeleteFunc(slices.Clone(got.Events), func(e kube.Event) bool { return e.Kind != "Pod" })
	if diff := cmp.Diff(wantEv, podEvents); diff != "" {
		t.Errorf("pod events (-want +got):\n%s", diff)
	}

	st := w.Status()
	if st.Errors != 0 || st.Skipped != 0 || st.Records != len(got.Pods)+len(got.Slices)+len(got.Services)+len(got.Events) {
		t.Errorf("status %+v: want no errors and every record counted", st)
	}
}

func countFunc[T any](s []T, f func(T) bool) int {
	n := 0
	for _, v := range s {
		if f(v) {
			n++
		}
	}
	return n
}

// writeKubeconfig writes cfg as a kubeconfig file, as a user would pass it
// with --kubeconfig.
func writeKubeconfig(t *testing.T, cfg *rest.Config) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	data := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: admin
  user:
    token: %s
contexts:
- name: local
  context: {cluster: local, user: admin}
current-context: local
`, cfg.Host, base64.StdEncoding.EncodeToString(cfg.CAData), cfg.BearerToken)
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestWatcherAPIServerRestart stops the API server under a running watcher:
// the status turns degraded and Run goes on; after the restart the watcher
// reconnects by itself, applies a pod created and a pod deleted since, and
// is ok again.
func TestWatcherAPIServerRestart(t *testing.T) {
	s := kubetest.Start(t)
	client, err := kubernetes.NewForConfig(s.Config)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	pods := client.CoreV1().Pods("shop")
	newPod := func(name string) *corev1.Pod {
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name},
			Spec:       corev1.PodSpec{NodeName: "node-a", Containers: []corev1.Container{{Name: "app", Image: "example.invalid/web:1"}}},
		}
	}
	mustDo(t, "create namespace", func() error {
		_, err := client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}, metav1.CreateOptions{})
		return err
	})
	for _, name := range []string{"web-1", "web-2"} {
		mustDo(t, "create "+name, func() error { _, err := pods.Create(ctx, newPod(name), metav1.CreateOptions{}); return err })
	}

	rec := &recorder{}
	w, err := NewWatcher(WatchOptions{Client: client, Namespaces: []string{"shop"}, Apply: rec.apply,
		Flush: 20 * time.Millisecond, Logger: testLogger})
	if err != nil {
		t.Fatal(err)
	}
	run(t, w)
	waitFor(t, "both pods", func() bool { return len(rec.all().Pods) == 2 && w.Status().State == analyzer.SourceOK })

	s.StopAPIServer()
	waitFor(t, "degraded", func() bool { return w.Status().State == analyzer.SourceDegraded })
	if st := w.Status(); st.Errors == 0 || !strings.Contains(st.Message, "check that the API server is reachable") {
		t.Errorf("while the API server is down: %+v", st)
	}

	s.RestartAPIServer()
	mustDo(t, "delete web-1", func() error {
		return pods.Delete(ctx, "web-1", metav1.DeleteOptions{GracePeriodSeconds: ptr(int64(0))})
	})
	mustDo(t, "create web-3", func() error { _, err := pods.Create(ctx, newPod("web-3"), metav1.CreateOptions{}); return err })

	// The reflectors' backoff after failed dials is up to ~30 s.
	waitWithin(t, time.Minute, "web-1 deleted, web-3 seen, ok", func() bool {
		got := rec.all().Pods
		return slices.ContainsFunc(got, func(p kube.Pod) bool { return p.Name == "web-1" && p.Deleted }) &&
			slices.ContainsFunc(got, func(p kube.Pod) bool { return p.Name == "web-3" }) &&
			w.Status().State == analyzer.SourceOK
	})
	if st := w.Status(); st.Message != "" {
		t.Errorf("recovered status message %q, want none", st.Message)
	}
}
