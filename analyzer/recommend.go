package analyzer

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/negtrace/negtrace/sources/kube"
)

// Recommendation actions.
const (
	ActionRaise        = "raise"
	ActionKeep         = "keep"
	ActionShorten      = "shorten"
	ActionInsufficient = "insufficient_data"
	ActionFixHook      = "fix_prestop_hook"
)

// roundUp rounds d up to a whole number of steps, in seconds.
func roundUp(d, step time.Duration) int {
	n := math.Ceil(float64(d) / float64(step))
	return int(n) * int(step/time.Second)
}

// recommend derives the safe preStop sleep and grace period for one
// workload from its terminations, and replays its race errors against them.
func recommend(workload string, terms []*termination, slack time.Duration, opts Options, lb lbConfig) Recommendation {
	rec := Recommendation{Workload: workload, Terminations: len(terms), DrainingTimeoutSeconds: lb.draining, HealthCheckDetectionSeconds: lb.detection}
	// The latest termination's pod spec is the current configuration.
	last := terms[len(terms)-1]
	cur := last.preStop
	rec.CurrentPrestopSleepSeconds = cur
	grace := last.h.TerminationGrace
	rec.CurrentTerminationGracePeriodSeconds = &grace

	var needs, latencies []float64
	var shutdown time.Duration
	shutdownSeen, unknown, hookFailed := 0, 0, 0
	for _, t := range terms {
		if t.hookFailed {
			hookFailed++
		}
		rec.RaceErrorsObserved += len(t.raceErrors)
		if t.detachFrom != "" {
			latencies = append(latencies, t.detachDone.Sub(t.t0).Seconds())
		}
		var stop time.Time
		if t.detachFrom != "" {
			stop = t.detachDone.Add(slack)
		}
		if t.lastAfter.After(stop) {
			stop = t.lastAfter
		}
		if stop.IsZero() {
			unknown++
		} else {
			needs = append(needs, stop.Sub(t.t0).Seconds())
		}
		if !t.exit.IsZero() && t.exitCode != nil && *t.exitCode != 137 && !t.exit.Before(t.sigterm) {
			shutdown = max(shutdown, t.exit.Sub(t.sigterm))
			shutdownSeen++
		}
	}
	rec.DetachLatencySeconds = percentiles(latencies)
	if len(needs) == 0 {
		rec.Action = ActionInsufficient
		rec.PrestopSleepSeconds = int(valueOr(cur, 0))
		rec.TerminationGracePeriodSeconds = int(grace)
		rec.Rationale = fmt.Sprintf("None of the %d terminations shows when the LB stopped sending (no detach record and no request after deletion): export the Compute audit log (networkEndpointGroups.detachNetworkEndpoints) and LB request logs for the window.", len(terms))
		return rec
	}
	need := slices.Max(needs)
	needD := time.Duration(need * float64(time.Second))
	sleep := roundUp(needD+opts.Margin, opts.RoundTo)
	shutdownNote := fmt.Sprintf("%.1fs shutdown (longest observed from SIGTERM to exit, %d pods)", shutdown.Seconds(), shutdownSeen)
	if shutdownSeen == 0 {
		shutdown = opts.DefaultShutdown
		shutdownNote = fmt.Sprintf("%v shutdown (assumed: no exit after SIGTERM observed)", opts.DefaultShutdown)
	}

	var why []string
	why = append(why, fmt.Sprintf("The LB stopped sending at most %.1fs after deletion (detach completion + %v data-plane slack, or the last request seen; %d of %d terminations measured).", need, slack, len(needs), len(terms)))
	if unknown > 0 {
		why = append(why, fmt.Sprintf("%d termination(s) had no evidence of when the LB stopped (failed or unexported detach): their need may be higher.", unknown))
	}
	switch {
	case cur != nil && *cur >= need && rec.RaceErrorsObserved == 0:
		if sleep < int(math.Ceil(*cur)) {
			rec.Action = ActionShorten
			rec.PrestopSleepSeconds = sleep
			why = append(why, fmt.Sprintf("The current %gs preStop is safe; %.1fs + %v margin, rounded up to %v, is %ds and would also be safe and make rollouts faster.", *cur, need, opts.Margin, opts.RoundTo, sleep))
		} else {
			rec.Action = ActionKeep
			rec.PrestopSleepSeconds = int(math.Ceil(*cur))
			why = append(why, fmt.Sprintf("The current %gs preStop covers it.", *cur))
		}
	case cur != nil && *cur >= need && hookFailed > 0:
		rec.Action = ActionFixHook
		rec.PrestopSleepSeconds = max(sleep, int(math.Ceil(*cur)))
		why = append(why, fmt.Sprintf("The current %gs preStop would cover the measured detach, but the hook failed (FailedPreStopHook) in %d of %d terminations, so SIGTERM came at once: %d race error(s). Make the hook reliable, e.g. the native sleep action, which needs no sleep binary in the image.", *cur, hookFailed, len(terms), rec.RaceErrorsObserved))
	case cur != nil && *cur >= need:
		rec.Action = ActionKeep
		rec.PrestopSleepSeconds = int(math.Ceil(*cur))
		why = append(why, fmt.Sprintf("The current %gs preStop covers the measured detach, yet %d race error(s) happened: the app stopped serving before SIGTERM (FailedPreStopHook, or it reacts to deletion itself); see the terminations' evidence.", *cur, rec.RaceErrorsObserved))
	default:
		rec.Action = ActionRaise
		rec.PrestopSleepSeconds = sleep
		why = append(why, fmt.Sprintf("%.1fs + %v margin, rounded up to %v: preStop sleep %ds.", need, opts.Margin, opts.RoundTo, sleep))
	}
	s := time.Duration(rec.PrestopSleepSeconds) * time.Second
	var draining time.Duration
	if lb.draining != nil {
		draining = time.Duration(*lb.draining) * time.Second
	}
	g := roundUp(s+draining+shutdown+opts.Margin, opts.RoundTo)
	switch {
	case rec.Action == ActionRaise:
		g = max(g, int(grace))
	case int64(g) <= grace:
		// Already long enough: never recommend a longer one.
		g = int(grace)
	}
	rec.TerminationGracePeriodSeconds = g
	drainNote := ""
	if draining > 0 {
		drainNote = fmt.Sprintf(" + %v connection draining", draining)
	}
	why = append(why, fmt.Sprintf("Grace period %ds ≥ %ds preStop%s + %s + %v margin (preStop time counts against the grace period).", g, rec.PrestopSleepSeconds, drainNote, shutdownNote, opts.Margin))
	if lb.detection != nil {
		why = append(why, fmt.Sprintf("The health check marks an endpoint that stopped answering unhealthy only after about %ds (interval × unhealthy threshold): failing readiness on SIGTERM alone would leave that long for errors, so it is a partial mitigation, not a fix.", *lb.detection))
	}

	// Replay: a race error is avoided when the pod would still have been
	// sleeping in preStop (so still serving) when the LB sent the request,
	// with a hook that works.
	notAvoidedEarly := 0
	for _, t := range terms {
		base := t.killing
		if base.IsZero() {
			base = t.t0
		}
		for _, e := range t.raceErrors {
			switch {
			case e.Time.Before(t.sigterm.Add(-opts.SkewTolerance)):
				notAvoidedEarly++
			case e.Time.Before(base.Add(s)):
				rec.RaceErrorsAvoided++
			}
		}
	}
	if rec.RaceErrorsObserved > 0 {
		why = append(why, fmt.Sprintf("Replaying the observed timelines, a %ds preStop would have avoided %d of %d race errors.", rec.PrestopSleepSeconds, rec.RaceErrorsAvoided, rec.RaceErrorsObserved))
		if notAvoidedEarly > 0 {
			why = append(why, fmt.Sprintf("%d happened before the estimated SIGTERM, which no sleep avoids.", notAvoidedEarly))
		}
	}
	rec.Rationale = strings.Join(why, " ")
	if rec.Action != ActionKeep {
		rec.Patch = patch(workload, last.h, rec)
	}
	return rec
}

