package analyzer

import (
	"fmt"
	"time"

	"github.com/negtrace/negtrace/sources/lblog"
)

// errorCause is the cause of one LB 5xx and what it rests on.
type errorCause struct {
	cause  Cause
	reason string
	pod    *podHistory
	term   *termination
}

// learnSlack estimates the data-plane propagation after a detach
// completes: the largest gap between a detach completion (audit log) and
// the last request the LB still sent to the endpoint.
func learnSlack(terms []*termination, opts Options) (time.Duration, string) {
	if opts.Slack > 0 {
		return opts.Slack, fmt.Sprintf("data-plane slack after detach completion: %v (configured)", opts.Slack)
	}
	var lag time.Duration
	n := 0
	for _, t := range terms {
		if t.detachFrom != "audit" || t.lastAfter.IsZero() {
			continue
		}
		n++
		lag = max(lag, t.lastAfter.Sub(t.detachDone))
	}
	if n == 0 {
		return opts.DefaultSlack, fmt.Sprintf("data-plane slack after detach completion: %v (default: no detach with traffic to learn from)", opts.DefaultSlack)
	}
	s := (lag + time.Second).Truncate(time.Second)
	s = max(opts.MinSlack, min(s, opts.MaxSlack))
	return s, fmt.Sprintf("data-plane slack after detach completion: %v (learned: the LB sent requests up to %.1fs after a detach completed, over %d terminations)", s, lag.Seconds(), n)
}

// classify gives one LB 5xx its cause.
func (ix *index) classify(r *lblog.Request, byPod map[*podHistory]*termination, slack time.Duration) errorCause {
	d := r.StatusDetails
	switch {
	case d == lblog.FailedToPickBackend:
		return errorCause{cause: CauseNoHealthyBackend, reason: "the LB found no healthy endpoint to send to"}
	case !r.ServerIP.IsValid():
		return errorCause{cause: CauseOther, reason: noServerReason(d)}
	}
	tol := ix.opts.SkewTolerance
	l := ix.leases.at(r.ServerIP, r.Time)
	if l == nil {
		// No pod object for this IP at that time: a detach of the IP in
		// progress still tells the race apart.
		for _, op := range ix.detaches[r.ServerIP] {
			if op.Failed || op.RequestedAt.IsZero() || op.CompletedAt.IsZero() {
				continue
			}
			if d.BackendFailure() && !r.Time.Before(op.RequestedAt.Add(-tol)) && !r.Time.After(op.CompletedAt.Add(slack)) {
				return errorCause{cause: CauseRace, reason: fmt.Sprintf("no pod record for %s, but its detach %s was in progress", r.ServerIP, op.ID)}
			}
		}
		return errorCause{cause: CauseOther, reason: fmt.Sprintf("unknown IP: no pod held %s at that time in the evidence", r.ServerIP)}
	}
	ec := errorCause{pod: l.pod}
	t := byPod[l.pod]
	terminating := t != nil && !r.Time.Before(t.t0.Add(-tol))
	if terminating {
		ec.term = t
		// Without a detach completion the window stays open: every request
		// the LB still sent is proof it still believed in the endpoint.
		inWindow := t.detachFrom == "" || !r.Time.After(t.detachDone.Add(slack))
		afterSigterm := !r.Time.Before(t.sigterm.Add(-tol))
		switch {
		case !inWindow && (d.BackendFailure() || d == lblog.ResponseSentByBackend):
			ec.cause, ec.reason = CauseOther, "after the pod's detach had taken effect (detach completion + data-plane slack)"
			if d == lblog.ResponseSentByBackend {
				ec.cause, ec.reason = CauseApplicationError, "response from the pod after its detach took effect"
			}
		case d == lblog.ClosedBeforeData && !afterSigterm:
			ec.cause, ec.reason = CauseBackendClosed, "connection closed before SIGTERM on a terminating pod (keep-alive timeout below the LB's 600s?)"
		case d.BackendFailure():
			ec.cause, ec.reason = CauseRace, "backend failure after the pod's deletion and before its detach took effect"
			if !afterSigterm {
				ec.reason = "backend failure after the pod's deletion, before the estimated SIGTERM, and before its detach took effect"
			}
		case d == lblog.ResponseSentByBackend && (r.Status == 502 || r.Status == 503) && afterSigterm:
			ec.cause, ec.reason = CauseRace, fmt.Sprintf("the terminating pod answered %d after SIGTERM, before its detach took effect", r.Status)
		case d == lblog.ResponseSentByBackend:
			ec.cause, ec.reason = CauseApplicationError, fmt.Sprintf("the pod answered %d", r.Status)
		default:
			ec.cause, ec.reason = CauseOther, otherReason(d)
		}
		return ec
	}
	switch {
	case d == lblog.ClosedBeforeData:
		ec.cause, ec.reason = CauseBackendClosed, "connection closed by a pod that was not terminating (keep-alive timeout below the LB's 600s?)"
	case d == lblog.ResponseSentByBackend:
		ec.cause, ec.reason = CauseApplicationError, fmt.Sprintf("the pod answered %d while serving", r.Status)
	case d.BackendFailure():
		ec.cause, ec.reason = CauseOther, fmt.Sprintf("%s on a pod that was not terminating (crash, OOM or overload?)", d)
	default:
		ec.cause, ec.reason = CauseOther, otherReason(d)
	}
	return ec
}

func noServerReason(d lblog.StatusDetail) string {
	switch d {
	case "client_disconnected_before_any_response", "client_timed_out", "client_disconnected_after_partial_response":
		return "client side: " + string(d)
	case "config_not_found", "internal_error", "retriable_error":
		return "LB internal: " + string(d)
	case "":
		return "no serverIp and no statusDetails"
	}
	return "no serverIp: " + string(d)
}

func otherReason(d lblog.StatusDetail) string {
	if d == "" {
		return "no statusDetails"
	}
	return "not backend-caused: " + string(d)
}
