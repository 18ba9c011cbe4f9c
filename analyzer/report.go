package analyzer

import "time"

// Schema is the identifier of the JSON report format this package produces.
const Schema = "negtrace.report/v1"

// Report is the result of one analysis. Its JSON form is the stable
// contract documented in the README: field names and meanings only ever
// grow, never change.
type Report struct {
	Schema          string           `json:"schema"`
	Window          Window           `json:"window"`
	Inputs          []Input          `json:"inputs"`
	Summary         Summary          `json:"summary"`
	Terminations    []Termination    `json:"terminations"`
	Errors          []ErrorVerdict   `json:"errors"`
	Recommendations []Recommendation `json:"recommendations"`
	Notes           []string         `json:"notes,omitempty"` // what the analysis assumed or could not see
}

// Window is the time range a report covers, RFC 3339 UTC.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Contains reports whether t is inside w: zero bounds are open, the start is
// included and the end excluded.
func (w Window) Contains(t time.Time) bool {
	return (w.Start.IsZero() || !t.Before(w.Start)) && (w.End.IsZero() || t.Before(w.End))
}

// Input describes one input file: what it was, how much of it was used.
type Input struct {
	Path     string   `json:"path"`
	Kind     string   `json:"kind"`
	Records  int      `json:"records"`
	Skipped  int      `json:"skipped"`
	Problems []string `json:"problems"` // the first problems, each "file:line: what"
}

// Summary holds the headline numbers.
type Summary struct {
	LBRequests           int           `json:"lb_requests"`
	LB5xx                int           `json:"lb_5xx"`
	LB5xxEstimated       *int          `json:"lb_5xx_estimated,omitempty"` // lb_5xx scaled by 1/sampleRate where LB logging is sampled (live mode)
	ByCause              map[Cause]int `json:"by_cause"`
	Terminations         int           `json:"terminations"`
	DetachLatencySeconds Percentiles   `json:"detach_latency_seconds"`
}

// Percentiles of a distribution, in seconds; null when nothing was measured.
type Percentiles struct {
	P50 *float64 `json:"p50"`
	P90 *float64 `json:"p90"`
	P99 *float64 `json:"p99"`
	Max *float64 `json:"max"`
}

// Verdict is the outcome for one pod termination.
type Verdict string

// Termination verdicts.
const (
	VerdictRace         Verdict = "race"         // the LB sent requests that failed after the pod stopped serving and before its detach took effect
	VerdictClean        Verdict = "clean"        // the detach took effect before the pod stopped serving, or no request failed
	VerdictInconclusive Verdict = "inconclusive" // the evidence cannot tell
)

// Termination is the timeline of one pod termination.
type Termination struct {
	Pod                  string     `json:"pod"`
	PodUID               string     `json:"pod_uid"`
	PodIP                string     `json:"pod_ip"`
	Node                 string     `json:"node"`
	Workload             string     `json:"workload"`
	NEG                  string     `json:"neg"`
	Zone                 string     `json:"zone"`
	DeletionRequestedAt  *time.Time `json:"deletion_requested_at"`
	KillingAt            *time.Time `json:"killing_at,omitempty"`
	SigtermAt            *time.Time `json:"sigterm_at"`
	ContainerExitAt      *time.Time `json:"container_exit_at,omitempty"`
	ExitCode             *int       `json:"exit_code,omitempty"`
	DetachRequestedAt    *time.Time `json:"detach_requested_at"`
	DetachCompletedAt    *time.Time `json:"detach_completed_at"`
	LastRequestAt        *time.Time `json:"last_request_at"`
	DetachLatencySeconds *float64   `json:"detach_latency_seconds"`
	ExposureSeconds      *float64   `json:"exposure_seconds,omitempty"` // how long the LB could send to a pod that no longer served
	RaceErrors           int        `json:"race_errors"`
	Verdict              Verdict    `json:"verdict"`
	Evidence             []string   `json:"evidence"`
}

// Cause is the reason given for one LB 5xx.
type Cause string

// Causes, exactly one per LB entry with status >= 500.
const (
	CauseRace             Cause = "neg_detach_race"
	CauseBackendClosed    Cause = "backend_closed_connection"
	CauseApplicationError Cause = "application_error"
	CauseNoHealthyBackend Cause = "no_healthy_backend"
	CauseOther            Cause = "other"
)

// Causes lists every cause in report order.
var Causes = []Cause{CauseRace, CauseBackendClosed, CauseApplicationError, CauseNoHealthyBackend, CauseOther}

// ErrorVerdict is the cause given to one LB 5xx entry.
type ErrorVerdict struct {
	InsertID             string    `json:"insert_id"`
	Timestamp            time.Time `json:"timestamp"`
	Status               int       `json:"status"`
	StatusDetails        string    `json:"status_details"`
	ServerIP             string    `json:"server_ip"`
	BackendService       string    `json:"backend_service"`
	Cause                Cause     `json:"cause"`
	Reason               string    `json:"reason,omitempty"` // why this cause; always set for "other"
	Pod                  *string   `json:"pod"`
	SecondsAfterDeletion *float64  `json:"seconds_after_deletion"`
	URL                  string    `json:"url,omitempty"`
	UserAgent            string    `json:"user_agent,omitempty"`
}

// Recommendation is the safe termination settings for one workload.
type Recommendation struct {
	Workload                             string      `json:"workload"`
	PrestopSleepSeconds                  int         `json:"prestop_sleep_seconds"`
	TerminationGracePeriodSeconds        int         `json:"termination_grace_period_seconds"`
	CurrentPrestopSleepSeconds           *float64    `json:"current_prestop_sleep_seconds"`
	CurrentTerminationGracePeriodSeconds *int64      `json:"current_termination_grace_period_seconds"`
	Action                               string      `json:"action"` // raise | keep | shorten | insufficient_data
	Terminations                         int         `json:"terminations"`
	DetachLatencySeconds                 Percentiles `json:"detach_latency_seconds"`
	RaceErrorsObserved                   int         `json:"race_errors_observed"`
	RaceErrorsAvoided                    int         `json:"race_errors_avoided"`
	DrainingTimeoutSeconds               *int64      `json:"draining_timeout_seconds,omitempty"`       // backend service connection draining (live mode)
	HealthCheckDetectionSeconds          *int64      `json:"health_check_detection_seconds,omitempty"` // health-check interval × unhealthy threshold (live mode)
	Rationale                            string      `json:"rationale"`
	Patch                                string      `json:"patch"`
}
