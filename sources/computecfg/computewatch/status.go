package computewatch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"cloud.google.com/go/auth"
	"github.com/googleapis/gax-go/v2/apierror"
	"google.golang.org/api/googleapi"

	"github.com/negtrace/negtrace/analyzer"
)

// health is what Status reports; guarded by Fetcher.mu.
type health struct {
	lastSuccess time.Time
	records     int    // backends applied
	errors      int    // failed calls and Applies
	problem     string // what failed last and how to fix it; "" once a read succeeds
	note        string // what a successful read found amiss (missing names, nothing found)
	degraded    bool   // the note makes the source degraded, not ok
}

// Status is the source's health: ok after a read that succeeded; degraded
// while reads fail after one succeeded or stored part of what it read, or
// when a named backend service is not found; down while nothing was read. Message says what is wrong and
// how to fix it. Safe for concurrent use.
func (f *Fetcher) Status() analyzer.SourceStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := f.health
	st := analyzer.SourceStatus{
		Name:        SourceName,
		State:       analyzer.SourceOK,
		LastSuccess: h.lastSuccess,
		Records:     h.records,
		Errors:      h.errors,
		Message:     h.note,
	}
	switch {
	case h.problem != "" && h.lastSuccess.IsZero() && h.records == 0:
		st.State, st.Message = analyzer.SourceDown, h.problem
	case h.problem != "":
		st.State, st.Message = analyzer.SourceDegraded, h.problem
	case h.lastSuccess.IsZero():
		st.State, st.Message = analyzer.SourceDown, "waiting for the first read of the Compute API"
	case h.degraded:
		st.State = analyzer.SourceDegraded
	}
	return st
}

// clientFailed records that the clients could not be created.
func (f *Fetcher) clientFailed(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.health.errors++
	f.health.problem = classifyClientError(err)
}

// applyFailed records a read whose batch could not be stored.
func (f *Fetcher) applyFailed(r *readResult, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.health.errors += len(r.failures) + 1
	f.health.problem = fmt.Sprintf("could not store the backend services read (%v); retrying with backoff", err)
}

// readDone records a read whose batch, if any, was stored.
func (f *Fetcher) readDone(r *readResult) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := &f.health
	h.records += len(r.backends)
	h.errors += len(r.failures)
	if len(r.failures) > 0 {
		h.problem = classify(r.failures[0], f.opts.Project)
		if n := len(r.failures); n > 1 {
			h.problem += fmt.Sprintf(" (%d calls failed in the last read)", n)
		}
		return
	}
	h.problem, h.note, h.degraded = "", "", false
	h.lastSuccess = f.opts.Now()
	switch {
	case len(r.missing) > 0:
		h.degraded = true
		h.note = fmt.Sprintf("backend service(s) %s not found in project %s (%s): check the names and --project",
			strings.Join(sortedCopy(r.missing), ", "), f.opts.Project, f.scopes())
	case len(r.backends) == 0:
		h.note = fmt.Sprintf("no backend service with a zonal NEG backend in project %s (%s): "+
			"check --project, and that the Services use container-native load balancing (cloud.google.com/neg annotation)",
			f.opts.Project, f.scopes())
	}
}

// scopes says where backend services are read, for messages.
func (f *Fetcher) scopes() string {
	if len(f.opts.Regions) == 0 {
		return "global"
	}
	return "global and regions " + strings.Join(f.opts.Regions, ", ")
}

// Reasons the Compute API gives in errors[].reason (or an ErrorInfo).
const (
	reasonAPIDisabled     = "accessNotConfigured"
	reasonServiceDisabled = "SERVICE_DISABLED"
	reasonRateLimit       = "rateLimitExceeded"
	reasonUserRateLimit   = "userRateLimitExceeded"
	reasonQuota           = "quotaExceeded"
)

// classify turns a failed call into what is wrong and how to fix it. It
// branches on the HTTP code and the API's reasons, never on error text.
func classify(err error, project string) string {
	var gerr *googleapi.Error
	if errors.As(err, &gerr) {
		reasons := make(map[string]bool)
		for _, e := range gerr.Errors {
			reasons[e.Reason] = true
		}
		var aerr *apierror.APIError
		if errors.As(err, &aerr) && aerr.Reason() != "" {
			reasons[aerr.Reason()] = true
		}
		msg := short(gerr.Message)
		switch {
		case reasons[reasonAPIDisabled] || reasons[reasonServiceDisabled]:
			return fmt.Sprintf("the Compute Engine API is disabled in project %s (%s): enable it with "+
				"gcloud services enable compute.googleapis.com --project=%s", project, msg, project)
		case gerr.Code == http.StatusTooManyRequests || reasons[reasonRateLimit] || reasons[reasonUserRateLimit] || reasons[reasonQuota]:
			return fmt.Sprintf("Compute API read quota exhausted (%s): retrying with backoff; "+
				"watch fewer backend services (--backend-services) or raise the project's read quota", msg)
		case gerr.Code == http.StatusUnauthorized:
			return fmt.Sprintf("the Compute API refused negtrace's credentials (%s): check Application Default Credentials "+
				"(gcloud auth application-default login, GOOGLE_APPLICATION_CREDENTIALS, or Workload Identity on GKE)", msg)
		case gerr.Code == http.StatusForbidden:
			return permissionMessage(msg, project)
		case gerr.Code == http.StatusNotFound:
			return fmt.Sprintf("the Compute API answered not found (%s): check that --project=%s is the load balancer's project "+
				"and that the regions exist", msg, project)
		case gerr.Code >= 500:
			return fmt.Sprintf("the Compute API is unavailable (HTTP %d: %s): retrying with backoff", gerr.Code, msg)
		}
		return fmt.Sprintf("the Compute API refused a read (HTTP %d: %s): retrying with backoff", gerr.Code, msg)
	}
	var aerr *auth.Error
	if errors.As(err, &aerr) {
		return fmt.Sprintf("could not get a token for the Compute API (%s): check Application Default Credentials "+
			"(gcloud auth application-default login, GOOGLE_APPLICATION_CREDENTIALS, or Workload Identity on GKE)", short(err.Error()))
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer from the Compute API within the read timeout (it kept failing with 503/504 or did not answer): retrying with backoff"
	}
	return fmt.Sprintf("reading the Compute API failed (%s): retrying with backoff", short(err.Error()))
}

// permissionMessage says which role to grant and how.
func permissionMessage(msg, project string) string {
	return fmt.Sprintf("permission denied by the Compute API (%s): grant %s on project %s to the account negtrace runs as: "+
		"gcloud projects add-iam-policy-binding %s --member=serviceAccount:SA_EMAIL --role=%s", msg, Role, project, project, Role)
}

// classifyClientError says why the clients could not be created.
func classifyClientError(err error) string {
	return fmt.Sprintf("no Google credentials for the Compute API (%s): set up Application Default Credentials "+
		"(gcloud auth application-default login, GOOGLE_APPLICATION_CREDENTIALS, or Workload Identity on GKE)", short(err.Error()))
}

// short bounds an outside message kept in a status.
func short(s string) string {
	const limit = 300
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
