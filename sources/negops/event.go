package negops

import (
	"strconv"
	"strings"
)

// Reasons of the NEG controller's attach/detach events on a Service.
const (
	reasonAttach       = "Attach"
	reasonDetach       = "Detach"
	reasonAttachFailed = "AttachFailed"
	reasonDetachFailed = "DetachFailed"
)

// combinedPrefix is what the client-go event correlator puts in front of a
// message that stands for several similar events.
const combinedPrefix = "(combined from similar events): "

// ParseControllerEvent parses the message of a GKE NEG controller event
// with reason Attach, Detach, AttachFailed or DetachFailed, as written by
// ingress-gce:
//
//	Attach 3 network endpoint(s) (NEG "k8s1-..." in zone "us-central1-a")
//	Failed to Detach 2 network endpoint(s) (NEG "k8s1-..." in zone "us-central1-a"): googleapi: Error 503: ...
//
// A "(combined from similar events): " prefix is accepted. ok is false for
// any other reason, or a message that does not match the reason.
func ParseControllerEvent(reason, message string) (ev ControllerEvent, ok bool) {
	var verb string
	switch reason {
	case reasonAttach, reasonAttachFailed:
		ev.Kind, verb = Attach, reasonAttach
	case reasonDetach, reasonDetachFailed:
		ev.Kind, verb = Detach, reasonDetach
	default:
		return ControllerEvent{}, false
	}
	ev.Failed = strings.HasSuffix(reason, "Failed")

	s := strings.TrimPrefix(message, combinedPrefix)
	if ev.Failed {
		if s, ok = strings.CutPrefix(s, "Failed to "); !ok {
			return ControllerEvent{}, false
		}
	}
	if s, ok = strings.CutPrefix(s, verb+" "); !ok {
		return ControllerEvent{}, false
	}
	num, s, ok := strings.Cut(s, " network endpoint(s) (NEG ")
	if !ok {
		return ControllerEvent{}, false
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 {
		return ControllerEvent{}, false
	}
	ev.Count = n
	if ev.NEG, s, ok = cutQuoted(s); !ok {
		return ControllerEvent{}, false
	}
	if s, ok = strings.CutPrefix(s, " in zone "); !ok {
		return ControllerEvent{}, false
	}
	if ev.Zone, s, ok = cutQuoted(s); !ok {
		return ControllerEvent{}, false
	}
	if s, ok = strings.CutPrefix(s, ")"); !ok {
		return ControllerEvent{}, false
	}
	if ev.Failed {
		ev.Error = strings.TrimPrefix(s, ": ")
	} else if s != "" {
		return ControllerEvent{}, false
	}
	return ev, true
}

// cutQuoted reads the Go-quoted string (as printed by %q) at the start of s
// and returns its value and the rest of s.
func cutQuoted(s string) (value, rest string, ok bool) {
	q, err := strconv.QuotedPrefix(s)
	if err != nil {
		return "", s, false
	}
	v, err := strconv.Unquote(q)
	if err != nil {
		return "", s, false
	}
	return v, s[len(q):], true
}
