package kube

import (
	"net/netip"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// utc converts an API time to a UTC time.Time; the zero time stays zero.
// (metav1 decodes times in the local zone.)
func utc(t metav1.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// utcPtr is utc for an optional time.
func utcPtr(t *metav1.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return utc(*t)
}

// utcMicro is utc for a MicroTime.
func utcMicro(t metav1.MicroTime) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// parseIP reads an IP address, unmapping IPv4-in-IPv6; the result is
// invalid when s is empty or not an address.
func parseIP(s string) netip.Addr {
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}
	}
	return ip.Unmap()
}

// firstNonZero returns the first time that is not zero.
func firstNonZero(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
