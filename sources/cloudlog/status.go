package cloudlog

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/negtrace/negtrace/analyzer"
)

// maxSkippedKeys bounds the memory of skipped entries remembered so that
// an entry read again by an overlapping pass is not counted twice.
const maxSkippedKeys = 10000

// health is the reader's status, safe for concurrent use.
type health struct {
	mu          sync.Mutex
	started     bool
	running     bool
	lastSuccess time.Time
	records     int
	skipped     map[string]struct{}
	skippedN    int
	errors      int
	listProblem string // why the last ListLogEntries pass failed; "" when it did not
	tailProblem string // why the tail stream is down; "" when it is up or not wanted
	tailUp      bool   // a tail stream is open and has settled
	tailGen     int    // the current tail stream; bumped when one starts or ends
}

func (h *health) setRunning(on bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.running = on
	h.started = h.started || on
}

// applied records a stored batch of n records read at now, and the entries
// skipped in it.
func (h *health) applied(now time.Time, n int, skipped []skippedEntry) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lastSuccess = now
	h.records += n
	if h.skipped == nil || len(h.skipped) >= maxSkippedKeys {
		h.skipped = make(map[string]struct{})
	}
	for _, s := range skipped {
		if _, seen := h.skipped[s.key]; !seen {
			h.skipped[s.key] = struct{}{}
			h.skippedN++
		}
	}
}

// listOK records a successful ListLogEntries call.
func (h *health) listOK(now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lastSuccess = now
	h.listProblem = ""
}

// listFailed records a failed ListLogEntries call or Apply of its page.
func (h *health) listFailed(msg string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.errors++
	h.listProblem = msg
}

// tailStart records the start of a tail stream and returns its
// generation, for tailSettled.
func (h *health) tailStart() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.tailGen++
	return h.tailGen
}

// tailSettled records that the tail stream of generation gen has stayed
// open or delivered; it does nothing once that stream has ended.
func (h *health) tailSettled(gen int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if gen != h.tailGen {
		return
	}
	h.tailUp = true
	h.tailProblem = ""
}

// tailDown records the end of the tail stream; msg is "" for a clean end.
func (h *health) tailDown(msg string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.tailGen++
	h.tailUp = false
	if msg != "" {
		h.errors++
		h.tailProblem = msg
	}
}

// failedApply counts a batch that could not be stored.
func (h *health) failedApply() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.errors++
}

func (h *health) tailOpen() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.tailUp
}

// status builds the SourceStatus; poll is the ListLogEntries interval.
func (h *health) status(poll time.Duration) analyzer.SourceStatus {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := analyzer.SourceStatus{
		Name:        SourceName,
		State:       analyzer.SourceOK,
		LastSuccess: h.lastSuccess,
		Records:     h.records,
		Skipped:     h.skippedN,
		Errors:      h.errors,
	}
	switch {
	case !h.started:
		st.State, st.Message = analyzer.SourceDown, "not started"
	case !h.running:
		st.State, st.Message = analyzer.SourceDown, "stopped"
	case h.listProblem != "":
		st.State, st.Message = analyzer.SourceDegraded, h.listProblem
		if h.tailProblem != "" {
			st.Message += " Tail stream: " + h.tailProblem
		}
	case h.tailProblem != "":
		st.State = analyzer.SourceDegraded
		st.Message = fmt.Sprintf("Tail stream: %s New entries still arrive with the ListLogEntries passes, every %s.", h.tailProblem, poll)
	}
	return st
}

// applyError is a failure to store a batch, as opposed to a failure to
// read from Cloud Logging.
type applyError struct{ err error }

func (e *applyError) Error() string { return "store entries: " + e.err.Error() }
func (e *applyError) Unwrap() error { return e.err }

// explain turns an error of a Cloud Logging call (or of Apply) into what is
// wrong and how to fix it, for the dashboard.
func explain(err error, project string) string {
	var ae *applyError
	if errors.As(err, &ae) {
		return fmt.Sprintf("Storing what was read failed (%v); the entries will be read again from the last checkpoint.", ae.err)
	}
	id := strings.TrimPrefix(project, "projects/")
	s, _ := status.FromError(err)
	detail := s.Message()
	grant := fmt.Sprintf("Grant the Google service account negtrace runs as roles/logging.viewer on %s "+
		"(it reads the load balancer request logs, the GKE events and the Admin Activity audit logs of NEG attach/detach; "+
		"roles/logging.privateLogViewer includes it and also reads Data Access audit logs): "+
		"gcloud projects add-iam-policy-binding %s --member=serviceAccount:SA_EMAIL --role=roles/logging.viewer "+
		"(on GKE with Workload Identity, SA_EMAIL is the Google service account bound to negtrace's Kubernetes service account).",
		project, id)
	switch s.Code() {
	case codes.PermissionDenied:
		return fmt.Sprintf("Cloud Logging denied reading the logs of %s (PermissionDenied: %s). %s", project, detail, grant)
	case codes.Unauthenticated:
		return fmt.Sprintf("Cloud Logging rejected the credentials (Unauthenticated: %s). negtrace uses Application Default Credentials: "+
			"Workload Identity on GKE, GOOGLE_APPLICATION_CREDENTIALS, or `gcloud auth application-default login`. %s", detail, grant)
	case codes.ResourceExhausted:
		return fmt.Sprintf("Cloud Logging read quota exhausted (ResourceExhausted: %s): backing off and resuming from the same page. "+
			"entries.list is limited per project and shared by every reader of %s; raise the poll interval or ask for more quota.", detail, project)
	case codes.InvalidArgument:
		return fmt.Sprintf("Cloud Logging rejected the request (InvalidArgument: %s); check --project.", detail)
	case codes.NotFound:
		return fmt.Sprintf("Cloud Logging does not know %s (NotFound: %s); check --project.", project, detail)
	case codes.Unavailable, codes.DeadlineExceeded:
		return fmt.Sprintf("Cloud Logging is unreachable (%s: %s); retrying. Check network access to logging.googleapis.com:443 or --logging-endpoint.", s.Code(), detail)
	case codes.Unimplemented:
		return fmt.Sprintf("The Cloud Logging endpoint does not implement this call (Unimplemented: %s); check --logging-endpoint.", detail)
	}
	return fmt.Sprintf("Reading Cloud Logging failed (%v); retrying.", err)
}
