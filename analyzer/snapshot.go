package analyzer

import "time"

// Snapshot is one analysis as a service holds it: the report of the whole
// evidence so far, where it came from, and how each source is doing. It is
// immutable once published; readers may share it.
type Snapshot struct {
	Report  *Report
	Origin  string    // what was analysed, e.g. "bundled demo incident (rollout-race)" or "evidence in /data/incident"
	Demo    bool      // the bundled demo, not a real incident
	Updated time.Time // when this analysis was made
	Sources []SourceStatus
}

// Source states.
const (
	SourceOK       = "ok"
	SourceDegraded = "degraded" // reading, but with errors or stale
	SourceDown     = "down"     // not reading at all
)

// SourceStatus is the ingestion health of one evidence source (an evidence
// folder, or a live API).
type SourceStatus struct {
	Name        string    `json:"name"`  // bounded: one per configured source
	State       string    `json:"state"` // ok | degraded | down
	LastSuccess time.Time `json:"last_success"`
	Records     int       `json:"records"`           // records read in total
	Skipped     int       `json:"skipped"`           // records that could not be used
	Errors      int       `json:"errors"`            // failed reads/calls
	Message     string    `json:"message,omitempty"` // what is wrong and how to fix it
}
