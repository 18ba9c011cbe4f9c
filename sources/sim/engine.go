package sim

import (
	"container/heap"
	"fmt"
	"time"
)

// engine runs the cluster timeline as a discrete-event simulation.
type engine struct {
	w   *World
	g   *rng
	q   eventQueue
	now time.Duration
	seq int
	rv  int64 // the API server's resourceVersion counter
	rec *recorder
}

// scheduled is one pending event: fn runs at time at. seq breaks ties in
// scheduling order, which keeps the run deterministic.
type scheduled struct {
	at  time.Duration
	seq int
	fn  func()
}

type eventQueue []scheduled

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(scheduled)) }
func (q *eventQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// at schedules fn at time t (never earlier than now).
func (e *engine) at(t time.Duration, fn func()) {
	if t < e.now {
		t = e.now
	}
	e.seq++
	heap.Push(&e.q, scheduled{at: t, seq: e.seq, fn: fn})
}

// after schedules fn d after now.
func (e *engine) after(d time.Duration, fn func()) { e.at(e.now+d, fn) }

// nextRV returns the next resourceVersion.
func (e *engine) nextRV() int64 {
	e.rv += 1 + int64(e.g.intn(7))
	return e.rv
}

// drain is how long the simulation runs past the window so that operations
// and shutdowns started inside it finish.
const drain = 10 * time.Minute

// Run simulates the cluster timeline of cfg with the given seed. The result
// depends on nothing else.
func Run(name string, cfg Config, seed uint64) (*World, error) {
	if cfg.Window <= 0 {
		return nil, fmt.Errorf("simulate %s: window must be positive", name)
	}
	if cfg.HealthCheck.Interval <= 0 || cfg.HealthCheck.UnhealthyThreshold < 1 {
		return nil, fmt.Errorf("simulate %s: bad health check", name)
	}
	w := &World{Scenario: name, Seed: seed, Config: cfg, end: cfg.Window}
	e := &engine{w: w, g: newRNG(seed, streamCluster), rv: 880000 + int64(seed%50000)}
	e.rec = newRecorder(e)
	if err := e.setup(); err != nil {
		return nil, fmt.Errorf("simulate %s: %w", name, err)
	}
	// The watch starts with the pods that exist at the start of the window.
	w.startRV = e.nextRV()
	for _, p := range w.pods {
		w.podUpdates = append(w.podUpdates, podUpdate{kind: "ADDED", p: p, at: 0, rv: e.nextRV()})
	}
	for _, a := range cfg.Actions {
		a := a
		d := w.deployment(a.Workload)
		if d == nil {
			return nil, fmt.Errorf("simulate %s: action on unknown workload %q", name, a.Workload)
		}
		e.at(a.At, func() { e.act(d, a) })
	}
	for e.q.Len() > 0 {
		s := heap.Pop(&e.q).(scheduled)
		if s.at > w.end+drain {
			break
		}
		e.now = s.at
		s.fn()
	}
	e.now = w.end + drain
	finishHealth(w)
	return w, nil
}

// deployment returns the workload named "ns/name", or nil.
func (w *World) deployment(key string) *deployment {
	for _, d := range w.deploys {
		if d.key == key {
			return d
		}
	}
	return nil
}

// watch appends a pod watch document at now.
func (e *engine) watch(kind string, p *pod) {
	e.w.podUpdates = append(e.w.podUpdates, podUpdate{kind: kind, p: p, at: e.now, rv: e.nextRV()})
}
