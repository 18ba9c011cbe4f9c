package sim

import (
	"fmt"
	"slices"
	"time"
)

// negZone is the NEG controller's syncer for one Service's NEG in one zone.
type negZone struct {
	d       *deployment
	zone    string
	members []*membership // in the NEG: attaching, attached or detaching
	syncAt  time.Duration // pending sync, never if none
	retry   time.Duration // next retry backoff
}

// maxEndpointsPerCall is the NEG controller's batch limit per API call.
const maxEndpointsPerCall = 500

// kickNEG schedules a sync after the batching delay, unless one is pending:
// endpoint changes within the delay join the same sync.
func (e *engine) kickNEG(nz *negZone) {
	if nz == nil || nz.syncAt != never {
		return
	}
	c := e.w.Config.NEG
	nz.syncAt = e.now + e.g.dur(c.SyncDelayMin, c.SyncDelayMax)
	e.at(nz.syncAt, func() {
		nz.syncAt = never
		e.syncNEG(nz)
	})
}

// desired reports whether p's endpoint belongs in its NEG now: published in
// the EndpointSlice and not terminating (the NEG controller ignores
// terminating endpoints).
func (e *engine) desired(p *pod) bool {
	return p.inSlice <= e.now && p.sliceTerminating > e.now && p.gone > e.now
}

// find returns the NEG member with key k, or nil.
func (nz *negZone) find(k epKey) *membership {
	for _, m := range nz.members {
		if m.key == k {
			return m
		}
	}
	return nil
}

// syncNEG computes the difference between the EndpointSlice and the NEG and
// issues attach and detach operations for it.
func (e *engine) syncNEG(nz *negZone) {
	var attach, detach []*membership
	var want []epKey
	for _, p := range nz.d.pods {
		if p.node == nil || p.node.zone != nz.zone || !e.desired(p) {
			continue
		}
		k := epKey{ip: p.ip, port: nz.d.cfg.Port, node: p.node.name}
		want = append(want, k)
		m := nz.find(k)
		switch {
		case m == nil:
			m = e.newMembership(nz.d, p)
			nz.members = append(nz.members, m)
			attach = append(attach, m)
		case m.p != p && m.inflight == nil && m.attached != never:
			// The IP went to a new pod of the same Service while the old
			// endpoint was still attached: the NEG is already right.
			e.handOver(nz, m, p)
		}
	}
	for _, m := range nz.members {
		if m.inflight == nil && m.attached != never && !slices.Contains(want, m.key) {
			detach = append(detach, m)
		}
	}
	for len(attach) > 0 {
		n := min(len(attach), maxEndpointsPerCall)
		e.issueOp(nz, opAttach, attach[:n])
		attach = attach[n:]
	}
	for len(detach) > 0 {
		n := min(len(detach), maxEndpointsPerCall)
		e.issueOp(nz, opDetach, detach[:n])
		detach = detach[n:]
	}
}

// handOver ends m (its pod's endpoint is now p's) and starts p's membership
// with the same endpoint, without any operation.
func (e *engine) handOver(nz *negZone, m *membership, p *pod) {
	m.dpEnd = e.now
	nm := e.newMembership(nz.d, p)
	nm.attachRequested, nm.attached, nm.dpStart = e.now, e.now, e.now
	nm.hcPhase, nm.startHealthy = m.hcPhase, true
	i := slices.Index(nz.members, m)
	nz.members[i] = nm
	e.scheduleNEGReady(nm)
}

