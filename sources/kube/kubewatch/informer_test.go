package kubewatch

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/cache"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/kube"
	"github.com/negtrace/negtrace/sources/state"
)

var t0 = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

func TestNewWatcherValidation(t *testing.T) {
	client := fake.NewClientset()
	apply := (&recorder{}).apply
	tests := []struct {
		name    string
		opts    WatchOptions
		wantErr string
	}{
		{"no client", WatchOptions{Apply: apply}, "no client"},
		{"no apply", WatchOptions{Client: client}, "no apply function"},
		{"negative resync", WatchOptions{Client: client, Apply: apply, Resync: -time.Second}, "negative resync"},
		{"negative flush", WatchOptions{Client: client, Apply: apply, Flush: -time.Second}, "negative flush"},
		{"bad namespace", WatchOptions{Client: client, Apply: apply, Namespaces: []string{"shop", "Not_A Namespace"}}, `namespace "Not_A Namespace"`},
		{"ok", WatchOptions{Client: client, Apply: apply, Namespaces: []string{" shop ", "", "shop", "pay"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := NewWatcher(tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// Two namespaces after cleaning, four kinds each.
			var got []string
			for _, f := range w.feeds {
				got = append(got, f.where())
			}
			want := []string{
				"pods in shop", "endpointslices in shop", "events in shop", "services in shop",
				"pods in pay", "endpointslices in pay", "events in pay", "services in pay",
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("informers (-want +got):\n%s", diff)
			}
		})
	}
}

// podSeen is what a test checks of an applied pod version.
type podSeen struct {
	Namespace, Name string
	IP              string
	Deleting        bool // carries a deletionTimestamp
	Deleted         bool
}

func seenPods(pods []kube.Pod) []podSeen {
	var out []podSeen
	for _, p := range pods {
		ip := ""
		if p.IP.IsValid() {
			ip = p.IP.String()
		}
		out = append(out, podSeen{p.Namespace, p.Name, ip, !p.Deletion.IsZero(), p.Deleted})
	}
	return out
}

// TestWatcherAppliesRecords drives pods, slices, services and events
// through the fake API and checks every version applied, in order per kind.
func TestWatcherAppliesRecords(t *testing.T) {
	ctx := context.Background()
	web1 := testPod("shop", "web-1", "10.8.0.5")
	client := fake.NewClientset(
		web1,
		testPod("other", "noise", "10.9.0.9"), // outside the watched namespace
		testService("shop", "web"),
		testService("other", "noise"),
		testSlice("shop", "web-abc", "web", true, web1),
		testEvent("other", "noise.1", "Killing", "noise", t0),
	)
	rec := &recorder{}
	w, err := NewWatcher(WatchOptions{Client: client, Namespaces: []string{"shop"}, Apply: rec.apply,
		Flush: 10 * time.Millisecond, Logger: testLogger, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, w)
	waitFor(t, "the informers to sync", func() bool { return w.Status().State == analyzer.SourceOK })

	// A second pod starts, gets its IP, is deleted gracefully, then removed.
	web2 := testPod("shop", "web-2", "")
	mustDo(t, "create web-2", func() error {
		_, err := client.CoreV1().Pods("shop").Create(ctx, web2, metav1.CreateOptions{})
		return err
	})
	web2.Status.PodIP = "10.8.0.6"
	mustDo(t, "update web-2", func() error {
		_, err := client.CoreV1().Pods("shop").Update(ctx, web2, metav1.UpdateOptions{})
		return err
	})
	web2.DeletionTimestamp = ptr(metav1.NewTime(t0.Add(30 * time.Second)))
	web2.DeletionGracePeriodSeconds = ptr(int64(30))
	mustDo(t, "mark web-2 deleting", func() error {
		_, err := client.CoreV1().Pods("shop").Update(ctx, web2, metav1.UpdateOptions{})
		return err
	})
	mustDo(t, "delete web-2", func() error { return client.CoreV1().Pods("shop").Delete(ctx, "web-2", metav1.DeleteOptions{}) })

	// The slice turns web-1 terminating, then goes away; the service goes
	// away; an event arrives; noise happens in the other namespace.
	mustDo(t, "update slice", func() error {
		_, err := client.DiscoveryV1().EndpointSlices("shop").Update(ctx, testSlice("shop", "web-abc", "web", false, web1), metav1.UpdateOptions{})
		return err
	})
	mustDo(t, "delete slice", func() error {
		return client.DiscoveryV1().EndpointSlices("shop").Delete(ctx, "web-abc", metav1.DeleteOptions{})
	})
	mustDo(t, "delete service", func() error { return client.CoreV1().Services("shop").Delete(ctx, "web", metav1.DeleteOptions{}) })
	mustDo(t, "create event", func() error {
		_, err := client.CoreV1().Events("shop").Create(ctx, testEvent("shop", "web-2.1", "Killing", "web-2", t0), metav1.CreateOptions{})
		return err
	})
	mustDo(t, "noise", func() error {
		_, err := client.CoreV1().Pods("other").Create(ctx, testPod("other", "noise-2", "10.9.0.10"), metav1.CreateOptions{})
		return err
	})

	waitFor(t, "the event", func() bool { return len(rec.all().Events) == 1 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	got := rec.all()

	// Pods: informer order per object; the two pods' histories interleave
	// only at the initial list, which holds web-1 alone.
	wantPods := []podSeen{
		{"shop", "web-1", "10.8.0.5", false, false},
		{"shop", "web-2", "", false, false},
		{"shop", "web-2", "10.8.0.6", false, false},
		{"shop", "web-2", "10.8.0.6", true, false},
		{"shop", "web-2", "10.8.0.6", true, true},
	}
	if diff := cmp.Diff(wantPods, seenPods(got.Pods)); diff != "" {
		t.Errorf("pods (-want +got):\n%s", diff)
	}
	last := got.Pods[len(got.Pods)-1]
	if t0, ok := last.DeletionRequested(); !ok || !t0.Equal(time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("deleted web-2: DeletionRequested = %v, %v; want t0 (deadline − 30 s grace)", t0, ok)
	}

	// Slices: ready, terminating, then the final version on delete.
	var sliceStates []string
	for _, s := range got.Slices {
		if len(s.Endpoints) != 1 {
			t.Fatalf("slice %s/%s has %d endpoints, want 1", s.Namespace, s.Name, len(s.Endpoints))
		}
		e := s.Endpoints[0]
		sliceStates = append(sliceStates, fmt.Sprintf("%s ready=%v terminating=%v pod=%s", s.Service, e.Ready, e.Terminating, e.PodName))
	}
	wantSlices := []string{
		"web ready=true terminating=false pod=web-1",
		"web ready=false terminating=true pod=web-1",
		"web ready=false terminating=true pod=web-1",
	}
	if diff := cmp.Diff(wantSlices, sliceStates); diff != "" {
		t.Errorf("slices (-want +got):\n%s", diff)
	}

	// Services: the initial version only; a delete adds nothing.
	wantSvc := []kube.Service{{Namespace: "shop", Name: "web", UID: "uid-svc-web",
		NEGs: map[string]string{"80": "k8s1-neg"}, Zones: []string{"europe-west1-b"}, TargetPorts: map[int]int{80: 80}}}
	if diff := cmp.Diff(wantSvc, got.Services); diff != "" {
		t.Errorf("services (-want +got):\n%s", diff)
	}

	// Events: the one in shop.
	wantEv := []kube.Event{{Namespace: "shop", Name: "web-2.1", Kind: "Pod", ObjectName: "web-2", Reason: "Killing",
		Message: "Stopping container app", Type: "Normal", Component: "kubelet", Host: "node-a", Time: t0, FirstTime: t0, Count: 1}}
	if diff := cmp.Diff(wantEv, got.Events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}

	_, sources := rec.sizes()
	if diff := cmp.Diff(map[string]bool{SourceName: true}, sources); diff != "" {
		t.Errorf("batch sources (-want +got):\n%s", diff)
	}
	st := w.Status()
	total := len(got.Pods) + len(got.Slices) + len(got.Services) + len(got.Events)
	if st.Records != total || st.Errors != 0 || st.Skipped != 0 {
		t.Errorf("status records/errors/skipped = %d/%d/%d, want %d/0/0", st.Records, st.Errors, st.Skipped, total)
	}
}

func mustDo(t *testing.T, what string, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// TestWatcherAllNamespaces watches every namespace when none is given.
func TestWatcherAllNamespaces(t *testing.T) {
	client := fake.NewClientset(testPod("shop", "web-1", "10.8.0.5"), testPod("pay", "api-1", "10.8.1.5"))
	rec := &recorder{}
	w, err := NewWatcher(WatchOptions{Client: client, Apply: rec.apply, Flush: time.Millisecond, Logger: testLogger})
	if err != nil {
		t.Fatal(err)
	}
	if len(w.feeds) != 4 || w.feeds[0].where() != "pods in all namespaces" {
		t.Fatalf("feeds = %d, first %q; want 4 cluster-wide informers", len(w.feeds), w.feeds[0].where())
	}
	run(t, w)
	waitFor(t, "both pods", func() bool { return len(rec.all().Pods) == 2 })
	got := seenPods(rec.all().Pods)
	slices.SortFunc(got, func(a, b podSeen) int { return strings.Compare(a.Name, b.Name) })
	want := []podSeen{{"pay", "api-1", "10.8.1.5", false, false}, {"shop", "web-1", "10.8.0.5", false, false}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pods (-want +got):\n%s", diff)
	}
}

// controlledWatches makes a fake clientset's pod watches stoppable and
// failing on demand.
type controlledWatches struct {
	mu      sync.Mutex
	current []watch.Interface
	fail    atomic.Bool
	started atomic.Int32
}

func (c *controlledWatches) install(client *fake.Clientset) {
	client.PrependWatchReactor("pods", func(action clienttesting.Action) (bool, watch.Interface, error) {
		if c.fail.Load() {
			return true, nil, apierrors.NewInternalError(fmt.Errorf("etcd leader changed"))
		}
		var opts metav1.ListOptions
		if wa, ok := action.(clienttesting.WatchActionImpl); ok {
			opts = wa.ListOptions
		}
		wi, err := client.Tracker().Watch(action.GetResource(), action.GetNamespace(), opts)
		if err != nil {
			return true, nil, err
		}
		c.mu.Lock()
		c.current = append(c.current, wi)
		c.mu.Unlock()
		c.started.Add(1)
		return true, wi, nil
	})
}

// breakAll stops the open watches, as a dropped connection does.
func (c *controlledWatches) breakAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range c.current {
		w.Stop()
	}
	c.current = nil
}

// TestWatcherTombstone deletes a pod while the watch is down: the informer
// learns of it from the relist as a DeletedFinalStateUnknown, and the
// watcher applies the pod's last version as deleted. Meanwhile the status
// says which informer fails.
func TestWatcherTombstone(t *testing.T) {
	ctx := context.Background()
	client := fake.NewClientset(testPod("shop", "web-1", "10.8.0.5"), testPod("shop", "web-2", "10.8.0.6"))
	cw := &controlledWatches{}
	cw.install(client)
	rec := &recorder{}
	w, err := NewWatcher(WatchOptions{Client: client, Namespaces: []string{"shop"}, Apply: rec.apply,
		Flush: time.Millisecond, Logger: testLogger})
	if err != nil {
		t.Fatal(err)
	}
	run(t, w)
	waitFor(t, "sync and the pod watch", func() bool { return w.Status().State == analyzer.SourceOK && cw.started.Load() == 1 })

	cw.fail.Store(true)
	cw.breakAll()
	mustDo(t, "delete web-1 unseen", func() error { return client.CoreV1().Pods("shop").Delete(ctx, "web-1", metav1.DeleteOptions{}) })
	waitFor(t, "the failing watch in the status", func() bool { return w.Status().State == analyzer.SourceDegraded })
	st := w.Status()
	for _, want := range []string{"pods in shop", "etcd leader changed", "check that the API server is reachable"} {
		if !strings.Contains(st.Message, want) {
			t.Errorf("degraded message %q lacks %q", st.Message, want)
		}
	}
	if st.Errors == 0 {
		t.Error("degraded status counts no error")
	}

	cw.fail.Store(false) // the reflector relists after its backoff (~1 s)
	waitFor(t, "the tombstone", func() bool {
		return slices.ContainsFunc(rec.all().Pods, func(p kube.Pod) bool { return p.Deleted })
	})
	waitFor(t, "recovery", func() bool { return w.Status().State == analyzer.SourceOK })

	// The relist re-applies web-2 (the state deduplicates it).
	got := seenPods(rec.all().Pods)
	slices.SortStableFunc(got, func(a, b podSeen) int { return strings.Compare(a.Name, b.Name) })
	got = slices.Compact(got)
	want := []podSeen{
		{"shop", "web-1", "10.8.0.5", false, false},
		{"shop", "web-1", "10.8.0.5", false, true}, // the last cached version, deleted
		{"shop", "web-2", "10.8.0.6", false, false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pods (-want +got):\n%s", diff)
	}
}

// TestWatcherStatusForbidden: down before Run, down while every list is
// forbidden (saying which RBAC to grant), ok once the lists succeed.
func TestWatcherStatusForbidden(t *testing.T) {
	client := fake.NewClientset(testPod("shop", "web-1", "10.8.0.5"))
	var forbid atomic.Bool
	forbid.Store(true)
	client.PrependReactor("list", "*", func(action clienttesting.Action) (bool, runtime.Object, error) {
		if forbid.Load() {
			gr := schema.GroupResource{Group: action.GetResource().Group, Resource: action.GetResource().Resource}
			return true, nil, apierrors.NewForbidden(gr, "", fmt.Errorf(`User "system:serviceaccount:negtrace:negtrace" cannot list resource`))
		}
		return false, nil, nil
	})
	now := t0
	var clock sync.Mutex
	w, err := NewWatcher(WatchOptions{Client: client, Namespaces: []string{"shop", "pay"}, Apply: (&recorder{}).apply,
		Flush: time.Millisecond, Logger: testLogger, Now: func() time.Time { clock.Lock(); defer clock.Unlock(); return now }})
	if err != nil {
		t.Fatal(err)
	}

	if st := w.Status(); st.State != analyzer.SourceDown || st.Message != "not started" || st.Name != "kubernetes" {
		t.Errorf("before Run: %+v, want down, not started", st)
	}
	run(t, w)
	waitFor(t, "down", func() bool { return w.Status().State == analyzer.SourceDown })
	st := w.Status()
	for _, want := range []string{"is forbidden", "grant negtrace's identity get, list and watch on pods, services and events",
		"endpointslices (API group discovery.k8s.io)", "namespaces shop, pay", "Role and RoleBinding"} {
		if !strings.Contains(st.Message, want) {
			t.Errorf("forbidden message %q lacks %q", st.Message, want)
		}
	}
	if !st.LastSuccess.IsZero() || st.Errors == 0 {
		t.Errorf("while forbidden: LastSuccess %v, %d errors; want zero and some", st.LastSuccess, st.Errors)
	}

	clock.Lock()
	now = t0.Add(time.Minute)
	clock.Unlock()
	forbid.Store(false) // lists succeed after the reflectors' backoff
	// The synced informers make the state ok; the pod reaches Apply with the
	// next flush, so wait for both.
	waitFor(t, "ok and the pod applied", func() bool {
		st := w.Status()
		return st.State == analyzer.SourceOK && st.Records == 1
	})
	st = w.Status()
	if st.Message != "" || !st.LastSuccess.Equal(t0.Add(time.Minute)) || st.Records != 1 {
		t.Errorf("after the grant: %+v, want no message, LastSuccess now, 1 record", st)
	}
}

// TestWatcherStatusSyncing: degraded, naming the informers still waiting for
// their first list.
func TestWatcherStatusSyncing(t *testing.T) {
	client := hangingServices{fake.NewClientset(testPod("shop", "web-1", "10.8.0.5"))}
	w, err := NewWatcher(WatchOptions{Client: client, Namespaces: []string{"shop", "pay"}, Apply: (&recorder{}).apply,
		Flush: time.Millisecond, Logger: testLogger, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	run(t, w)
	waitFor(t, "all but the services informers synced", func() bool {
		return strings.Contains(w.Status().Message, "(6 of 8 informers synced)")
	})
	want := analyzer.SourceStatus{Name: "kubernetes", State: analyzer.SourceDegraded, LastSuccess: t0,
		Message: "waiting for the first list of services in shop, services in pay (6 of 8 informers synced)"}
	if diff := cmp.Diff(want, w.Status(), cmpopts.IgnoreFields(analyzer.SourceStatus{}, "Records")); diff != "" {
		t.Errorf("syncing (-want +got):\n%s", diff)
	}
}

// hangingServices is a fake clientset whose Services lists hang until their
// context is done. (A fake reactor cannot block: the fake holds its lock
// while reactors run.)
type hangingServices struct{ *fake.Clientset }

func (h hangingServices) CoreV1() typedcorev1.CoreV1Interface {
	return hangingCore{h.Clientset.CoreV1()}
}

type hangingCore struct{ typedcorev1.CoreV1Interface }

func (h hangingCore) Services(ns string) typedcorev1.ServiceInterface {
	return hangingServiceList{h.CoreV1Interface.Services(ns)}
}

type hangingServiceList struct{ typedcorev1.ServiceInterface }

func (hangingServiceList) List(ctx context.Context, _ metav1.ListOptions) (*corev1.ServiceList, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestWatcherStatusSynced: once every informer synced, the status is ok,
// without message, and LastSuccess is now.
func TestWatcherStatusSynced(t *testing.T) {
	client := fake.NewClientset()
	now := t0
	w, err := NewWatcher(WatchOptions{Client: client, Apply: (&recorder{}).apply, Logger: testLogger, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	run(t, w)
	waitFor(t, "ok", func() bool { return w.Status().State == analyzer.SourceOK })
	want := analyzer.SourceStatus{Name: "kubernetes", State: analyzer.SourceOK, LastSuccess: t0}
	if diff := cmp.Diff(want, w.Status()); diff != "" {
		t.Errorf("synced (-want +got):\n%s", diff)
	}
}

// TestWatcherUnreachable points a real client at a closed loopback port:
// Run keeps going, the status is down and says what to check.
func TestWatcherUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	client, err := kubernetes.NewForConfig(&rest.Config{Host: "https://" + addr, Timeout: 2 * time.Second,
		TLSClientConfig: rest.TLSClientConfig{Insecure: true}})
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWatcher(WatchOptions{Client: client, Namespaces: []string{"shop"}, Apply: (&recorder{}).apply, Logger: testLogger})
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, w)
	waitFor(t, "down", func() bool { return w.Status().State == analyzer.SourceDown })
	st := w.Status()
	for _, want := range []string{"connection refused", "check that the API server is reachable (--kubeconfig"} {
		if !strings.Contains(st.Message, want) {
			t.Errorf("message %q lacks %q", st.Message, want)
		}
	}
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// TestWatcherBatches checks batch sizes (at most maxBatch) and that what
// is still pending when Run stops is applied then.
func TestWatcherBatches(t *testing.T) {
	var objs []runtime.Object
	for i := range 450 {
		objs = append(objs, testPod("shop", fmt.Sprintf("web-%03d", i), fmt.Sprintf("10.8.%d.%d", i/250, i%250+1)))
	}
	client := fake.NewClientset(objs...)
	rec := &recorder{}
	w, err := NewWatcher(WatchOptions{Client: client, Namespaces: []string{"shop"}, Apply: rec.apply,
		Flush: time.Hour, Logger: testLogger})
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, w)
	waitFor(t, "two full batches", func() bool { s, _ := rec.sizes(); return len(s) == 2 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	sizes, _ := rec.sizes()
	if diff := cmp.Diff([]int{200, 200, 50}, sizes); diff != "" {
		t.Errorf("batch sizes (-want +got):\n%s", diff)
	}
	names := map[string]bool{}
	for _, p := range rec.all().Pods {
		names[p.Name] = true
	}
	if len(names) != 450 {
		t.Errorf("%d distinct pods applied, want 450", len(names))
	}
}

// TestWatcherFlushInterval applies a lone record after Flush, not later.
func TestWatcherFlushInterval(t *testing.T) {
	client := fake.NewClientset(testPod("shop", "web-1", "10.8.0.5"))
	rec := &recorder{}
	w, err := NewWatcher(WatchOptions{Client: client, Apply: rec.apply, Flush: 20 * time.Millisecond, Logger: testLogger})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	run(t, w)
	waitFor(t, "the pod", func() bool { return len(rec.all().Pods) == 1 })
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the pod took %v to be applied with a 20 ms flush interval", d)
	}
}

// TestWatcherApplyRetry fails the first Applies: the batch is retried, the
// failures are counted and shown until an Apply succeeds.
func TestWatcherApplyRetry(t *testing.T) {
	client := fake.NewClientset(testPod("shop", "web-1", "10.8.0.5"))
	rec := &recorder{fail: 3}
	w, err := NewWatcher(WatchOptions{Client: client, Apply: rec.apply, Flush: time.Millisecond, Logger: testLogger})
	if err != nil {
		t.Fatal(err)
	}
	w.retryMin, w.retryMax = 30*time.Millisecond, 60*time.Millisecond
	run(t, w)
	waitFor(t, "a failed apply in the status", func() bool {
		return strings.Contains(w.Status().Message, "saving records to the state failed, retrying: database is locked")
	})
	if st := w.Status(); st.State != analyzer.SourceDegraded {
		t.Errorf("state %q while Apply fails, want degraded", st.State)
	}
	waitFor(t, "the pod", func() bool { return len(rec.all().Pods) == 1 })
	waitFor(t, "ok", func() bool { return w.Status().State == analyzer.SourceOK })
	st := w.Status()
	if st.Errors != 3 || st.Records != 1 || st.Message != "" {
		t.Errorf("status %+v, want 3 errors, 1 record, no message", st)
	}
}

// TestWatcherQueueOverflow blocks Apply so the queue overflows: drops are
// counted, the status says so, and once the queue drains the cached objects
// are re-applied so every pod's latest version reaches the state.
func TestWatcherQueueOverflow(t *testing.T) {
	var objs []runtime.Object
	for i := range 10 {
		objs = append(objs, testPod("shop", fmt.Sprintf("web-%d", i), fmt.Sprintf("10.8.0.%d", i+1)))
	}
	client := fake.NewClientset(objs...)
	gate := make(chan struct{})
	rec := &recorder{gate: gate}
	w, err := NewWatcher(WatchOptions{Client: client, Namespaces: []string{"shop"}, Apply: rec.apply,
		Flush: time.Millisecond, Logger: testLogger})
	if err != nil {
		t.Fatal(err)
	}
	w.queue = make(chan any, 2)
	w.maxBatch = 1
	run(t, w)
	waitFor(t, "drops", func() bool { return strings.Contains(w.Status().Message, "records dropped on a full queue") })
	st := w.Status()
	if st.State != analyzer.SourceDegraded || st.Errors == 0 {
		t.Errorf("while dropping: state %q, %d errors; want degraded with errors", st.State, st.Errors)
	}
	rec.mu.Lock()
	rec.gate = nil
	rec.mu.Unlock()
	close(gate)

	waitFor(t, "every pod", func() bool {
		names := map[string]bool{}
		for _, p := range rec.all().Pods {
			names[p.Name] = true
		}
		return len(names) == 10
	})
	waitFor(t, "ok", func() bool { return w.Status().State == analyzer.SourceOK })
}

// TestWatcherRunTwice refuses a second Run.
func TestWatcherRunTwice(t *testing.T) {
	w, err := NewWatcher(WatchOptions{Client: fake.NewClientset(), Apply: (&recorder{}).apply, Logger: testLogger})
	if err != nil {
		t.Fatal(err)
	}
	run(t, w)
	waitFor(t, "running", func() bool { return w.Status().State != analyzer.SourceDown })
	if err := w.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("second Run: %v, want an error", err)
	}
}

func TestRecord(t *testing.T) {
	pod := testPod("shop", "web-1", "10.8.0.5")
	slice := testSlice("shop", "web-abc", "web", true, pod)
	svc := testService("shop", "web")
	ev := testEvent("shop", "web-1.1", "Killing", "web-1", t0)
	deletedPod := kube.PodFrom(pod)
	deletedPod.Deleted = true
	tests := []struct {
		name    string
		obj     any
		deleted bool
		want    any
		wantOK  bool
	}{
		{"pod", pod, false, kube.PodFrom(pod), true},
		{"deleted pod", pod, true, deletedPod, true},
		{"pod tombstone", cache.DeletedFinalStateUnknown{Key: "shop/web-1", Obj: pod}, true, deletedPod, true},
		{"pod tombstone pointer", &cache.DeletedFinalStateUnknown{Key: "shop/web-1", Obj: pod}, true, deletedPod, true},
		{"slice", slice, false, kube.SliceFrom(slice), true},
		{"deleted slice: final version", slice, true, kube.SliceFrom(slice), true},
		{"slice tombstone: nothing new", cache.DeletedFinalStateUnknown{Key: "shop/web-abc", Obj: slice}, true, nil, true},
		{"service", svc, false, kube.ServiceFrom(svc), true},
		{"deleted service", svc, true, nil, true},
		{"event", ev, false, kube.EventFrom(ev), true},
		{"deleted event", ev, true, nil, true},
		{"unknown type", &corev1.ConfigMap{}, false, nil, false},
		{"nil pod", (*corev1.Pod)(nil), false, nil, false},
		{"tombstone without object", cache.DeletedFinalStateUnknown{Key: "shop/x"}, true, nil, false},
		{"nil tombstone pointer", (*cache.DeletedFinalStateUnknown)(nil), true, nil, false},
		{"nil", nil, false, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := record(tt.obj, tt.deleted)
			if ok != tt.wantOK {
				t.Errorf("ok = %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got, addrCmp); diff != "" {
				t.Errorf("record (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRESTConfig(t *testing.T) {
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "config")
	if err := os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://34.1.2.3", insecure-skip-tls-verify: true}
users:
- name: u
  user: {token: secret-token}
contexts:
- name: x
  context: {cluster: c, user: u}
current-context: x
`), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := RESTConfig(kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{cfg.Host, cfg.BearerToken, cfg.UserAgent, cfg.ContentType, cfg.AcceptContentTypes}
	want := []string{"https://34.1.2.3", "secret-token", "negtrace", "application/vnd.kubernetes.protobuf",
		"application/vnd.kubernetes.protobuf,application/json"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}

	t.Run("missing kubeconfig", func(t *testing.T) {
		_, err := RESTConfig(filepath.Join(dir, "nope"))
		if err == nil || !strings.Contains(err.Error(), "--kubeconfig") || !strings.Contains(err.Error(), "nope") {
			t.Errorf("err = %v, want one naming the file and --kubeconfig", err)
		}
	})
	t.Run("not in a cluster", func(t *testing.T) {
		t.Setenv("KUBERNETES_SERVICE_HOST", "")
		t.Setenv("KUBERNETES_SERVICE_PORT", "")
		_, err := RESTConfig("")
		if err == nil || !strings.Contains(err.Error(), "not running in a cluster") || !strings.Contains(err.Error(), "--kubeconfig PATH") {
			t.Errorf("err = %v, want one saying to pass --kubeconfig", err)
		}
	})
}

// Compile-time check that the watcher hands over state batches.
var _ state.ApplyFunc = (&recorder{}).apply
