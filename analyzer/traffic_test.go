package analyzer

import (
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"
)

func TestTrafficLastIsOrderIndependent(t *testing.T) {
	ip := netip.MustParseAddr("10.0.0.1")
	base := time.Date(2025, 3, 4, 18, 0, 0, 0, time.UTC)
	var times []time.Time
	// Bursts separated by gaps above trafficGap, and dense runs inside.
	for burst := 0; burst < 20; burst++ {
		start := base.Add(time.Duration(burst) * 7 * time.Second)
		for i := 0; i < 15; i++ {
			times = append(times, start.Add(time.Duration(i)*150*time.Millisecond))
		}
	}
	var inOrder, shuffled Traffic
	for _, ts := range times {
		inOrder.Add(ip, ts)
	}
	r := rand.New(rand.NewPCG(1, 2))
	perm := r.Perm(len(times))
	for _, i := range perm {
		shuffled.Add(ip, times[i])
	}
	if got, want := len(shuffled.byIP[ip]), 20; got != want {
		t.Errorf("shuffled intervals = %d, want %d", got, want)
	}
	for q := base.Add(-time.Second); q.Before(base.Add(150 * time.Second)); q = q.Add(333 * time.Millisecond) {
		a, okA := inOrder.Last(ip, base.Add(-time.Hour), q)
		b, okB := shuffled.Last(ip, base.Add(-time.Hour), q)
		if okA != okB || !a.Equal(b) {
			t.Fatalf("Last(.., %v) = %v,%v in order but %v,%v shuffled", q, a, okA, b, okB)
		}
	}
	last, ok := shuffled.Last(ip, base, base.Add(time.Hour))
	if want := times[len(times)-1]; !ok || !last.Equal(want) {
		t.Errorf("Last over everything = %v, %v; want %v", last, ok, want)
	}
	if _, ok := shuffled.Last(netip.MustParseAddr("10.0.0.2"), base, base.Add(time.Hour)); ok {
		t.Error("Last of an unseen IP reported a request")
	}
	if _, ok := shuffled.Last(ip, base.Add(-time.Hour), base); ok {
		t.Error("Last before the first request reported one")
	}
}

func TestTrafficMergesBridgedIntervals(t *testing.T) {
	ip := netip.MustParseAddr("10.0.0.1")
	base := time.Date(2025, 3, 4, 18, 0, 0, 0, time.UTC)
	var tr Traffic
	tr.Add(ip, base)
	tr.Add(ip, base.Add(1800*time.Millisecond))
	if n := len(tr.byIP[ip]); n != 2 {
		t.Fatalf("intervals = %d, want 2 before bridging", n)
	}
	tr.Add(ip, base.Add(900*time.Millisecond)) // within trafficGap of both
	if n := len(tr.byIP[ip]); n != 1 {
		t.Fatalf("intervals = %d, want 1 after bridging", n)
	}
	if iv := tr.byIP[ip][0]; iv.n != 3 {
		t.Errorf("bridged interval holds %d requests, want 3", iv.n)
	}
}

func TestTrafficOpenBounds(t *testing.T) {
	ip := netip.MustParseAddr("10.0.0.1")
	at := time.Date(2025, 3, 4, 18, 0, 0, 0, time.UTC)
	var tr Traffic
	tr.Add(ip, at)
	if got, ok := tr.Last(ip, time.Time{}, time.Time{}); !ok || !got.Equal(at) {
		t.Errorf("Last with open bounds = %v, %v; want %v", got, ok, at)
	}
}
