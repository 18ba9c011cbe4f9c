// Package negops owns the record of a Compute Engine network endpoint group
// (NEG) attach or detach operation, as seen in Admin Activity audit log
// entries and in the GKE NEG controller's Service events.
//
// Parsing is kept apart from fetching: the functions here convert entries
// that someone else read (exported files, the Logging API).
package negops

import (
	"net/netip"
	"time"
)

// Kind is what an operation does to the endpoints it lists.
type Kind string

// Operation kinds.
const (
	Attach Kind = "attach"
	Detach Kind = "detach"
)

// Endpoint is one network endpoint of a GCE_VM_IP_PORT NEG: a pod IP and
// target port on a node.
type Endpoint struct {
	IP       netip.Addr
	Port     int    // 0 when the entry did not say
	Instance string // the node name
}

// AuditEntry is one Admin Activity audit log entry for
// networkEndpointGroups.attachNetworkEndpoints or detachNetworkEndpoints.
// A long-running operation writes two: First (request accepted, carries the
// endpoints) and Last (completed, may carry a failure status).
type AuditEntry struct {
	InsertID      string
	Time          time.Time
	OperationID   string // operation.id; empty when the entry had none
	First, Last   bool   // operation.first / operation.last; both set = completed at once
	Kind          Kind
	Method        string // protoPayload.methodName verbatim (v1./beta./alpha. prefix)
	Project       string
	Zone          string
	NEG           string
	Endpoints     []Endpoint // protoPayload.request.networkEndpoints; usually only on First
	StatusCode    int        // protoPayload.status.code; 0 = success
	StatusMessage string
}

// Operation is an attach or detach operation assembled from its audit
// entries: requested at the first entry, completed at the last.
type Operation struct {
	ID          string
	Kind        Kind
	Project     string
	Zone        string
	NEG         string
	Endpoints   []Endpoint
	RequestedAt time.Time // zero when only the completion was seen
	CompletedAt time.Time // zero while (or when only) the request was seen
	Failed      bool      // completion carried status.code != 0: the endpoints stay as they were
	Error       string    // status message of a failed operation
}

// At is when the operation was requested, else when it completed: the time
// operations are ordered and matched by.
func (op *Operation) At() time.Time {
	if !op.RequestedAt.IsZero() {
		return op.RequestedAt
	}
	return op.CompletedAt
}

// ControllerEvent is the NEG controller's Attach/Detach/AttachFailed/DetachFailed
// event on a Service, parsed from its message. It carries a count, never IPs,
// and is recorded after the operation completed.
type ControllerEvent struct {
	Kind      Kind
	Failed    bool
	Count     int
	NEG, Zone string
	Error     string // text after the ": " of a failed event
}
