package analyzer

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/negtrace/negtrace/sources/kube"
	"github.com/negtrace/negtrace/sources/lblog"
	"github.com/negtrace/negtrace/sources/negops"
)

// termination is the working timeline of one pod termination.
type termination struct {
	h     *podHistory
	lease *lease

	t0         time.Time // deletion requested
	killing    time.Time
	sigterm    time.Time // estimated
	exit       time.Time
	exitCode   *int
	preStop    *float64 // configured sleep seconds; nil when unknown
	hookFailed bool     // a FailedPreStopHook event: the sleep did not happen

	detachReq, detachDone time.Time
	detachFrom            string // "audit", "event" or "" (no detach evidence)
	failedOps             int
	neg, zone             string

	lastReq   time.Time // last request the LB sent the pod (any status)
	lastAfter time.Time // last request after t0
	trigger   string

	evidence   []string
	raceErrors []*lblog.Request
}

func (t *termination) addf(format string, args ...any) {
	t.evidence = append(t.evidence, fmt.Sprintf(format, args...))
}

// rel formats t relative to the deletion request.
func (t *termination) rel(at time.Time) string {
	return fmt.Sprintf("%s (%+.1fs)", at.UTC().Format("15:04:05.000"), at.Sub(t.t0).Seconds())
}

// lbStopped is when the load balancer stopped sending to the pod, as well
// as the evidence says: the detach completion, or the last request seen
// after deletion when that came later or nothing else is known.
func (t *termination) lbStopped() (time.Time, bool) {
	s := t.detachDone
	if t.lastAfter.After(s) {
		s = t.lastAfter
	}
	return s, !s.IsZero()
}

// buildTerminations finds every pod termination and fills its timeline
// from the pod, its events, the NEG operations and the LB traffic.
func (ix *index) buildTerminations(ev *Evidence) []*termination {
	var out []*termination
	for _, h := range ix.pods {
		evs := ix.eventsOf(h)
		t := &termination{h: h, lease: ix.leases.of(h)}
		if !ix.findT0(t, evs) {
			continue
		}
		if h.zone == "" {
			h.zone = ix.nodeZone[h.Node]
		}
		t.zone = h.zone
		ix.findSigterm(t, evs)
		ix.findExit(t)
		ix.findDetach(t)
		ix.findLastRequest(t, &ev.Traffic)
		ix.findTrigger(t)
		out = append(out, t)
	}
	slices.SortStableFunc(out, func(a, b *termination) int {
		if c := a.t0.Compare(b.t0); c != 0 {
			return c
		}
		return strings.Compare(a.h.key(), b.h.key())
	})
	return out
}

// findT0 sets the deletion request time. It reports false when nothing says
// the pod was terminated.
func (ix *index) findT0(t *termination, evs []*kube.Event) bool {
	h := t.h
	if t0, ok := h.DeletionRequested(); ok {
		t.t0 = t0
		t.addf("deletion requested at %s: deletionTimestamp %s − %ds grace", t0.UTC().Format(time.RFC3339), h.Deletion.UTC().Format(time.RFC3339), h.Grace())
		return true
	}
	for _, e := range evs {
		if e.Reason == kube.ReasonKilling && e.Time.After(leaseStart(h)) {
			t.t0 = e.Time
			t.addf("no deletionTimestamp seen: deletion time taken from the Killing event at %s", e.Time.UTC().Format(time.RFC3339))
			return true
		}
	}
	if l := t.lease; l != nil && h.IP.IsValid() {
		for _, op := range ix.detaches[h.IP] {
			if !op.RequestedAt.IsZero() && l.contains(op.RequestedAt) && op.RequestedAt.After(leaseStart(h)) && ix.opHasPod(op, h) {
				t.t0 = op.RequestedAt
				t.addf("no deletionTimestamp or Killing event seen: deletion time taken from the detach request at %s", op.RequestedAt.UTC().Format(time.RFC3339))
				return true
			}
		}
	}
	return false
}

func (ix *index) opHasPod(op *negops.Operation, h *podHistory) bool {
	for _, ep := range op.Endpoints {
		if ep.IP == h.IP && portMatches(h, ep.Port) {
			return true
		}
	}
	return false
}

