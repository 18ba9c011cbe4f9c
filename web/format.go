package web

import (
	"fmt"
	"time"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/analyzer/render/display"
)

// settingOf formats a configured number of seconds of any of the types
// the report uses; "unknown" for a nil pointer.
func settingOf(v any) string {
	switch x := v.(type) {
	case int:
		return display.Setting(float64(x))
	case int64:
		return display.Setting(float64(x))
	case float64:
		return display.Setting(x)
	case *int64:
		if x != nil {
			return display.Setting(float64(*x))
		}
	case *float64:
		if x != nil {
			return display.Setting(*x)
		}
	default:
		return fmt.Sprint(v)
	}
	return "unknown"
}

// clock formats a time in UTC for tables: "2025-03-04 18:13:38".
func clock(t time.Time) string {
	if t.IsZero() {
		return display.Dash
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

// clockMillis formats a time in UTC with milliseconds.
func clockMillis(t time.Time) string {
	if t.IsZero() {
		return display.Dash
	}
	return t.UTC().Format("2006-01-02 15:04:05.000")
}

// inputTime formats a time as an HTML datetime-local value (UTC); "" for zero.
func inputTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05")
}

// offset formats at relative to ref: "+12.7s"; dash when either is unknown.
func offset(at, ref *time.Time) string {
	if at == nil || ref == nil {
		return display.Dash
	}
	return fmt.Sprintf("%+.1fs", at.Sub(*ref).Seconds())
}

// stateClass maps a source state to its CSS class.
func stateClass(s string) string {
	switch s {
	case analyzer.SourceOK:
		return "s-ok"
	case analyzer.SourceDegraded:
		return "s-degraded"
	}
	return "s-down"
}
