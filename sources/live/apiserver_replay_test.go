package live

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/negtrace/negtrace/sources/cloudlog/cloudlogtest"
	"github.com/negtrace/negtrace/sources/sim"
)

// replayLag is how long after a document's time it is applied. The API
// server stamps creationTimestamp and deletionTimestamp with whole seconds
// (floored); the simulator's stamps are floored the same way, so a write
// sent just after the start of that second gets the same stamp.
const replayLag = 100 * time.Millisecond

// podDoc is one document of a scenario's pod watch stream (pods.json) with
// the wall-clock time the replay applies it.
type podDoc struct {
	Type   string
	Object corev1.Pod
	at     time.Time
	// firstDeletion marks the first version of the pod with a
	// deletionTimestamp: the graceful delete request (T0).
	firstDeletion bool
}

// logStep is a Cloud Logging entry with the time it is ingested.
type logStep struct {
	entry *loggingpb.LogEntry
	at    time.Time
}

// apiReplay drives a real API server and a fake Cloud Logging server
// through a simulated scenario in real time, as the cluster and Google's
// logging went through it. It plays the parts that would write to the API
// on GKE: the ReplicaSet controller (pod creation), the scheduler (binding),
// the kubelet (pod status, the final force delete), kubectl or the
// Deployment controller (graceful delete), the EndpointSlice controller (the
// slices as of the window start). No kubelet runs and nothing dials the pod
// or node addresses.
type apiReplay struct {
	t      *testing.T
	client kubernetes.Interface
	logs   *cloudlogtest.Server
	dir    string
	start  time.Time // the window start

	docs    []*podDoc
	entries []logStep
	nodes   map[string]string    // pod name → the node it is bound to (first nodeName in the stream)
	uids    map[types.UID]string // simulator UID → live UID of pods and Services

	// What the replay did, for the test log.
	calls    int           // API write and read calls
	released int           // Cloud Logging entries ingested
	late     time.Duration // worst delay of a pod document past its time, among those waited for
	deletes  int           // graceful deletes whose deletionTimestamp was checked
	// deleteAfter is the latest a graceful delete was sent after the start
	// of its second: it must stay under 1 s.
	deleteAfter time.Duration
}

// newAPIReplay reads the scenario in dir: the pod watch stream and the
// Cloud Logging entries.
func newAPIReplay(t *testing.T, client kubernetes.Interface, logs *cloudlogtest.Server, dir string, start time.Time) *apiReplay {
	t.Helper()
	r := &apiReplay{t: t, client: client, logs: logs, dir: dir, start: start,
		nodes: make(map[string]string), uids: make(map[types.UID]string)}
	r.docs = readPodDocs(t, filepath.Join(dir, sim.FilePods))
	for _, d := range r.docs {
		if n := d.Object.Spec.NodeName; n != "" && r.nodes[d.Object.Name] == "" {
			r.nodes[d.Object.Name] = n
		}
	}
	entries, err := cloudlogtest.LoadScenario(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		at := e.GetTimestamp().AsTime()
		if e.GetReceiveTimestamp() != nil {
			at = e.GetReceiveTimestamp().AsTime()
		}
		r.entries = append(r.entries, logStep{e, at})
	}
	slices.SortStableFunc(r.entries, func(a, b logStep) int { return a.at.Compare(b.at) })
	return r
}

// readPodDocs reads a `kubectl get pods --watch -o json
// --output-watch-events` stream and gives each document its time.
func readPodDocs(t *testing.T, path string) []*podDoc {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var docs []*podDoc
	deleting := make(map[string]bool)
	dec := json.NewDecoder(f)
	for {
		d := new(podDoc)
		if err := dec.Decode(d); errors.Is(err, io.EOF) {
			return docs
		} else if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		p := &d.Object
		if p.DeletionTimestamp != nil && !deleting[p.Name] {
			deleting[p.Name] = true
			d.firstDeletion = d.Type == "MODIFIED"
		}
		d.at = docTime(p, d.firstDeletion)
		docs = append(docs, d)
	}
}

// docTime is when a pod version was written: the newest time inside it
// (creation, sandbox start, condition transitions, container start and
// exit), or for the first version with a deletionTimestamp, when the
// deletion was requested (deletionTimestamp − deletionGracePeriodSeconds),
// which the API server stamps itself.
func docTime(p *corev1.Pod, firstDeletion bool) time.Time {
	if firstDeletion && p.DeletionGracePeriodSeconds != nil {
		return p.DeletionTimestamp.Add(-time.Duration(*p.DeletionGracePeriodSeconds) * time.Second)
	}
	newest := p.CreationTimestamp.Time
	later := func(t time.Time) {
		if t.After(newest) {
			newest = t
		}
	}
	if p.Status.StartTime != nil {
		later(p.Status.StartTime.Time)
	}
	for _, c := range p.Status.Conditions {
		later(c.LastTransitionTime.Time)
	}
	for _, cs := range p.Status.ContainerStatuses {
		if r := cs.State.Running; r != nil {
			later(r.StartedAt.Time)
		}
		if x := cs.State.Terminated; x != nil {
			later(x.StartedAt.Time)
			later(x.FinishedAt.Time)
		}
	}
	return newest
}

