package analyzer

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/negtrace/negtrace/sources/lblog"
)

// Analyze gives every LB 5xx in ev a cause, builds the timeline and verdict
// of every pod termination, and recommends preStop and grace settings per
// workload. It does no I/O.
func Analyze(ev *Evidence, opts Options) (*Report, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	ix := newIndex(ev, opts)
	terms := ix.buildTerminations(ev)
	slack, slackNote := learnSlack(terms, opts)
	byPod := make(map[*podHistory]*termination, len(terms))
	for _, t := range terms {
		byPod[t.h] = t
	}

	errs := slices.Clone(ev.Errors)
	slices.SortStableFunc(errs, func(a, b lblog.Request) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.InsertID, b.InsertID))
	})
	rep := &Report{
		Schema:          Schema,
		Window:          reportWindow(ev, terms),
		Inputs:          slices.Clone(ev.Inputs),
		Terminations:    []Termination{},
		Errors:          make([]ErrorVerdict, 0, len(errs)),
		Recommendations: []Recommendation{},
	}
	rep.Summary.ByCause = make(map[Cause]int, len(Causes))
	for _, c := range Causes {
		rep.Summary.ByCause[c] = 0
	}
	for i := range errs {
		r := &errs[i]
		ec := ix.classify(r, byPod, slack)
		if ec.cause == CauseRace && ec.term != nil {
			ec.term.raceErrors = append(ec.term.raceErrors, r)
		}
		rep.Summary.ByCause[ec.cause]++
		rep.Errors = append(rep.Errors, errorVerdict(r, ec))
	}
	rep.Summary.LBRequests = ev.LBRequests
	rep.Summary.LB5xx = len(errs)

	inWindow := func(t *termination) bool {
		return len(t.raceErrors) > 0 || ev.Window.Contains(t.t0)
	}
	var latencies []float64
	byWorkload := make(map[string][]*termination)
	for _, t := range terms {
		if !inWindow(t) {
			continue
		}
		out := termination2JSON(t, ev.LBRequests > 0 || ev.LBQueried)
		if out.DetachLatencySeconds != nil {
			latencies = append(latencies, *out.DetachLatencySeconds)
		}
		rep.Terminations = append(rep.Terminations, out)
		byWorkload[t.h.Workload] = append(byWorkload[t.h.Workload], t)
	}
	rep.Summary.Terminations = len(rep.Terminations)
	rep.Summary.DetachLatencySeconds = percentiles(latencies)

	workloads := make([]string, 0, len(byWorkload))
	for w := range byWorkload {
		workloads = append(workloads, w)
	}
	slices.Sort(workloads)
	for _, w := range workloads {
		rep.Recommendations = append(rep.Recommendations, recommend(w, byWorkload[w], slack, opts, backendsOf(ev.Backends, byWorkload[w])))
	}
	rep.Summary.LB5xxEstimated = estimate5xx(ev.Backends, errs)
	rep.Notes = append(notes(ev, slackNote), backendNotes(ev.Backends)...)
	return rep, nil
}

func errorVerdict(r *lblog.Request, ec errorCause) ErrorVerdict {
	v := ErrorVerdict{
		InsertID:       r.InsertID,
		Timestamp:      r.Time.UTC(),
		Status:         r.Status,
		StatusDetails:  string(r.StatusDetails),
		BackendService: r.BackendService,
		Cause:          ec.cause,
		Reason:         ec.reason,
		URL:            r.URL,
		UserAgent:      r.UserAgent,
	}
	if r.ServerIP.IsValid() {
		v.ServerIP = r.ServerIP.String()
	}
	if ec.pod != nil {
		v.Pod = ptr(ec.pod.key())
	}
	if ec.term != nil {
		v.SecondsAfterDeletion = ptr(round3(r.Time.Sub(ec.term.t0).Seconds()))
	}
	return v
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return ptr(t.UTC())
}

