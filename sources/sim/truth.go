package sim

import (
	"math"
	"slices"
	"time"
)

// TruthSchema identifies the truth.json format.
const TruthSchema = "negtrace.sim.truth/v1"

// Causes of LB errors in the ground truth: the analyzer's causes.
const (
	CauseRace       = "neg_detach_race"           // the pod had stopped serving and its detach had not taken effect
	CauseClosedConn = "backend_closed_connection" // keep-alive mismatch on a pod that was not terminating
	CauseAppError   = "application_error"         // the app answered 5xx while serving
	CauseNoBackend  = "no_healthy_backend"        // failed_to_pick_backend
	CauseOther      = "other"                     // LB-internal errors, timeouts on healthy pods
)

// Truth is the ground truth of one simulated run, written to truth.json
// (2-space indented JSON, times RFC 3339 UTC with their full precision,
// absent times null). Its schema ("negtrace.sim.truth/v1"):
//
//   - schema, scenario, seed; window {start, end}: the export window.
//   - lb_entries: LB entries written to lb-requests.jsonl.gz; lb_5xx: those
//     with status >= 500; by_cause: lb_5xx per cause.
//   - errors: one per LB entry with status >= 500, oldest first: insert_id,
//     timestamp (the entry's timestamp), status, status_details, server_ip
//     (as written, "" when absent), backend_service, cause (exactly one of
//     neg_detach_race, backend_closed_connection, application_error,
//     no_healthy_backend, other), pod ("ns/name" of the pod whose NEG
//     endpoint the LB picked, null when none), pod_uid, reason (for other).
//   - terminations: one per pod whose deletion was requested inside the
//     window, in order of that request: pod, pod_uid, pod_ip, node, workload
//     ("ns/deployment"), neg, zone; true times deletion_requested_at (T0),
//     killing_at, prestop_failed_at, sigterm_at, stopped_serving_at (no
//     more normal answers: refusing, or answering 503 while draining),
//     stopped_listening_at, container_exit_at, exit_code; NEG side
//     detach_requested_at (first detach op), detach_completed_at (first
//     successful one), detach_ops, failed_detach_ops, dataplane_stopped_at
//     (when the LB stopped sending to the endpoint because of the detach),
//     unhealthy_at (when the health check marked it unhealthy, if it did);
//     traffic last_request_at (last LB request to the endpoint) and
//     race_errors; required_prestop_seconds: the preStop sleep this pod
//     needed so that it kept serving until the LB stopped sending
//     (dataplane_stopped_at + 80 ms − killing_at − its app's serving time
//     after SIGTERM), null when the detach never took effect.
//   - workloads: per Deployment: workload, neg, prestop {kind, seconds,
//     fails}, grace_seconds, app {kind, seconds, exit_code}, terminations,
//     race_errors, min_safe_prestop_seconds (the smallest whole preStop
//     sleep that would have avoided every race error of this run: the
//     ceiling of the largest required_prestop_seconds among terminations
//     with race errors, 0 when there were none; it assumes a hook that
//     works and a grace period raised to fit), safe_prestop_all_seconds (the
//     same over every termination, so that no request could have failed),
//     detach_latency_seconds (detach_completed_at − deletion_requested_at
//     per termination, in termination order, leaving out those never
//     detached).
//   - ip_leases: every pod IP holding that overlaps the window: ip, node,
//     pod, pod_uid, from (sandbox created), to (IP released, null if never).
//   - model: data_plane_lag_max_seconds, health_check_interval_seconds,
//     unhealthy_threshold.
type Truth struct {
	Schema       string             `json:"schema"`
	Scenario     string             `json:"scenario"`
	Seed         uint64             `json:"seed"`
	Window       TruthWindow        `json:"window"`
	LBEntries    int                `json:"lb_entries"`
	LB5xx        int                `json:"lb_5xx"`
	ByCause      map[string]int     `json:"by_cause"`
	Errors       []TruthError       `json:"errors"`
	Terminations []TruthTermination `json:"terminations"`
	Workloads    []TruthWorkload    `json:"workloads"`
	IPLeases     []TruthLease       `json:"ip_leases"`
	Model        TruthModel         `json:"model"`
}

// TruthWindow is the export window.
type TruthWindow struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// TruthError is the true cause of one LB entry with status >= 500.
type TruthError struct {
	InsertID       string    `json:"insert_id"`
	Timestamp      time.Time `json:"timestamp"`
	Status         int       `json:"status"`
	StatusDetails  string    `json:"status_details"`
	ServerIP       string    `json:"server_ip"`
	BackendService string    `json:"backend_service"`
	Cause          string    `json:"cause"`
	Pod            *string   `json:"pod"`
	PodUID         string    `json:"pod_uid,omitempty"`
	Reason         string    `json:"reason,omitempty"`
}

