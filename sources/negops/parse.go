package negops

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// ErrNotNEG is wrapped by ParseAuditEntry's error when the entry is valid
// JSON but not a NEG attach or detach audit entry, so a caller sorting mixed
// entries can pass it on to another parser rather than count it as bad.
var ErrNotNEG = errors.New("not a NEG attach/detach audit entry")

// Method name suffixes of the two Compute API calls, matched after the
// version prefix (v1., beta., alpha.). The leading dot keeps
// globalNetworkEndpointGroups and regionNetworkEndpointGroups out.
const (
	attachSuffix = ".networkEndpointGroups.attachNetworkEndpoints"
	detachSuffix = ".networkEndpointGroups.detachNetworkEndpoints"
)

// MethodKind reports which operation an audit log methodName stands for,
// such as "v1.compute.networkEndpointGroups.detachNetworkEndpoints" or its
// beta./alpha. forms. ok is false for any other method.
func MethodKind(method string) (k Kind, ok bool) {
	switch {
	case strings.HasSuffix(method, detachSuffix):
		return Detach, true
	case strings.HasSuffix(method, attachSuffix):
		return Attach, true
	}
	return "", false
}

// auditLogEntry is the part of a Cloud Logging LogEntry carrying an
// AuditLog that ParseAuditEntry reads.
type auditLogEntry struct {
	InsertID  string `json:"insertId"`
	Timestamp string `json:"timestamp"`
	Resource  struct {
		Labels map[string]string `json:"labels"`
	} `json:"resource"`
	Operation struct {
		ID    string `json:"id"`
		First bool   `json:"first"`
		Last  bool   `json:"last"`
	} `json:"operation"`
	ProtoPayload struct {
		MethodName   string `json:"methodName"`
		ResourceName string `json:"resourceName"`
		Request      struct {
			NetworkEndpoints []rawEndpoint `json:"networkEndpoints"`
		} `json:"request"`
		Status struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"status"`
	} `json:"protoPayload"`
}

// rawEndpoint is one protoPayload.request.networkEndpoints item. Port is
// kept raw because it arrives as a number or as a string.
type rawEndpoint struct {
	IPAddress   string          `json:"ipAddress"`
	IPv6Address string          `json:"ipv6Address"`
	Port        json.RawMessage `json:"port"`
	Instance    string          `json:"instance"`
}

// ParseAuditEntry converts one Cloud Logging LogEntry JSON object (an
// element of `gcloud logging read --format=json` output or one line of a
// sink's NDJSON) into an AuditEntry.
//
// The error wraps ErrNotNEG when raw is a JSON object whose methodName is
// not a NEG attach or detach. Other errors mean a NEG entry (or the JSON
// itself) that cannot be read: invalid JSON, a field of the wrong type, or
// a missing or invalid timestamp. Endpoints without a valid IP address are
// skipped; an unreadable port is read as 0.
func ParseAuditEntry(raw []byte) (AuditEntry, error) {
	var head struct {
		ProtoPayload struct {
			MethodName string `json:"methodName"`
		} `json:"protoPayload"`
	}
	if err := json.Unmarshal(raw, &head); err != nil && !isTypeError(err) {
		return AuditEntry{}, fmt.Errorf("parse audit entry: %w", err)
	}
	kind, ok := MethodKind(head.ProtoPayload.MethodName)
	if !ok {
		return AuditEntry{}, fmt.Errorf("parse audit entry: method %q: %w", head.ProtoPayload.MethodName, ErrNotNEG)
	}

	var le auditLogEntry
	if err := json.Unmarshal(raw, &le); err != nil {
		return AuditEntry{}, fmt.Errorf("parse audit entry %q: %w", le.InsertID, err)
	}
	if le.Timestamp == "" {
		return AuditEntry{}, fmt.Errorf("parse audit entry %q: missing timestamp", le.InsertID)
	}
	t, err := time.Parse(time.RFC3339Nano, le.Timestamp)
	if err != nil {
		return AuditEntry{}, fmt.Errorf("parse audit entry %q: timestamp: %w", le.InsertID, err)
	}
	pp := &le.ProtoPayload
	e := AuditEntry{
		InsertID:      le.InsertID,
		Time:          t.UTC(),
		OperationID:   le.Operation.ID,
		First:         le.Operation.First,
		Last:          le.Operation.Last,
		Kind:          kind,
		Method:        pp.MethodName,
		StatusCode:    pp.Status.Code,
		StatusMessage: pp.Status.Message,
	}
	e.Project, e.Zone, e.NEG = splitResourceName(pp.ResourceName)
	if e.Project == "" {
		e.Project = le.Resource.Labels["project_id"]
	}
	for _, re := range pp.Request.NetworkEndpoints {
		if ep, ok := re.endpoint(); ok {
			e.Endpoints = append(e.Endpoints, ep)
		}
	}
	return e, nil
}

// isTypeError reports whether err only says that some JSON value had an
// unexpected type; encoding/json still fills the other fields then.
func isTypeError(err error) bool {
	var te *json.UnmarshalTypeError
	return errors.As(err, &te)
}

// splitResourceName reads project, zone and NEG name from
// "projects/P/zones/Z/networkEndpointGroups/NEG". A full URL
// (https://www.googleapis.com/compute/v1/projects/...) is accepted too.
// Missing parts come back empty.
func splitResourceName(name string) (project, zone, neg string) {
	parts := strings.Split(name, "/")
	for i := 0; i+1 < len(parts); i++ {
		switch parts[i] {
		case "projects":
			project = parts[i+1]
		case "zones":
			zone = parts[i+1]
		case "networkEndpointGroups":
			neg = parts[i+1]
		default:
			continue
		}
		i++
	}
	return project, zone, neg
}

// endpoint converts the raw endpoint; ok is false without a valid IP.
func (re rawEndpoint) endpoint() (Endpoint, bool) {
	s := re.IPAddress
	if s == "" {
		s = re.IPv6Address
	}
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return Endpoint{}, false
	}
	return Endpoint{IP: ip.Unmap(), Port: parsePort(re.Port), Instance: re.Instance}, true
}

// parsePort reads a port given as a JSON number or string; 0 when absent
// or not a valid port.
func parsePort(raw json.RawMessage) int {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0
		}
		raw = []byte(strings.TrimSpace(s))
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || f != math.Trunc(f) || f < 0 || f > 65535 {
		return 0
	}
	return int(f)
}
