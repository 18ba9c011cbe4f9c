package kubewatch

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/negtrace/negtrace/sources/state"
)

// addrCmp compares netip.Addr values, whose fields are unexported.
var addrCmp = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })

// testLogger discards the watcher's logs.
var testLogger = slog.New(slog.DiscardHandler)

// recorder is an ApplyFunc that keeps the batches it was given. It fails
// the first fail calls, and each call waits for gate while gate is set.
type recorder struct {
	mu      sync.Mutex
	batches []state.Batch
	fail    int
	calls   int
	gate    chan struct{}
}

func (r *recorder) apply(ctx context.Context, b state.Batch) error {
	r.mu.Lock()
	gate := r.gate
	r.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.fail > 0 {
		r.fail--
		return errors.New("database is locked")
	}
	r.batches = append(r.batches, b)
	return nil
}

// all merges the applied batches.
func (r *recorder) all() state.Batch {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out state.Batch
	for _, b := range r.batches {
		out.Pods = append(out.Pods, b.Pods...)
		out.Slices = append(out.Slices, b.Slices...)
		out.Services = append(out.Services, b.Services...)
		out.Events = append(out.Events, b.Events...)
	}
	return out
}

// sizes returns the number of records of each applied batch and the
// sources they name.
func (r *recorder) sizes() (sizes []int, sources map[string]bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sources = map[string]bool{}
	for _, b := range r.batches {
		sizes = append(sizes, b.Len())
		sources[b.Source] = true
	}
	return sizes, sources
}

// waitFor polls cond until it holds, failing the test after 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitWithin(t, 20*time.Second, what, cond)
}

// waitWithin polls cond until it holds, failing the test after d.
func waitWithin(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// run starts w.Run and returns a function that stops it and returns Run's
// error. The test's cleanup stops it too.
func run(t *testing.T, w *Watcher) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- w.Run(ctx) }()
	waitFor(t, "Run to start", func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.health.started
	})
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-errc:
			case <-time.After(30 * time.Second):
				err = errors.New("Run did not return 30 s after its context was cancelled")
			}
		})
		return err
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return stop
}

// testPod is a scheduled, running pod serving on 8080.
func testPod(ns, name, ip string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + ns + "-" + name)},
		Spec: corev1.PodSpec{
			NodeName:   "node-a",
			Containers: []corev1.Container{{Name: "app", Ports: []corev1.ContainerPort{{ContainerPort: 8080}}}},
		},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: ip},
	}
}

// testSlice is an EndpointSlice of service svc with one endpoint per pod.
func testSlice(ns, name, svc string, ready bool, pods ...*corev1.Pod) *discoveryv1.EndpointSlice {
	s := &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{discoveryv1.LabelServiceName: svc}},
		AddressType: discoveryv1.AddressTypeIPv4,
	}
	for _, p := range pods {
		s.Endpoints = append(s.Endpoints, discoveryv1.Endpoint{
			Addresses:  []string{p.Status.PodIP},
			Conditions: discoveryv1.EndpointConditions{Ready: &ready, Terminating: ptr(!ready)},
			TargetRef:  &corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: p.Name, UID: p.UID},
		})
	}
	return s
}

// testService is a Service with a NEG on port 80.
func testService(ns, name string) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-svc-" + name),
			Annotations: map[string]string{
				"cloud.google.com/neg-status": `{"network_endpoint_groups":{"80":"k8s1-neg"},"zones":["europe-west1-b"]}`,
			}},
		Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}}},
	}
}

// testEvent is a core/v1 event about a pod.
func testEvent(ns, name, reason, pod string, at time.Time) *corev1.Event {
	return &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Namespace: ns, Name: name},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: pod},
		Reason:         reason,
		Message:        "Stopping container app",
		Type:           corev1.EventTypeNormal,
		Source:         corev1.EventSource{Component: "kubelet", Host: "node-a"},
		FirstTimestamp: metav1.NewTime(at),
		LastTimestamp:  metav1.NewTime(at),
		Count:          1,
	}
}

func ptr[T any](v T) *T { return &v }
