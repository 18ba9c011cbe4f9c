// Package lblog owns the HTTP(S) load balancer request log record: the typed
// view of one Cloud Logging entry written by an external or internal
// Application Load Balancer, and the pure conversion from its JSON form.
//
// Parsing is kept apart from fetching: this package never reads files or
// calls Cloud Logging. sources/export feeds it exported entries and the live
// reader (later) feeds it entries from the Logging API.
package lblog

import (
	"net/netip"
	"time"
)

// StatusDetail is the load balancer's jsonPayload.statusDetails: why it
// returned the status it did.
type StatusDetail string

// The statusDetails values the analyzer branches on. Others are kept verbatim.
const (
	FailedToConnect             StatusDetail = "failed_to_connect_to_backend"
	ClosedBeforeData            StatusDetail = "backend_connection_closed_before_data_sent_to_client"
	ClosedAfterPartialResponse  StatusDetail = "backend_connection_closed_after_partial_response_sent"
	BackendTimeout              StatusDetail = "backend_timeout"
	ResponseSentByBackend       StatusDetail = "response_sent_by_backend"
	FailedToPickBackend         StatusDetail = "failed_to_pick_backend"
	ClientDisconnectedBeforeAny StatusDetail = "client_disconnected_before_any_response"
)

// BackendFailure reports whether d says the LB failed to get a complete
// response from the endpoint it picked (as opposed to the backend answering,
// the client going away or the LB itself refusing).
func (d StatusDetail) BackendFailure() bool {
	switch d {
	case FailedToConnect, ClosedBeforeData, ClosedAfterPartialResponse, BackendTimeout:
		return true
	}
	return false
}

// Resource types of request logs written by Application Load Balancers.
const (
	ResourceGlobal           = "http_load_balancer"
	ResourceRegionalExternal = "http_external_regional_lb_rule"
	ResourceInternal         = "internal_http_lb_rule"
)

// IsLBResource reports whether a LogEntry resource.type is one of the
// Application Load Balancer request-log types.
func IsLBResource(resourceType string) bool {
	switch resourceType {
	case ResourceGlobal, ResourceRegionalExternal, ResourceInternal:
		return true
	}
	return false
}

// Request is one load balancer request log entry.
type Request struct {
	InsertID       string        // LogEntry insertId; with Time, the dedup key
	Time           time.Time     // LogEntry timestamp: when the GFE received the request (UTC)
	Status         int           // httpRequest.status returned to the client; 0 = no response
	StatusDetails  StatusDetail  // jsonPayload.statusDetails (or errorBackendStatusDetails with custom error pages)
	ServerIP       netip.Addr    // httpRequest.serverIp without the port; invalid when absent
	ServerPort     uint16        // port from serverIp "IP:port", 0 when absent
	BackendService string        // resource.labels.backend_service_name (or backend_name on regional LBs)
	ResourceType   string        // resource.type
	Latency        time.Duration // httpRequest.latency
	Method         string        // httpRequest.requestMethod
	URL            string        // httpRequest.requestUrl, verbatim (hostile input: escape on output)
	UserAgent      string        // httpRequest.userAgent, verbatim (hostile input: escape on output)
	RemoteIP       string        // httpRequest.remoteIp, verbatim
}

// IsError reports whether the request ended in a server error (status >= 500).
func (r *Request) IsError() bool { return r.Status >= 500 }