// setup creates what exists when the window starts: the namespaces, the
// Services, the pods of the stream's initial list (ADDED documents older
// than the window) and the EndpointSlices, which name those pods.
func (r *apiReplay) setup(ctx context.Context) {
	r.t.Helper()
	var svcs struct{ Items []corev1.Service }
	readJSON(r.t, filepath.Join(r.dir, sim.FileServices), &svcs)
	var sls struct{ Items []discoveryv1.EndpointSlice }
	readJSON(r.t, filepath.Join(r.dir, sim.FileSlices), &sls)

	namespaces := make(map[string]bool)
	for _, d := range r.docs {
		namespaces[d.Object.Namespace] = true
	}
	for i := range svcs.Items {
		namespaces[svcs.Items[i].Namespace] = true
	}
	for ns := range namespaces {
		r.do("create namespace "+ns, func() error {
			_, err := r.client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
			return err
		})
	}
	for i := range svcs.Items {
		s := svcs.Items[i].DeepCopy()
		simUID := s.UID
		stripServerFields(&s.ObjectMeta)
		// The API server allocates the cluster IP from its own range.
		s.Spec.ClusterIP, s.Spec.ClusterIPs = "", nil
		r.do("create service "+s.Name, func() error {
			live, err := r.client.CoreV1().Services(s.Namespace).Create(ctx, s, metav1.CreateOptions{})
			if err == nil {
				r.uids[simUID] = string(live.UID)
			}
			return err
		})
	}
	for len(r.docs) > 0 && r.docs[0].Type == "ADDED" && r.docs[0].at.Before(r.start) {
		r.applyPod(ctx, r.docs[0])
		r.docs = r.docs[1:]
	}
	for i := range sls.Items {
		s := sls.Items[i].DeepCopy()
		stripServerFields(&s.ObjectMeta)
		for j := range s.OwnerReferences {
			s.OwnerReferences[j].UID = types.UID(r.liveUID(s.OwnerReferences[j].UID, "owner of slice "+s.Name))
		}
		for j := range s.Endpoints {
			if ref := s.Endpoints[j].TargetRef; ref != nil {
				ref.UID = types.UID(r.liveUID(ref.UID, "pod of slice "+s.Name))
			}
		}
		r.do("create endpointslice "+s.Name, func() error {
			_, err := r.client.DiscoveryV1().EndpointSlices(s.Namespace).Create(ctx, s, metav1.CreateOptions{})
			return err
		})
	}
}

// run applies the rest of the pod stream and ingests the Cloud Logging
// entries, each at its time: a pod document newestTime+replayLag, an entry
// at its receiveTimestamp. Pod documents keep their order.
func (r *apiReplay) run(ctx context.Context) {
	r.t.Helper()
	for len(r.docs) > 0 || len(r.entries) > 0 {
		if len(r.docs) > 0 && (len(r.entries) == 0 || !r.docs[0].at.Add(replayLag).After(r.entries[0].at)) {
			d := r.docs[0]
			r.docs = r.docs[1:]
			target := d.at.Add(replayLag)
			waited := time.Until(target) > 0
			if !sleepUntil(ctx, target) {
				r.t.Fatalf("replay: %v", ctx.Err())
			}
			if waited {
				r.late = max(r.late, time.Since(target))
			}
			r.applyPod(ctx, d)
			continue
		}
		if !sleepUntil(ctx, r.entries[0].at) {
			r.t.Fatalf("replay: %v", ctx.Err())
		}
		// Everything received by now, but not past the next pod document.
		now := time.Now()
		n := 0
		for n < len(r.entries) && !r.entries[n].at.After(now) &&
			(len(r.docs) == 0 || !r.entries[n].at.After(r.docs[0].at.Add(replayLag))) {
			n++
		}
		batch := make([]*loggingpb.LogEntry, 0, n)
		for _, s := range r.entries[:n] {
			batch = append(batch, r.withLiveUIDs(s.entry))
		}
		r.entries = r.entries[n:]
		r.logs.Add(batch...)
		r.released += len(batch)
	}
}