func termination2JSON(t *termination, haveLB bool) Termination {
	out := Termination{
		Pod:                 t.h.key(),
		PodUID:              t.h.UID,
		Node:                t.h.Node,
		Workload:            t.h.Workload,
		NEG:                 t.neg,
		Zone:                t.zone,
		DeletionRequestedAt: optTime(t.t0),
		KillingAt:           optTime(t.killing),
		SigtermAt:           optTime(t.sigterm),
		ContainerExitAt:     optTime(t.exit),
		ExitCode:            t.exitCode,
		DetachRequestedAt:   optTime(t.detachReq),
		DetachCompletedAt:   optTime(t.detachDone),
		LastRequestAt:       optTime(t.lastReq),
		RaceErrors:          len(t.raceErrors),
	}
	if t.h.IP.IsValid() {
		out.PodIP = t.h.IP.String()
	}
	if t.detachFrom != "" {
		out.DetachLatencySeconds = ptr(round3(t.detachDone.Sub(t.t0).Seconds()))
	}
	if stop, ok := t.lbStopped(); ok {
		out.ExposureSeconds = ptr(round3(max(0, stop.Sub(t.sigterm).Seconds())))
	}
	ev := slices.Clone(t.evidence)
	switch {
	case len(t.raceErrors) > 0:
		out.Verdict = VerdictRace
		first, last := t.raceErrors[0].Time, t.raceErrors[len(t.raceErrors)-1].Time
		ev = append(ev, fmt.Sprintf("%d request(s) failed between %s and %s: the LB still sent to the pod after it stopped serving", len(t.raceErrors), t.rel(first), t.rel(last)))
	case !haveLB:
		out.Verdict = VerdictInconclusive
		ev = append(ev, "no LB request logs in the evidence: cannot tell whether requests failed")
	case t.detachFrom != "" || !t.lastAfter.IsZero():
		out.Verdict = VerdictClean
		if stop, _ := t.lbStopped(); stop.After(t.sigterm.Add(time.Second)) {
			ev = append(ev, fmt.Sprintf("the LB could still send %.1fs after SIGTERM, yet no request to the pod failed (the app kept serving, or there was no traffic then)", stop.Sub(t.sigterm).Seconds()))
		} else {
			ev = append(ev, "the LB stopped sending before SIGTERM: no exposure")
		}
	default:
		out.Verdict = VerdictInconclusive
		ev = append(ev, "no detach record and no request after deletion: cannot tell when the LB stopped sending")
	}
	out.Evidence = ev
	return out
}

// reportWindow is the user's window, with open bounds closed by the
// evidence read.
func reportWindow(ev *Evidence, terms []*termination) Window {
	w := ev.Window
	start, end := ev.FirstEntry, ev.LastEntry
	for _, t := range terms {
		if start.IsZero() || t.t0.Before(start) {
			start = t.t0
		}
		if t.t0.After(end) {
			end = t.t0
		}
	}
	if w.Start.IsZero() {
		w.Start = start
	}
	if w.End.IsZero() {
		w.End = end
	}
	w.Start, w.End = w.Start.UTC(), w.End.UTC()
	return w
}

func notes(ev *Evidence, slackNote string) []string {
	n := []string{slackNote}
	if ev.LBRequests == 0 && !ev.LBQueried {
		n = append(n, "No LB request logs were read: no error can be given a cause. Export resource.type=\"http_load_balancer\" entries for the window.")
	}
	if len(ev.Audit) == 0 {
		n = append(n, "No Compute audit entries for NEG detaches were read: detach times come from NEG controller events (which the controller rate-limits) or from the last request seen. Export protoPayload.methodName:\"networkEndpointGroups.detachNetworkEndpoints\" from the cloudaudit.googleapis.com/activity log for precise timings.")
	}
	if len(ev.Pods) == 0 {
		n = append(n, "No Pod objects were read: pod IP history and termination times are unknown. Export `kubectl get pods --watch -o json --output-watch-events` during rollouts.")
	}
	var skipped []string
	for _, in := range ev.Inputs {
		if in.Skipped > 0 {
			skipped = append(skipped, fmt.Sprintf("%s (%d)", in.Path, in.Skipped))
		}
	}
	if len(skipped) > 0 {
		n = append(n, "Some input could not be used and was skipped: "+strings.Join(skipped, ", ")+"; see inputs[].problems.")
	}
	return n
}