// TruthTermination is the true timeline of one pod termination.
type TruthTermination struct {
	Pod                    string     `json:"pod"`
	PodUID                 string     `json:"pod_uid"`
	PodIP                  string     `json:"pod_ip"`
	Node                   string     `json:"node"`
	Workload               string     `json:"workload"`
	NEG                    string     `json:"neg"`
	Zone                   string     `json:"zone"`
	DeletionRequestedAt    time.Time  `json:"deletion_requested_at"`
	KillingAt              *time.Time `json:"killing_at"`
	PreStopFailedAt        *time.Time `json:"prestop_failed_at"`
	SigtermAt              *time.Time `json:"sigterm_at"`
	StoppedServingAt       *time.Time `json:"stopped_serving_at"`
	StoppedListeningAt     *time.Time `json:"stopped_listening_at"`
	ContainerExitAt        *time.Time `json:"container_exit_at"`
	ExitCode               *int       `json:"exit_code"`
	DetachRequestedAt      *time.Time `json:"detach_requested_at"`
	DetachCompletedAt      *time.Time `json:"detach_completed_at"`
	DetachOps              int        `json:"detach_ops"`
	FailedDetachOps        int        `json:"failed_detach_ops"`
	DataplaneStoppedAt     *time.Time `json:"dataplane_stopped_at"`
	UnhealthyAt            *time.Time `json:"unhealthy_at"`
	LastRequestAt          *time.Time `json:"last_request_at"`
	RaceErrors             int        `json:"race_errors"`
	RequiredPreStopSeconds *float64   `json:"required_prestop_seconds"`
}

// TruthWorkload is the truth about one Deployment.
type TruthWorkload struct {
	Workload              string       `json:"workload"`
	NEG                   string       `json:"neg"`
	PreStop               TruthPreStop `json:"prestop"`
	GraceSeconds          int          `json:"grace_seconds"`
	App                   TruthApp     `json:"app"`
	Terminations          int          `json:"terminations"`
	RaceErrors            int          `json:"race_errors"`
	MinSafePreStopSeconds int          `json:"min_safe_prestop_seconds"`
	SafePreStopAllSeconds int          `json:"safe_prestop_all_seconds"`
	DetachLatencySeconds  []float64    `json:"detach_latency_seconds"`
}

// TruthPreStop is a workload's configured preStop hook.
type TruthPreStop struct {
	Kind    PreStopKind `json:"kind"`
	Seconds int         `json:"seconds"`
	Fails   bool        `json:"fails"`
}

// TruthApp is a workload's shutdown behaviour.
type TruthApp struct {
	Kind     AppKind `json:"kind"`
	Seconds  float64 `json:"seconds"`
	ExitCode int     `json:"exit_code"`
}

// TruthLease is one pod's holding of an IP.
type TruthLease struct {
	IP     string     `json:"ip"`
	Node   string     `json:"node"`
	Pod    string     `json:"pod"`
	PodUID string     `json:"pod_uid"`
	From   time.Time  `json:"from"`
	To     *time.Time `json:"to"`
}

// TruthModel records model parameters an analysis may want to compare with.
type TruthModel struct {
	DataPlaneLagMaxSeconds     float64 `json:"data_plane_lag_max_seconds"`
	HealthCheckIntervalSeconds float64 `json:"health_check_interval_seconds"`
	UnhealthyThreshold         int     `json:"unhealthy_threshold"`
}

// maxServiceTime is the longest normal request; a pod must serve this long
// past the LB's last pick.
const maxServiceTime = 80 * time.Millisecond