// findSigterm estimates when the app got SIGTERM: after the Killing event
// and the preStop hook.
func (ix *index) findSigterm(t *termination, evs []*kube.Event) {
	h := t.h
	tol := ix.opts.SkewTolerance
	for _, e := range evs {
		if e.Reason == kube.ReasonKilling && !e.Time.Before(t.t0.Add(-tol)) && t.killing.IsZero() {
			t.killing = e.Time
			t.addf("kubelet Killing event at %s on %s", t.rel(e.Time), cmp.Or(e.Host, h.Node))
		}
	}
	start, startName := t.killing, "Killing"
	if start.IsZero() {
		start, startName = t.t0, "deletion"
	}
	grace := float64(h.Grace())
	switch h.PreStop.Kind {
	case kube.PreStopNone, "":
		t.preStop = ptr(0.0)
		t.sigterm = start
		t.addf("no preStop hook: SIGTERM ≈ %s at %s", startName, t.rel(start))
	case kube.PreStopSleep, kube.PreStopExecSleep:
		s := h.PreStop.Seconds
		t.preStop = ptr(s)
		d := min(s, grace)
		t.sigterm = start.Add(time.Duration(d * float64(time.Second)))
		t.addf("preStop sleeps %gs: SIGTERM ≈ %s + %gs = %s", s, startName, d, t.rel(t.sigterm))
	default:
		t.sigterm = start
		t.addf("preStop hook (%s) of unknown duration: SIGTERM taken as %s at %s (earliest possible)", h.PreStop.Kind, startName, t.rel(start))
	}
	for _, e := range evs {
		if e.Reason == kube.ReasonFailedPreStopHook && !e.Time.Before(t.t0.Add(-tol)) {
			if e.Time.Before(t.sigterm) {
				t.sigterm = e.Time
			}
			t.hookFailed = true
			t.addf("FailedPreStopHook at %s: SIGTERM sent right after (%s)", t.rel(e.Time), truncate(e.Message, 120))
			break
		}
	}
}

// findExit reads the serving container's final exit.
func (ix *index) findExit(t *termination) {
	var best *kube.ContainerExit
	for i := range t.h.Exits {
		x := &t.h.Exits[i]
		if x.FinishedAt.IsZero() || x.FinishedAt.Before(t.t0.Add(-ix.opts.SkewTolerance)) {
			continue
		}
		if x.Container == t.h.Container || best == nil {
			best = x
		}
	}
	if best == nil {
		return
	}
	t.exit, t.exitCode = best.FinishedAt, ptr(best.ExitCode)
	what := ""
	switch best.ExitCode {
	case 137:
		what = ": SIGKILL, the grace period ran out"
	case 143:
		what = ": exited on SIGTERM"
	case 0:
		what = ": clean exit"
	}
	t.addf("container %s exited with code %d at %s%s", best.Container, best.ExitCode, t.rel(best.FinishedAt), what)
}

