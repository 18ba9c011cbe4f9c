package sim

import (
	"fmt"
	"time"
)

// protoTime formats t as proto3 JSON prints a Timestamp: RFC 3339 in UTC
// with 0, 3, 6 or 9 fractional digits, as few as represent it exactly.
func protoTime(t time.Time) string {
	t = t.UTC()
	base := t.Format("2006-01-02T15:04:05")
	return base + protoFraction(t.Nanosecond()) + "Z"
}

// protoFraction returns ".ddd", ".dddddd", ".ddddddddd" or "".
func protoFraction(ns int) string {
	switch {
	case ns == 0:
		return ""
	case ns%1_000_000 == 0:
		return fmt.Sprintf(".%03d", ns/1_000_000)
	case ns%1_000 == 0:
		return fmt.Sprintf(".%06d", ns/1_000)
	}
	return fmt.Sprintf(".%09d", ns)
}

// protoDuration formats d as proto3 JSON prints a Duration ("0.004113s").
func protoDuration(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	return sign + fmt.Sprintf("%d", int64(d/time.Second)) + protoFraction(int(d%time.Second)) + "s"
}

// kubeTime formats t as Kubernetes metav1.Time: RFC 3339 UTC, whole seconds.
func kubeTime(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

// computeTime formats t as the Compute API does: milliseconds with the
// zone's local offset (Pacific time; the fixed offset keeps runs
// independent of the host's time zone database).
func computeTime(t time.Time) string {
	off := -8 * 3600
	if pacificDST(t) {
		off = -7 * 3600
	}
	return t.In(time.FixedZone("", off)).Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000-07:00")
}

// pacificDST reports whether US daylight saving time is in effect at t:
// from the second Sunday of March 10:00 UTC to the first Sunday of
// November 09:00 UTC.
func pacificDST(t time.Time) bool {
	t = t.UTC()
	y := t.Year()
	start := nthSunday(y, time.March, 2).Add(10 * time.Hour)
	end := nthSunday(y, time.November, 1).Add(9 * time.Hour)
	return !t.Before(start) && t.Before(end)
}

func nthSunday(y int, m time.Month, n int) time.Time {
	d := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	for d.Weekday() != time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return d.AddDate(0, 0, 7*(n-1))
}
