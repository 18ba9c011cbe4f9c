package kube

import (
	"cmp"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
)

// EventFrom converts a core/v1 Event into an Event record. Time is
// eventTime if set, else series.tsTime, lastTimestamp,
// firstTimestamp. FirstTime is firstTimestamp, else eventTime, else Time.
// Count is count, else series.count, else 1.
func EventFrom(e *corev1.Event) Event {
	if e == nil {
		return Event{}
	}
	out := Event{
		Namespace:  e.Namespace,
		Name:       e.Name,
		Kind:       e.InvolvedObject.Kind,
		ObjectName: e.InvolvedObject.Name,
		ObjectUID:  string(e.InvolvedObject.UID),
		FieldPath:  e.InvolvedObject.FieldPath,
		Reason:     e.Reason,
		Message:    e.Message,
		Type:       e.Type,
		Component:  cmp.Or(e.Source.Component, e.ReportingController),
		Host:       cmp.Or(e.Source.Host, e.ReportingInstance),
		Count:      int(e.Count),
	}
	var ts eventTimes
	if e.Series != nil {
		ts.series = utcMicro(e.Series.LastObservedTime)
		out.Count = firstPositive(out.Count, int(e.Series.Count))
	}
	ts.event = utcMicro(e.EventTime)
	ts.last = utc(e.LastTimestamp)
	ts.first = utc(e.FirstTimestamp)
	out.Time, out.FirstTime = ts.times()
	out.Count = firstPositive(out.Count, 1)
	return out
}

// EventFromEventsV1 converts an events.k8s.io/v1 Event into an Event
// record, with the same rules as EventFrom applied to its field names
// (regarding, note, deprecatedSource, deprecated*Timestamp,
// deprecatedCount, reportingController).
func EventFromEventsV1(e *eventsv1.Event) Event {
	if e == nil {
		return Event{}
	}
	out := Event{
		Namespace:  e.Namespace,
		Name:       e.Name,
		Kind:       e.Regarding.Kind,
		ObjectName: e.Regarding.Name,
		ObjectUID:  string(e.Regarding.UID),
		FieldPath:  e.Regarding.FieldPath,
		Reason:     e.Reason,
		Message:    e.Note,
		Type:       e.Type,
		Component:  cmp.Or(e.DeprecatedSource.Component, e.ReportingController),
		Host:       cmp.Or(e.DeprecatedSource.Host, e.ReportingInstance),
		Count:      int(e.DeprecatedCount),
	}
	var ts eventTimes
	if e.Series != nil {
		ts.series = utcMicro(e.Series.LastObservedTime)
		out.Count = firstPositive(out.Count, int(e.Series.Count))
	}
	ts.event = utcMicro(e.EventTime)
	ts.last = utc(e.DeprecatedLastTimestamp)
	ts.first = utc(e.DeprecatedFirstTimestamp)
	out.Time, out.FirstTime = ts.times()
	out.Count = firstPositive(out.Count, 1)
	return out
}

// eventTimes are the timestamps an event may carry.
type eventTimes struct {
	event, series, last, first time.Time
}

// times applies the timestamp rule: the event's time and its first occurrence.
func (ts eventTimes) times() (t, first time.Time) {
	t = firstNonZero(ts.event, ts.series, ts.last, ts.first)
	first = firstNonZero(ts.first, ts.event, t)
	return t, first
}

// firstPositive returns the first positive number, or 0.
func firstPositive(ns ...int) int {
	for _, n := range ns {
		if n > 0 {
			return n
		}
	}
	return 0
}