func valueOr(p *float64, v float64) float64 {
	if p == nil {
		return v
	}
	return *p
}

// patch renders a strategic-merge patch for the workload's pod template.
func patch(workload string, h *podHistory, rec Recommendation) string {
	ns, name, _ := strings.Cut(workload, "/")
	kind := "deployment"
	switch h.OwnerKind {
	case "StatefulSet", "DaemonSet":
		kind = strings.ToLower(h.OwnerKind)
	}
	container := cmp.Or(h.Container, "app")
	var b strings.Builder
	fmt.Fprintf(&b, "# kubectl -n %s patch %s %s --patch-file negtrace-%s.yaml\n", ns, kind, name, name)
	b.WriteString("spec:\n  template:\n    spec:\n")
	fmt.Fprintf(&b, "      terminationGracePeriodSeconds: %d\n", rec.TerminationGracePeriodSeconds)
	fmt.Fprintf(&b, "      containers:\n      - name: %s\n        lifecycle:\n          preStop:\n", container)
	if (h.PreStop.Kind == kube.PreStopExecSleep || h.PreStop.Kind == kube.PreStopExec) && rec.Action != ActionFixHook {
		fmt.Fprintf(&b, "            exec:\n              command: [\"/bin/sh\", \"-c\", \"sleep %d\"]\n", rec.PrestopSleepSeconds)
	} else {
		fmt.Fprintf(&b, "            sleep:\n              seconds: %d  # Kubernetes >= 1.30; older: exec: {command: [\"/bin/sh\", \"-c\", \"sleep %d\"]}\n", rec.PrestopSleepSeconds, rec.PrestopSleepSeconds)
	}
	return b.String()
}
