package lblog

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"time"
)

// ErrNotLB is wrapped by Parse when the entry is not an Application Load
// Balancer request log entry (its resource.type is not one of the LB types).
var ErrNotLB = errors.New("not a load balancer request entry")

// entry is the part of a Cloud Logging LogEntry that Parse reads.
type entry struct {
	InsertID  string  `json:"insertId"`
	Timestamp *string `json:"timestamp"`
	Resource  struct {
		Type   string `json:"type"`
		Labels struct {
			BackendServiceName string `json:"backend_service_name"`
			BackendName        string `json:"backend_name"` // regional and internal ALBs
		} `json:"labels"`
	} `json:"resource"`
	HTTPRequest struct {
		RequestMethod string          `json:"requestMethod"`
		RequestURL    string          `json:"requestUrl"`
		Status        json.RawMessage `json:"status"` // a number; tolerate a numeric string
		UserAgent     string          `json:"userAgent"`
		RemoteIP      string          `json:"remoteIp"`
		ServerIP      string          `json:"serverIp"`
		Latency       string          `json:"latency"`
	} `json:"httpRequest"`
	JSONPayload struct {
		StatusDetails             string `json:"statusDetails"`
		ErrorBackendStatusDetails string `json:"errorBackendStatusDetails"` // custom error responses
	} `json:"jsonPayload"`
}

// Parse converts one Cloud Logging LogEntry (its JSON form, as exported by
// gcloud or a log sink) written by an Application Load Balancer into a
// Request. It fails, wrapping ErrNotLB, when resource.type is not one of the
// LB types (see IsLBResource), and when the entry has no valid RFC 3339
// timestamp or a malformed httpRequest.status.
//
// An absent httpRequest gives Status 0; an absent, empty or unreadable
// serverIp gives an invalid ServerIP; an absent or unreadable latency gives
// Latency 0. Times are in UTC.
func Parse(raw []byte) (Request, error) {
	var e entry
	if err := json.Unmarshal(raw, &e); err != nil {
		return Request{}, fmt.Errorf("parse lb entry: %w", err)
	}
	if !IsLBResource(e.Resource.Type) {
		return Request{}, fmt.Errorf("parse lb entry: resource.type %q: %w", e.Resource.Type, ErrNotLB)
	}
	if e.Timestamp == nil {
		return Request{}, errors.New("parse lb entry: no timestamp")
	}
	t, err := parseTime([]byte(*e.Timestamp))
	if err != nil {
		return Request{}, fmt.Errorf("parse lb entry: timestamp: %w", err)
	}
	status, err := parseStatus(e.HTTPRequest.Status)
	if err != nil {
		return Request{}, fmt.Errorf("parse lb entry: httpRequest.status: %w", err)
	}
	r := Request{
		InsertID:       e.InsertID,
		Time:           t,
		Status:         status,
		StatusDetails:  StatusDetail(e.JSONPayload.StatusDetails),
		BackendService: e.Resource.Labels.BackendServiceName,
		ResourceType:   e.Resource.Type,
		Latency:        parseLatency(e.HTTPRequest.Latency),
		Method:         e.HTTPRequest.RequestMethod,
		URL:            e.HTTPRequest.RequestURL,
		UserAgent:      e.HTTPRequest.UserAgent,
		RemoteIP:       e.HTTPRequest.RemoteIP,
	}
	r.ServerIP, r.ServerPort = serverAddr(e.HTTPRequest.ServerIP)
	// With custom error responses the original backend failure is here,
	// and statusDetails describes the error page.
	if d := e.JSONPayload.ErrorBackendStatusDetails; d != "" {
		r.StatusDetails = StatusDetail(d)
	}
	if r.BackendService == "" {
		r.BackendService = e.Resource.Labels.BackendName
	}
	return r, nil
}

// parseTime parses an RFC 3339 timestamp and normalises it to UTC. Parse
// and Peek share it so that they always agree.
func parseTime(b []byte) (time.Time, error) {
	var t time.Time
	if err := t.UnmarshalText(b); err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// maxStatus is the largest HTTP status code accepted.
const maxStatus = 999

// parseStatus reads httpRequest.status: an integer JSON number, or a JSON
// string holding one. Absent or null is 0 (no response).
func parseStatus(raw json.RawMessage) (int, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	s := string(raw)
	if raw[0] == '"' {
		var err error
		if s, err = strconv.Unquote(s); err != nil {
			return 0, fmt.Errorf("%.20q: %w", raw, err)
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > maxStatus {
		return 0, fmt.Errorf("not an HTTP status: %.20q", raw)
	}
	return n, nil
}

// parseLatency reads a JSON-encoded protobuf Duration such as "0.004113s".
// It returns 0 when the text is empty, unreadable or negative.
func parseLatency(s string) time.Duration {
	if s == "" {
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0
	}
	return d
}

// serverAddr splits httpRequest.serverIp: a bare IPv4 or IPv6 address,
// "IPv4:port" or "[IPv6]:port". It returns an invalid address when s is
// empty or unreadable. IPv4-mapped IPv6 addresses are unmapped so that they
// match pod IPs. Parse and Peek share it so that they always agree.
func serverAddr[T string | []byte](s T) (netip.Addr, uint16) {
	if len(s) == 0 {
		return netip.Addr{}, 0
	}
	if a, port, ok := fastIPv4Port(s); ok {
		return a, port
	}
	str := string(s)
	if a, err := netip.ParseAddr(str); err == nil {
		return a.Unmap(), 0
	}
	if ap, err := netip.ParseAddrPort(str); err == nil {
		return ap.Addr().Unmap(), ap.Port()
	}
	return netip.Addr{}, 0
}

// fastIPv4Port parses the common "a.b.c.d" and "a.b.c.d:port" forms without
// allocating. ok is false for anything else, including forms netip accepts
// that are rare here: the caller then falls back to netip.
func fastIPv4Port[T string | []byte](s T) (a netip.Addr, port uint16, ok bool) {
	var ip [4]byte
	i := 0
	for k := range 4 {
		if k > 0 {
			if i >= len(s) || s[i] != '.' {
				return netip.Addr{}, 0, false
			}
			i++
		}
		start, v := i, 0
		for i < len(s) && i-start < 3 && s[i] >= '0' && s[i] <= '9' {
			v = v*10 + int(s[i]-'0')
			i++
		}
		n := i - start
		if n == 0 || v > 255 || (n > 1 && s[start] == '0') {
			return netip.Addr{}, 0, false
		}
		ip[k] = byte(v)
	}
	if i == len(s) {
		return netip.AddrFrom4(ip), 0, true
	}
	if s[i] != ':' {
		return netip.Addr{}, 0, false
	}
	i++
	start, v := i, 0
	for i < len(s) && i-start < 5 && s[i] >= '0' && s[i] <= '9' {
		v = v*10 + int(s[i]-'0')
		i++
	}
	if i != len(s) || i == start || v > 65535 || (i-start > 1 && s[start] == '0') {
		return netip.Addr{}, 0, false
	}
	return netip.AddrFrom4(ip), uint16(v), true
}
