package display

import (
	"testing"
	"time"

	"github.com/negtrace/negtrace/analyzer"
)

func TestSpan(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{30 * time.Minute, "30m"},
		{90*time.Minute + 5*time.Second, "1h30m5s"},
		{0, "0s"},
		{49 * time.Hour, "2d1h"},
		{-45 * time.Second, "45s"},
		{14*time.Minute + 59*time.Second + 999*time.Millisecond, "15m"},
	} {
		if got := span(tc.d); got != tc.want {
			t.Errorf("span(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestWindow(t *testing.T) {
	start := time.Date(2025, 3, 4, 18, 10, 0, 0, time.UTC)
	cet := time.FixedZone("CET", 3600)
	for _, tc := range []struct {
		name      string
		w         analyzer.Window
		want      string
		spansDays bool
	}{
		{"unknown", analyzer.Window{}, "unknown window", false},
		{"no start", analyzer.Window{End: start}, "until 2025-03-04 18:10:00 UTC", false},
		{"no end", analyzer.Window{Start: start}, "from 2025-03-04 18:10:00 UTC", false},
		{"same day", analyzer.Window{Start: start, End: start.Add(14*time.Minute + 59*time.Second + 999*time.Millisecond)},
			"2025-03-04 18:10:00 → 18:24:59 UTC (15m)", false},
		{"other zone", analyzer.Window{Start: start.In(cet), End: start.Add(time.Hour).In(cet)},
			"2025-03-04 18:10:00 → 19:10:00 UTC (1h)", false},
		{"two days", analyzer.Window{Start: start, End: start.Add(30 * time.Hour)},
			"2025-03-04 18:10:00 → 2025-03-06 00:10:00 UTC (1d6h)", true},
		{"a year apart, same day of year", analyzer.Window{Start: start, End: start.AddDate(1, 0, 0)},
			"2025-03-04 18:10:00 → 2026-03-04 18:10:00 UTC (365d)", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Window(tc.w); got != tc.want {
				t.Errorf("Window = %q, want %q", got, tc.want)
			}
			if got := SpansDays(tc.w); got != tc.spansDays {
				t.Errorf("SpansDays = %v, want %v", got, tc.spansDays)
			}
		})
	}
}