// issueOp starts one Compute operation for the given members.
func (e *engine) issueOp(nz *negZone, kind opKind, ms []*membership) {
	g, c := e.g, e.w.Config.NEG
	o := &op{
		id:              fmt.Sprintf("operation-%d-%s-%s-%s", e.w.abs(e.now).UnixMilli(), g.hex(13), g.hex(8), g.hex(8)),
		numID:           g.digits(19),
		kind:            kind,
		d:               nz.d,
		zone:            nz.zone,
		requested:       e.now,
		portString:      g.chance(0.5),
		insertIDs:       [2]string{g.auditInsertID(), g.auditInsertID()},
		receive:         [2]time.Duration{g.secs(0.4, 2.5), g.secs(0.4, 2.5)},
		insertTimeEarly: g.secs(0.005, 0.03).Truncate(time.Millisecond),
		members:         slices.Clone(ms),
	}
	var lat time.Duration
	if kind == opAttach {
		lat = g.lognormal(c.AttachMedian, c.AttachSigma, c.OpMax)
	} else {
		lat = g.lognormal(c.DetachMedian, c.DetachSigma, c.OpMax)
		e.w.detachCount++
		o.failed = slices.Contains(c.FailDetach, e.w.detachCount)
	}
	if g.chance(c.FailureRate) {
		o.failed = true
	}
	if o.failed {
		if g.intn(2) == 0 {
			o.code, o.message = 13, fmt.Sprintf("Internal error. Please try again or contact Google Support. (Code: '%s')", g.hex(14))
		} else {
			o.code, o.message = 14, "The service is currently unavailable."
		}
	}
	o.done = e.now + lat
	o.lag = g.dur(0, c.DataPlaneLagMax)
	for _, m := range ms {
		o.endpoints = append(o.endpoints, m.key)
		m.inflight = o
		if kind == opDetach {
			if m.detachRequested == never {
				m.detachRequested = e.now
			}
			m.detachOps++
		} else {
			m.attachRequested = e.now
		}
	}
	e.w.ops = append(e.w.ops, o)
	e.at(o.done, func() { e.opDone(nz, o) })
}

// opDone applies a completed operation, records the controller's event
// (after its completion poll) and resyncs or retries.
func (e *engine) opDone(nz *negZone, o *op) {
	g, c := e.g, e.w.Config.NEG
	for _, m := range o.members {
		m.inflight = nil
	}
	verb := "Attach"
	if o.kind == opDetach {
		verb = "Detach"
	}
	n := len(o.members)
	poll := g.secs(0.2, 1.5)
	if o.failed {
		for _, m := range o.members {
			if o.kind == opAttach {
				nz.members = slices.DeleteFunc(nz.members, func(x *membership) bool { return x == m })
			} else {
				m.failedDetachOps++
			}
		}
		msg := fmt.Sprintf("Failed to %s %d network endpoint(s) (NEG %q in zone %q): %s", verb, n, nz.d.neg, nz.zone, googleAPIError(o))
		e.after(poll, func() { e.rec.negEvent(nz.d, "Warning", verb+"Failed", msg) })
		backoff := nz.retry
		nz.retry *= 2
		e.after(backoff, func() { e.syncNEG(nz) })
		return
	}
	nz.retry = c.RetryBase
	for _, m := range o.members {
		if o.kind == opAttach {
			m.attached, m.dpStart, m.attachOp = e.now, e.now+o.lag, o
			m.hcPhase = e.now + g.dur(0, e.w.Config.HealthCheck.Interval)
			e.scheduleNEGReady(m)
		} else {
			m.detached, m.dpEnd, m.detachOp = e.now, e.now+o.lag, o
			nz.members = slices.DeleteFunc(nz.members, func(x *membership) bool { return x == m })
		}
	}
	msg := fmt.Sprintf("%s %d network endpoint(s) (NEG %q in zone %q)", verb, n, nz.d.neg, nz.zone)
	e.after(poll, func() { e.rec.negEvent(nz.d, "Normal", verb, msg) })
	e.kickNEG(nz)
}

// googleAPIError is the error text the controller gets for a failed op.
func googleAPIError(o *op) string {
	code := 500
	if o.code == 14 {
		code = 503
	}
	return fmt.Sprintf("googleapi: Error %d: %s, backendError", code, o.message)
}

// scheduleNEGReady sets the pod's NEG readiness gate once the load balancer
// health check first sees it healthy (and the readiness reflector notices).
func (e *engine) scheduleNEGReady(m *membership) {
	p := m.p
	if p.deleting || p.negReady != never || p.listening == never {
		return
	}
	q := m.hcPhase
	for q < p.listening {
		q += e.w.Config.HealthCheck.Interval
	}
	e.at(q+e.g.secs(0.5, 2), func() {
		if p.deleting || p.negReady != never {
			return
		}
		p.negReady = e.now
		e.checkReady(p)
	})
}
