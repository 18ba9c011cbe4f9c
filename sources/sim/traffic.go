package sim

import (
	"cmp"
	"net/netip"
	"slices"
	"time"
)

// statusDetails values the simulated load balancer writes.
const (
	detailsOK         = "response_sent_by_backend"
	detailsConnect    = "failed_to_connect_to_backend"
	detailsClosed     = "backend_connection_closed_before_data_sent_to_client"
	detailsTimeout    = "backend_timeout"
	detailsPick       = "failed_to_pick_backend"
	detailsInternal   = "internal_error"
	detailsClientGone = "client_disconnected_before_any_response"
)

// request is one generated load balancer request with its true cause.
type request struct {
	at       time.Duration // GFE receive time, µs precision
	d        *deployment
	m        *membership // endpoint picked; nil when none
	status   int
	details  string
	serverIP string
	latency  time.Duration
	respSize int
	cause    string // for status >= 500
	reason   string // for CauseOther
}

// backend is one backend service's arrival process and the endpoints its
// load balancer may pick over time.
type backend struct {
	d    *deployment
	mean time.Duration // mean inter-arrival time
	next time.Duration
	segs []segment
	cur  int
}

// segment is a time range in which the set of pickable endpoints is fixed.
type segment struct {
	from, to time.Duration
	ms       []*membership
}

// traffic generates the LB requests of a World in time order.
type traffic struct {
	w        *World
	g        *rng
	h        holders
	backends []*backend
}

// newTraffic prepares the request stream. When lbEntries > 0 the rates are
// scaled so that about that many requests are generated.
func newTraffic(w *World, lbEntries int) *traffic {
	t := &traffic{w: w, g: newRNG(w.Seed, streamTraffic), h: newHolders(w)}
	for _, m := range w.members { // a World may be written more than once
		m.lastRequest, m.raceErrors = never, 0
	}
	total := 0.0
	for _, d := range w.deploys {
		total += d.cfg.RPS
	}
	scale := 1.0
	if lbEntries > 0 && total > 0 {
		scale = float64(lbEntries) / (total * w.end.Seconds())
	}
	for _, d := range w.deploys {
		if d.cfg.RPS <= 0 {
			continue
		}
		b := &backend{d: d, mean: time.Duration(float64(time.Second) / (d.cfg.RPS * scale)), segs: segments(w, d)}
		b.next = t.g.exp(b.mean).Truncate(time.Microsecond)
		t.backends = append(t.backends, b)
	}
	return t
}