// findDetach finds the detach of the pod's endpoint: from audit entries
// (per IP:port, precise), else from the NEG controller's Detach events
// (per NEG and zone, counts only).
func (ix *index) findDetach(t *termination) {
	h := t.h
	tol := ix.opts.SkewTolerance
	for _, op := range ix.detaches[h.IP] {
		at := op.At()
		if at.Before(t.t0.Add(-tol)) || (t.lease != nil && !t.lease.to.IsZero() && !at.Before(t.lease.to)) || !ix.opHasPod(op, h) {
			continue
		}
		if t.neg == "" {
			t.neg, t.zone = op.NEG, cmp.Or(op.Zone, t.zone)
		}
		if t.detachReq.IsZero() && !op.RequestedAt.IsZero() {
			t.detachReq = op.RequestedAt
		}
		if op.Failed {
			t.failedOps++
			if !op.CompletedAt.IsZero() {
				t.addf("detach %s requested %s FAILED at %s: %s — the endpoint stayed attached", op.ID, t.relOrDash(op.RequestedAt), t.rel(op.CompletedAt), truncate(op.Error, 120))
			}
			continue
		}
		if op.CompletedAt.IsZero() {
			t.addf("detach %s requested at %s, completion not in the evidence", op.ID, t.rel(op.RequestedAt))
			continue
		}
		t.detachDone, t.detachFrom = op.CompletedAt, "audit"
		t.addf("detach %s (audit log) requested %s, completed %s", op.ID, t.relOrDash(op.RequestedAt), t.rel(op.CompletedAt))
		break
	}
	if t.neg == "" {
		t.neg, t.zone = ix.negOf(h)
	}
	if t.detachFrom != "" {
		return
	}
	// Fallback: the controller's Detach event for the pod's NEG and zone
	// (recorded after the operation completed; carries a count, not IPs).
	var cands []negEvent
	if t.neg != "" {
		cands = ix.negEvents[negZone{t.neg, t.zone}]
	}
	for _, ne := range cands {
		if ne.ev.Kind != negops.Detach || ne.at.Before(t.t0) || ne.at.Sub(t.t0) > 10*time.Minute {
			continue
		}
		if ne.ev.Failed {
			t.failedOps++
			t.addf("NEG controller DetachFailed event at %s for NEG %s in %s", t.rel(ne.at), ne.ev.NEG, ne.ev.Zone)
			continue
		}
		at := ne.first
		if at.Before(t.t0) {
			at = ne.at
		}
		t.detachDone, t.detachFrom = at, "event"
		agg := ""
		if ne.aggregated {
			agg = ", aggregated event: timing uncertain"
		}
		t.addf("no audit entry for this endpoint: detach taken from the NEG controller's Detach event at %s (%d endpoint(s) in NEG %s, %s; counts only, no IPs%s)", t.rel(at), ne.ev.Count, ne.ev.NEG, ne.ev.Zone, agg)
		return
	}
	if t.failedOps == 0 {
		t.addf("no detach evidence for this endpoint (no audit entry, no NEG controller Detach event)")
	}
}

func (t *termination) relOrDash(at time.Time) string {
	if at.IsZero() {
		return "—"
	}
	return "at " + t.rel(at)
}

// negOf finds the NEG and zone a pod's endpoint was in, without a detach
// operation: from attach operations, else from its Services' neg-status.
func (ix *index) negOf(h *podHistory) (neg, zone string) {
	for _, op := range ix.attaches[h.IP] {
		if ix.opHasPod(op, h) {
			neg, zone = op.NEG, op.Zone
		}
	}
	if neg != "" {
		return neg, cmp.Or(zone, h.zone)
	}
	for _, svc := range h.services {
		s := ix.services[svc]
		if s == nil {
			continue
		}
		ports := make([]string, 0, len(s.NEGs))
		for p := range s.NEGs {
			ports = append(ports, p)
		}
		slices.Sort(ports)
		for _, p := range ports {
			zone = h.zone
			if zone == "" && len(s.Zones) == 1 {
				zone = s.Zones[0]
			}
			return s.NEGs[p], zone
		}
	}
	return "", h.zone
}

// findLastRequest looks up the last request the LB sent the pod's IP while
// the pod held it.
func (ix *index) findLastRequest(t *termination, tr *Traffic) {
	var from, to time.Time
	if t.lease != nil {
		from, to = t.lease.from, t.lease.to
	}
	if last, ok := tr.Last(t.h.IP, from, to); ok {
		t.lastReq = last
		if !last.Before(t.t0) {
			t.lastAfter = last
			t.addf("last request the LB sent to %s at %s", t.h.IP, t.rel(last))
		} else {
			t.addf("no request to %s after the deletion (last at %s)", t.h.IP, t.rel(last))
		}
	}
}

// findTrigger names what started the termination: the closest scaling
// event of the workload in the minute before.
func (ix *index) findTrigger(t *termination) {
	w := t.h.Workload
	var best *kube.Event
	for _, e := range ix.scaling[w] {
		if !e.Time.After(t.t0.Add(ix.opts.SkewTolerance)) && t.t0.Sub(e.Time) <= time.Minute {
			best = e
		}
	}
	if best != nil {
		t.trigger = fmt.Sprintf("%s: %s", best.Reason, truncate(best.Message, 120))
		t.addf("triggered by %s at %s: %s", best.Reason, t.rel(best.Time), truncate(best.Message, 120))
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
