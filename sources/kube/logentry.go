package kube

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
)

// ErrNotEvent is wrapped by EventFromLogEntry's error when the entry is not
// a Kubernetes event exported by GKE, so a caller sorting mixed entries can
// pass it on to another parser rather than count it as bad.
var ErrNotEvent = errors.New("not a GKE Kubernetes event log entry")

// IsEventsLog reports whether logName is that of GKE's copy of Kubernetes
// events in Cloud Logging: "projects/P/logs/events".
func IsEventsLog(logName string) bool {
	rest, ok := strings.CutPrefix(logName, "projects/")
	if !ok {
		return false
	}
	project, log, ok := strings.Cut(rest, "/logs/")
	return ok && project != "" && !strings.Contains(project, "/") && log == "events"
}

// eventLogEntry is the part of a LogEntry EventFromLogEntry reads.
type eventLogEntry struct {
	LogName     string          `json:"logName"`
	InsertID    string          `json:"insertId"`
	Timestamp   string          `json:"timestamp"`
	JSONPayload json.RawMessage `json:"jsonPayload"`
}

// EventFromLogEntry converts one Cloud Logging LogEntry of GKE's exported
// events (logName projects/P/logs/events, jsonPayload a core/v1 Event with
// kind "Event") into an Event, with InsertID set from the entry. An event
// carrying no timestamp of its own takes the entry's. The error wraps
// ErrNotEvent for any other entry (other log, textPayload, payload of
// another kind); other errors mean an event entry that cannot be read.
func EventFromLogEntry(raw []byte) (Event, error) {
	var le eventLogEntry
	if err := json.Unmarshal(raw, &le); err != nil && !isTypeError(err) {
		return Event{}, fmt.Errorf("parse event log entry: %w: %w", ErrNotEvent, err)
	}
	if !IsEventsLog(le.LogName) {
		return Event{}, fmt.Errorf("parse event log entry: log %q: %w", le.LogName, ErrNotEvent)
	}
	var tm struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if len(le.JSONPayload) == 0 || json.Unmarshal(le.JSONPayload, &tm) != nil || tm.Kind != "Event" {
		return Event{}, fmt.Errorf("parse event log entry %q: payload is not an Event: %w", le.InsertID, ErrNotEvent)
	}
	var ev Event
	switch tm.APIVersion {
	case "", "v1":
		var e corev1.Event
		if err := json.Unmarshal(le.JSONPayload, &e); err != nil {
			return Event{}, fmt.Errorf("parse event log entry %q: %w", le.InsertID, err)
		}
		ev = EventFrom(&e)
	case "events.k8s.io/v1":
		var e eventsv1.Event
		if err := json.Unmarshal(le.JSONPayload, &e); err != nil {
			return Event{}, fmt.Errorf("parse event log entry %q: %w", le.InsertID, err)
		}
		ev = EventFromEventsV1(&e)
	default:
		return Event{}, fmt.Errorf("parse event log entry %q: payload is a %s Event: %w", le.InsertID, tm.APIVersion, ErrNotEvent)
	}
	ev.InsertID = le.InsertID
	if ev.Time.IsZero() {
		if t, err := time.Parse(time.RFC3339Nano, le.Timestamp); err == nil {
			ev.Time = t.UTC()
			ev.FirstTime = ev.Time
		}
	}
	return ev, nil
}
