package sim

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// objRef is an Event's involvedObject.
type objRef struct {
	kind, namespace, name, uid, apiVersion, fieldPath string
}

// eventWrite is one Event create or update that reached the API server and
// so GKE's event exporter (one Cloud Logging entry each).
type eventWrite struct {
	at          time.Duration // true time of the write
	name, uid   string
	namespace   string
	rv          int64
	obj         objRef
	reason      string
	message     string
	typ         string // Normal | Warning
	component   string
	host        string
	first, last time.Time // emitter clock
	created     time.Time // API server clock: when the Event object was created
	count       int
	insertID    string
	receive     time.Duration // receiveTimestamp − at
}

// recorder is client-go's legacy event recorder pipeline (EventCorrelator):
// aggregation of similar events, deduplication into count, and the
// per-object spam filter (token bucket of 25, refilled 1 per 5 minutes).
// Maps are only read by key, never iterated.
type recorder struct {
	e    *engine
	agg  map[string]*aggRecord
	seen map[string]*seenRecord
	spam map[string]*bucket
}

type aggRecord struct {
	local []string // distinct messages
	last  time.Time
}

type seenRecord struct {
	name, uid string
	first     time.Time
	created   time.Time
	count     int
}

type bucket struct {
	tokens float64
	last   time.Time
}

// client-go defaults (tools/record/events_cache.go).
const (
	aggregateMaxEvents = 10
	aggregateInterval  = 10 * time.Minute
	spamBurst          = 25
	spamQPS            = 1.0 / 300
)

func newRecorder(e *engine) *recorder {
	return &recorder{e: e, agg: map[string]*aggRecord{}, seen: map[string]*seenRecord{}, spam: map[string]*bucket{}}
}

// podEvent records a kubelet event on a pod (node clock).
func (r *recorder) podEvent(p *pod, typ, reason, msg string) {
	ref := objRef{kind: "Pod", namespace: p.d.cfg.Namespace, name: p.name, uid: p.uid, apiVersion: "v1",
		fieldPath: "spec.containers{" + containerName + "}"}
	r.emit(ref, typ, reason, msg, "kubelet", p.node.name, p.node.skew)
}

// negEvent records a NEG controller event on the Service.
func (r *recorder) negEvent(d *deployment, typ, reason, msg string) {
	ref := objRef{kind: "Service", namespace: d.cfg.Namespace, name: d.cfg.Name, uid: d.svcUID, apiVersion: "v1"}
	r.emit(ref, typ, reason, msg, "neg-controller", "", 0)
}

// deployEvent records a deployment-controller ScalingReplicaSet event.
func (r *recorder) deployEvent(d *deployment, msg string) {
	ref := objRef{kind: "Deployment", namespace: d.cfg.Namespace, name: d.cfg.Name, uid: d.uid, apiVersion: "apps/v1"}
	r.emit(ref, "Normal", "ScalingReplicaSet", msg, "deployment-controller", "", 0)
}

// hpaEvent records a HorizontalPodAutoscaler SuccessfulRescale event.
func (r *recorder) hpaEvent(d *deployment, msg string) {
	ref := objRef{kind: "HorizontalPodAutoscaler", namespace: d.cfg.Namespace, name: d.cfg.Name, uid: d.hpaUID, apiVersion: "autoscaling/v2"}
	r.emit(ref, "Normal", "SuccessfulRescale", msg, "horizontal-pod-autoscaler", "", 0)
}

// emit runs one event through aggregation, dedup and the spam filter, and
// records the write if it passes.
func (r *recorder) emit(ref objRef, typ, reason, msg, component, host string, skew time.Duration) {
	e := r.e
	now := e.w.abs(e.now).Add(skew)
	objKey := strings.Join([]string{component, host, ref.kind, ref.namespace, ref.name, ref.uid, ref.apiVersion}, "\x00")

	// Aggregation: after 10 distinct messages for the same object and
	// reason within 10 minutes, events are combined.
	aggKey := objKey + "\x00" + typ + "\x00" + reason
	a := r.agg[aggKey]
	if a == nil || now.Sub(a.last) > aggregateInterval {
		a = &aggRecord{}
		r.agg[aggKey] = a
	}
	a.last = now
	if !slices.Contains(a.local, msg) {
		a.local = append(a.local, msg)
	}
	key := aggKey + "\x00" + ref.fieldPath + "\x00" + msg
	if len(a.local) >= aggregateMaxEvents {
		a.local = a.local[1:]
		msg = "(combined from similar events): " + msg
		key = aggKey
	}

	// Dedup: an identical event bumps count on the existing object.
	s := r.seen[key]
	if s == nil {
		// Names carry the emitter's clock in nanoseconds; two events emitted
		// in one step of the model still differ by a few microseconds.
		stamp := now.Add(e.g.dur(time.Microsecond, 900*time.Microsecond) + time.Duration(e.g.intn(1000)))
		s = &seenRecord{name: fmt.Sprintf("%s.%x", ref.name, stamp.UnixNano()), uid: e.g.uuid(), first: now, created: e.w.abs(e.now)}
		r.seen[key] = s
	}
	s.count++

	// Spam filter per (source, object, type).
	spamKey := objKey + "\x00" + typ
	b := r.spam[spamKey]
	if b == nil {
		b = &bucket{tokens: spamBurst, last: now}
		if component == "neg-controller" && typ == "Normal" {
			b.tokens = max(0, spamBurst-float64(e.w.Config.NEG.EventBurstUsed))
		}
		r.spam[spamKey] = b
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(spamBurst, b.tokens+el*spamQPS)
		b.last = now
	}
	if b.tokens < 1 {
		return
	}
	b.tokens--

	e.w.events = append(e.w.events, &eventWrite{
		at: e.now, name: s.name, uid: s.uid, namespace: ref.namespace, rv: e.nextRV(), obj: ref,
		reason: reason, message: msg, typ: typ, component: component, host: host,
		first: s.first, last: now, created: s.created, count: s.count,
		insertID: e.g.insertID(), receive: e.g.secs(0.5, 4),
	})
}