// segments cuts the window into ranges with a fixed set of pickable
// endpoints of d.
func segments(w *World, d *deployment) []segment {
	cuts := []time.Duration{0, w.end}
	var ms []*membership
	for _, m := range w.members {
		if m.d != d {
			continue
		}
		ms = append(ms, m)
		for _, iv := range m.eligible {
			cuts = append(cuts, max(0, min(iv.from, w.end)), max(0, min(iv.to, w.end)))
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	var segs []segment
	for i := 0; i+1 < len(cuts); i++ {
		s := segment{from: cuts[i], to: cuts[i+1]}
		for _, m := range ms {
			for _, iv := range m.eligible {
				if iv.from <= s.from && s.to <= iv.to {
					s.ms = append(s.ms, m)
					break
				}
			}
		}
		segs = append(segs, s)
	}
	return segs
}

// pickable returns the endpoints the backend's LB may pick at t (t is
// non-decreasing between calls).
func (b *backend) pickable(t time.Duration) []*membership {
	for b.cur < len(b.segs)-1 && b.segs[b.cur].to <= t {
		b.cur++
	}
	if b.cur < len(b.segs) {
		return b.segs[b.cur].ms
	}
	return nil
}

// next returns the next request in time order; ok is false at the end of
// the window.
func (t *traffic) next() (r request, ok bool) {
	var b *backend
	for _, c := range t.backends {
		if c.next < t.w.end && (b == nil || c.next < b.next) {
			b = c
		}
	}
	if b == nil {
		return request{}, false
	}
	at := b.next
	b.next += max(time.Microsecond, t.g.exp(b.mean).Truncate(time.Microsecond))
	return t.serve(b, at), true
}

// serve decides what happens to a request to backend b at t.
func (t *traffic) serve(b *backend, at time.Duration) request {
	g, lk := t.g, b.d.cfg.Lookalikes
	r := request{at: at, d: b.d}
	u := g.float()
	switch {
	case u < lk.PickFail:
		return t.pickFailure(r)
	case u < lk.PickFail+lk.InternalError:
		r.status, r.details, r.latency, r.respSize = 502, detailsInternal, g.secs(0.001, 0.02), 332
		r.cause, r.reason = CauseOther, "LB-internal error"
		return r
	}
	ms := b.pickable(at)
	if len(ms) == 0 {
		return t.pickFailure(r)
	}
	m := ms[g.intn(len(ms))]
	r.m = m
	r.serverIP = m.key.ip.String()
	if g.chance(t.w.Config.Evidence.PortShare) {
		r.serverIP = netip.AddrPortFrom(m.key.ip, uint16(m.key.port)).String()
	}
	t.outcome(&r, m, at)
	if r.status >= 500 && r.cause == "" {
		if m.p.terminating(at) {
			r.cause = CauseRace
		} else {
			r.cause, r.reason = CauseOther, "backend failure on a pod that was not terminating"
		}
	}
	m.lastRequest = at
	if r.cause == CauseRace {
		m.raceErrors++
	}
	return r
}

// pickFailure is a 503 with no endpoint picked.
func (t *traffic) pickFailure(r request) request {
	r.status, r.details, r.latency, r.respSize = 503, detailsPick, t.g.secs(0.001, 0.015), 155
	r.cause = CauseNoBackend
	return r
}

// outcome sets status, details and latency of a request sent to m's
// endpoint at t, from what the pod holding that IP is doing.
func (t *traffic) outcome(r *request, m *membership, at time.Duration) {
	g := t.g
	hp := t.h.at(m.key.ip, at)
	switch {
	case hp == nil:
		// Nobody holds the IP: the connection attempt times out.
		r.status, r.details, r.latency, r.respSize = 502, detailsConnect, g.secs(0.5, 3), 332
	case hp.d.cfg.Port != m.key.port || at < hp.listening || at >= hp.stopListening:
		r.status, r.details, r.latency, r.respSize = 502, detailsConnect, g.secs(0.001, 0.01), 332
		if hp == m.p && hp.stopListening <= at && at < hp.exit && g.intn(2) == 0 {
			// The app is closing its pooled keep-alive connections.
			r.details = detailsClosed
		}
	case !hp.serving(at):
		// Draining: the app answers 503 itself.
		r.status, r.details, r.latency, r.respSize = 503, detailsOK, g.secs(0.001, 0.005), 19+g.intn(80)
	default:
		svc := g.secs(0.005, 0.08)
		if hp.stopServing < at+svc && hp.stopServing == hp.stopListening {
			// In flight when the app stopped: the connection is closed.
			r.status, r.details, r.respSize = 502, detailsClosed, 332
			r.latency = hp.stopServing - at + g.secs(0.0002, 0.002)
			return
		}
		r.status, r.details, r.latency, r.respSize = 200, detailsOK, svc, 400+g.intn(24000)
		if hp != m.p {
			return // another pod took the IP and answers
		}
		lk := m.d.cfg.Lookalikes
		up := !hp.terminating(at)
		u := g.float()
		switch {
		case u < lk.AppError:
			r.status, r.respSize = 500, 21+g.intn(200)
			if g.intn(3) == 0 {
				r.status = 503
			}
			r.cause = CauseAppError
		case u < lk.AppError+lk.KeepAlive && up:
			r.status, r.details, r.latency, r.respSize = 502, detailsClosed, g.secs(0.001, 0.01), 332
			r.cause = CauseClosedConn
		case u < lk.AppError+lk.KeepAlive+lk.BackendTimeout && up:
			r.status, r.details, r.respSize = 502, detailsTimeout, 332
			r.latency = 30*time.Second + g.secs(0, 0.02)
			r.cause, r.reason = CauseOther, "backend timeout on a healthy pod"
		case u < lk.AppError+lk.KeepAlive+lk.BackendTimeout+lk.ClientDisconnect:
			r.status, r.details, r.respSize = 0, detailsClientGone, 0
			r.latency = svc / 2
		}
	}
}

// sortByT0 orders pods by deletion request time.
func sortByT0(ps []*pod) {
	slices.SortStableFunc(ps, func(a, b *pod) int { return cmp.Compare(a.t0, b.t0) })
}
