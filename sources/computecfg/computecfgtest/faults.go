package computecfgtest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Fault makes requests fail the way the Compute API fails them.
type Fault struct {
	Method string // a method constant (BackendServicesGet ...); empty matches every method
	Code   int    // HTTP status: 401, 403, 404, 429, 500, 503 ...
	// Reason overrides errors[].reason; empty picks the API's usual one for
	// Code (403 forbidden, 429 rateLimitExceeded, 503 backendError ...).
	// "accessNotConfigured" answers as for a project with the Compute API
	// disabled.
	Reason string
	Times  int // requests to fail, then the fault is gone; 0 fails until Clear
}

// Inject adds a fault. Faults are tried in the order added; the first that
// matches a request answers it.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// Clear removes every fault: the API recovers.
func (s *Server) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFault finds and spends the fault for a request; s.mu is held.
func (s *Server) takeFault(method string) *Fault {
	for i, f := range s.faults {
		if f.Method != "" && f.Method != method {
			continue
		}
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return f
	}
	return nil
}

// writeFault answers a fault with the message and reason the API gives.
func writeFault(w http.ResponseWriter, f *Fault, method, resource string) {
	reason, msg := f.Reason, http.StatusText(f.Code)
	project := resource
	if rest, ok := strings.CutPrefix(resource, "projects/"); ok {
		project, _, _ = strings.Cut(rest, "/")
	}
	switch {
	case f.Reason == "accessNotConfigured":
		msg = fmt.Sprintf("Compute Engine API has not been used in project %s before or it is disabled. "+
			"Enable it by visiting https://console.developers.google.com/apis/api/compute.googleapis.com/overview?project=%s then retry.", project, project)
	case f.Code == http.StatusUnauthorized:
		reason = cmp.Or(reason, "authError")
		msg = "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential."
	case f.Code == http.StatusForbidden:
		reason = cmp.Or(reason, "forbidden")
		msg = fmt.Sprintf("Required 'compute.%s' permission for '%s'", method, resource)
	case f.Code == http.StatusNotFound:
		reason = cmp.Or(reason, "notFound")
		msg = fmt.Sprintf("The resource '%s' was not found", resource)
	case f.Code == http.StatusTooManyRequests:
		reason = cmp.Or(reason, "rateLimitExceeded")
		msg = fmt.Sprintf("Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute' of service 'compute.googleapis.com' for consumer 'project_number:%s'.", project)
	case f.Code >= 500:
		reason = cmp.Or(reason, "backendError")
		msg = "Internal error. Please try again or contact Google Support."
	}
	writeError(w, f.Code, reason, msg)
}

// apiError is the Compute API's error body.
type apiError struct {
	Error struct {
		Code    int            `json:"code"`
		Message string         `json:"message"`
		Errors  []apiErrorItem `json:"errors"`
	} `json:"error"`
}

// apiErrorItem is one entry of an error body's errors[].
type apiErrorItem struct {
	Message string `json:"message"`
	Domain  string `json:"domain"`
	Reason  string `json:"reason,omitempty"`
}

func writeError(w http.ResponseWriter, code int, reason, msg string) {
	var e apiError
	e.Error.Code, e.Error.Message = code, msg
	e.Error.Errors = []apiErrorItem{{Message: msg, Domain: "global", Reason: reason}}
	data, _ := json.Marshal(e) // plain strings and ints always marshal
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_, _ = w.Write(data)
}