// buildTruth assembles the truth after the traffic has been generated
// (errors and per-endpoint counters filled in).
func buildTruth(w *World, entries int, errs []TruthError) *Truth {
	cfg := &w.Config
	tr := &Truth{
		Schema: TruthSchema, Scenario: w.Scenario, Seed: w.Seed,
		Window:    TruthWindow{Start: w.abs(0), End: w.abs(w.end)},
		LBEntries: entries, LB5xx: len(errs), ByCause: map[string]int{},
		Errors: errs,
		Model: TruthModel{
			DataPlaneLagMaxSeconds:     cfg.NEG.DataPlaneLagMax.Seconds(),
			HealthCheckIntervalSeconds: cfg.HealthCheck.Interval.Seconds(),
			UnhealthyThreshold:         cfg.HealthCheck.UnhealthyThreshold,
		},
	}
	if tr.Errors == nil {
		tr.Errors = []TruthError{}
	}
	for _, e := range errs {
		tr.ByCause[e.Cause]++
	}
	tp := func(t time.Duration) *time.Time {
		if t == never {
			return nil
		}
		v := w.abs(t)
		return &v
	}
	for _, d := range w.deploys {
		wl := TruthWorkload{
			Workload: d.key, NEG: d.neg,
			PreStop:              TruthPreStop{Kind: d.cfg.PreStop.Kind, Seconds: d.cfg.PreStop.Seconds, Fails: d.cfg.PreStop.Fails},
			GraceSeconds:         d.cfg.Grace,
			App:                  TruthApp{Kind: d.cfg.App.Kind, Seconds: d.cfg.App.Seconds, ExitCode: d.cfg.App.ExitCode},
			DetachLatencySeconds: []float64{},
		}
		if wl.PreStop.Kind == PreStopNone {
			wl.PreStop.Seconds = 0
		}
		var needRace, needAll float64
		for _, p := range terminatedPods(w, d) {
			t := TruthTermination{
				Pod: p.key(), PodUID: p.uid, PodIP: p.ip.String(), Workload: d.key, NEG: d.neg,
				DeletionRequestedAt: w.abs(p.t0),
				KillingAt:           tp(p.killing), PreStopFailedAt: tp(p.preStopFailed), SigtermAt: tp(p.sigterm),
				StoppedServingAt: tp(p.stopServing), StoppedListeningAt: tp(p.stopListening), ContainerExitAt: tp(p.exit),
			}
			if p.node != nil {
				t.Node, t.Zone = p.node.name, p.node.zone
			}
			if p.exit != never {
				code := p.exitCode
				t.ExitCode = &code
			}
			last, dpEnd, unhealthy := never, never, never
			for _, m := range w.members {
				if m.p != p {
					continue
				}
				if t.DetachRequestedAt == nil {
					t.DetachRequestedAt = tp(m.detachRequested)
				}
				if t.DetachCompletedAt == nil {
					t.DetachCompletedAt = tp(m.detached)
				}
				t.DetachOps += m.detachOps
				t.FailedDetachOps += m.failedDetachOps
				t.RaceErrors += m.raceErrors
				if m.lastRequest != never && (last == never || m.lastRequest > last) {
					last = m.lastRequest
				}
				dpEnd, unhealthy = m.dpEnd, m.unhealthyAt
			}
			t.DataplaneStoppedAt, t.UnhealthyAt, t.LastRequestAt = tp(dpEnd), tp(unhealthy), tp(last)
			if dpEnd != never && p.killing != never {
				serve := 0.0
				if d.cfg.App.Kind == AppGraceful {
					serve = d.cfg.App.Seconds
				}
				need := math.Max(0, (dpEnd+maxServiceTime-p.killing).Seconds()-serve)
				need = math.Round(need*1000) / 1000
				t.RequiredPreStopSeconds = &need
				needAll = math.Max(needAll, need)
				if t.RaceErrors > 0 {
					needRace = math.Max(needRace, need)
				}
			}
			if t.DetachCompletedAt != nil {
				lat := t.DetachCompletedAt.Sub(t.DeletionRequestedAt).Seconds()
				wl.DetachLatencySeconds = append(wl.DetachLatencySeconds, math.Round(lat*1000)/1000)
			}
			wl.Terminations++
			wl.RaceErrors += t.RaceErrors
			tr.Terminations = append(tr.Terminations, t)
		}
		wl.MinSafePreStopSeconds = int(math.Ceil(needRace))
		wl.SafePreStopAllSeconds = int(math.Ceil(needAll))
		tr.Workloads = append(tr.Workloads, wl)
	}
	if tr.Terminations == nil {
		tr.Terminations = []TruthTermination{}
	}
	slices.SortStableFunc(tr.Terminations, func(a, b TruthTermination) int {
		return a.DeletionRequestedAt.Compare(b.DeletionRequestedAt)
	})
	for _, p := range w.pods {
		if p.sandbox == never || p.sandbox > w.end || (p.ipFreed != never && p.ipFreed < 0) {
			continue
		}
		tr.IPLeases = append(tr.IPLeases, TruthLease{
			IP: p.ip.String(), Node: p.node.name, Pod: p.key(), PodUID: p.uid, From: w.abs(p.sandbox), To: tp(p.ipFreed),
		})
	}
	return tr
}

// terminatedPods returns d's pods whose deletion was requested inside the
// window, in T0 order.
func terminatedPods(w *World, d *deployment) []*pod {
	var out []*pod
	for _, p := range w.pods {
		if p.d == d && p.t0 != never && p.t0 >= 0 && p.t0 <= w.end {
			out = append(out, p)
		}
	}
	sortByT0(out)
	return out
}