// applyPod writes one pod document to the API server.
func (r *apiReplay) applyPod(ctx context.Context, d *podDoc) {
	r.t.Helper()
	p := &d.Object
	pods := r.client.CoreV1().Pods(p.Namespace)
	switch d.Type {
	case "ADDED":
		obj := p.DeepCopy()
		stripServerFields(&obj.ObjectMeta)
		obj.Status = corev1.PodStatus{}
		r.do("create pod "+p.Name, func() error {
			live, err := pods.Create(ctx, obj, metav1.CreateOptions{})
			if err == nil {
				r.uids[p.UID] = string(live.UID)
			}
			return err
		})
		if node := r.nodes[p.Name]; p.Spec.NodeName == "" && node != "" {
			// The scheduler binds a new pod 5-50 ms after its creation; the
			// simulator's stream has no document for that step.
			r.do("bind pod "+p.Name, func() error {
				return pods.Bind(ctx, &corev1.Binding{
					ObjectMeta: metav1.ObjectMeta{Namespace: p.Namespace, Name: p.Name},
					Target:     corev1.ObjectReference{Kind: "Node", Name: node},
				}, metav1.CreateOptions{})
			})
		}
		r.setStatus(ctx, p)
	case "MODIFIED":
		if d.firstDeletion {
			sent := time.Now()
			r.do("delete pod "+p.Name, func() error {
				return pods.Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: p.DeletionGracePeriodSeconds})
			})
			// The crux: the server's deletionTimestamp (now + grace, whole
			// seconds) is the simulator's, so T0 is the same on both paths.
			live := r.getPod(ctx, p.Namespace, p.Name)
			if live.DeletionTimestamp == nil || !live.DeletionTimestamp.Equal(p.DeletionTimestamp) {
				r.t.Errorf("pod %s: deletionTimestamp %v from the API server, %v in the simulation (delete sent at %s, %v after the requested second)",
					p.Name, live.DeletionTimestamp, p.DeletionTimestamp, sent.UTC().Format(time.RFC3339Nano), sent.Sub(d.at))
			}
			r.deletes++
			r.deleteAfter = max(r.deleteAfter, sent.Sub(d.at))
		}
		r.setStatus(ctx, p)
	case "DELETED":
		// The kubelet's final delete once the containers are gone.
		r.do("force delete pod "+p.Name, func() error {
			return pods.Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr(int64(0))})
		})
	default:
		r.t.Fatalf("pod %s: unknown watch event type %q", p.Name, d.Type)
	}
}

// setStatus writes the document's status over the live pod's.
func (r *apiReplay) setStatus(ctx context.Context, p *corev1.Pod) {
	r.t.Helper()
	live := r.getPod(ctx, p.Namespace, p.Name)
	live.Status = *p.Status.DeepCopy()
	r.do("update status of pod "+p.Name, func() error {
		_, err := r.client.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, live, metav1.UpdateOptions{})
		return err
	})
}

func (r *apiReplay) getPod(ctx context.Context, ns, name string) *corev1.Pod {
	r.t.Helper()
	var live *corev1.Pod
	r.do("get pod "+name, func() error {
		var err error
		live, err = r.client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		return err
	})
	return live
}

// withLiveUIDs returns entry, or for a Kubernetes event about a pod or a
// Service a copy naming the live object's UID, as GKE's copy of the event
// would.
func (r *apiReplay) withLiveUIDs(entry *loggingpb.LogEntry) *loggingpb.LogEntry {
	obj := entry.GetJsonPayload().GetFields()["involvedObject"].GetStructValue()
	uid := obj.GetFields()["uid"].GetStringValue()
	kind := obj.GetFields()["kind"].GetStringValue()
	if uid == "" || (kind != "Pod" && kind != "Service") {
		return entry
	}
	live := r.liveUID(types.UID(uid), kind+" event "+entry.GetInsertId())
	entry = proto.CloneOf(entry)
	entry.GetJsonPayload().GetFields()["involvedObject"].GetStructValue().GetFields()["uid"] = structpb.NewStringValue(live)
	return entry
}

// liveUID maps a simulator UID to the UID the API server gave the object.
func (r *apiReplay) liveUID(simUID types.UID, what string) string {
	r.t.Helper()
	live, ok := r.uids[simUID]
	if !ok {
		r.t.Fatalf("%s: uid %s names no object created so far", what, simUID)
	}
	return live
}

// do makes one API call; any error ends the test.
func (r *apiReplay) do(what string, call func() error) {
	r.t.Helper()
	r.calls++
	if err := call(); err != nil {
		r.t.Fatalf("%s: %v", what, err)
	}
}

// stripServerFields clears the metadata the API server sets itself.
func stripServerFields(m *metav1.ObjectMeta) {
	m.UID, m.ResourceVersion, m.Generation = "", "", 0
	m.CreationTimestamp = metav1.Time{}
	m.DeletionTimestamp, m.DeletionGracePeriodSeconds = nil, nil
	m.ManagedFields = nil
}

// sleepUntil sleeps until t; false if ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

func ptr[T any](v T) *T { return &v }
