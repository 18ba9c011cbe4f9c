package analyzer

import (
	"math"
	"net/netip"
	"slices"
	"time"
)

// trafficGap is the largest gap between two requests to one IP that is
// folded into one interval. It bounds the memory of Traffic by time and
// endpoints rather than by entries, and is the precision of "the LB still
// sent requests between a and b" questions (never of first/last requests,
// which are kept exactly).
const trafficGap = time.Second

// interval is a run of requests to one IP with no gap above trafficGap.
type interval struct {
	first, last int64 // unix nanoseconds of the first and last request
	n           int   // requests folded in
}

// Traffic records when the load balancer sent requests to each endpoint IP,
// whatever their status. It answers "when was the last request the LB sent
// to this IP before t". Its memory grows with endpoints and time, not with
// the number of requests. The zero value is ready to use; it is not safe for
// concurrent use.
type Traffic struct {
	byIP map[netip.Addr][]interval
}

// Add records one request to ip at t. Requests may arrive in any order.
func (tr *Traffic) Add(ip netip.Addr, t time.Time) {
	if !ip.IsValid() {
		return
	}
	if tr.byIP == nil {
		tr.byIP = make(map[netip.Addr][]interval)
	}
	ns := t.UnixNano()
	ivs := tr.byIP[ip]
	// Fast paths: appending in order (sink exports) or prepending (gcloud's newest-first).
	if n := len(ivs); n > 0 && ns >= ivs[n-1].first {
		if ns <= ivs[n-1].last+int64(trafficGap) {
			if ns > ivs[n-1].last {
				ivs[n-1].last = ns
			}
			ivs[n-1].n++
			return
		}
		tr.byIP[ip] = append(ivs, interval{ns, ns, 1})
		return
	}
	i, _ := slices.BinarySearchFunc(ivs, ns, func(iv interval, ns int64) int {
		switch {
		case iv.first < ns:
			return -1
		case iv.first > ns:
			return 1
		}
		return 0
	})
	// ivs[i-1].first < ns <= ivs[i].first
	switch {
	case i > 0 && ns <= ivs[i-1].last+int64(trafficGap):
		iv := &ivs[i-1]
		iv.n++
		if ns > iv.last {
			iv.last = ns
		}
		// Extending may now reach the next interval.
		if i < len(ivs) && ivs[i].first <= iv.last+int64(trafficGap) {
			iv.last = max(iv.last, ivs[i].last)
			iv.n += ivs[i].n
			ivs = slices.Delete(ivs, i, i+1)
		}
	case i < len(ivs) && ivs[i].first <= ns+int64(trafficGap):
		ivs[i].first = ns
		ivs[i].n++
	default:
		ivs = slices.Insert(ivs, i, interval{ns, ns, 1})
	}
	tr.byIP[ip] = ivs
}

// Last returns the time of the last request to ip in [from, to). A zero
// from or to is an open bound. ok is false when there was none.
func (tr *Traffic) Last(ip netip.Addr, from, to time.Time) (last time.Time, ok bool) {
	f, t := int64(math.MinInt64), int64(math.MaxInt64)
	if !from.IsZero() {
		f = from.UnixNano()
	}
	if !to.IsZero() {
		t = to.UnixNano()
	}
	ivs := tr.byIP[ip]
	for i := len(ivs) - 1; i >= 0; i-- {
		iv := ivs[i]
		if iv.first >= t {
			continue
		}
		if iv.last < f {
			break
		}
		if iv.last < t {
			return time.Unix(0, iv.last).UTC(), true
		}
		// The interval straddles `to`: the last request before it is
		// somewhere inside; its precision is trafficGap.
		return time.Unix(0, t-1).UTC(), true
	}
	return time.Time{}, false
}

// IPs returns the number of endpoint IPs seen.
func (tr *Traffic) IPs() int { return len(tr.byIP) }
