package sim

import (
	"net/netip"
	"slices"
	"testing"
	"time"
)

// runScenario simulates a bundled scenario with its own seed.
func runScenario(t *testing.T, name string) *World {
	t.Helper()
	sc, ok := Lookup(name)
	if !ok {
		t.Fatalf("no scenario %q", name)
	}
	w, err := Run(sc.Name, sc.Config, sc.Seed)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestRaceErrorsInsideExposure checks every race error against its pod's
// timeline: sent after the deletion, failing after the pod stopped serving
// (in flight at that moment at the earliest) and before the detach reached
// the data plane.
func TestRaceErrorsInsideExposure(t *testing.T) {
	for _, sc := range Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			w := runScenario(t, sc.Name)
			tr := newTraffic(w, 0)
			races := 0
			for {
				r, ok := tr.next()
				if !ok {
					break
				}
				if r.reason == "backend failure on a pod that was not terminating" {
					t.Errorf("%v: backend failure %s on %s, which was not terminating", r.at, r.details, r.m.p.name)
				}
				if r.cause != CauseRace {
					continue
				}
				races++
				p := r.m.p
				if r.at < p.t0 {
					t.Errorf("race error at %v before deletion %v of %s", r.at, p.t0, p.name)
				}
				if r.at+r.latency < p.stopServing {
					t.Errorf("race error at %v (+%v) before %s stopped serving at %v", r.at, r.latency, p.name, p.stopServing)
				}
				if r.at >= r.m.dpEnd {
					t.Errorf("race error at %v after the detach of %s took effect at %v", r.at, p.name, r.m.dpEnd)
				}
			}
			if sc.Name == "rollout-race" && races == 0 {
				t.Error("no race errors in rollout-race")
			}
		})
	}
}

// TestIPLeases checks that a pod IP is handed out again only after it was
// freed, and only from its node's pod CIDR.
func TestIPLeases(t *testing.T) {
	for _, sc := range Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			w := runScenario(t, sc.Name)
			h := newHolders(w)
			reused := 0
			for ip, ps := range h {
				for i, p := range ps {
					if !p.node.cidr.Contains(ip) {
						t.Errorf("%s got %s outside its node's %s", p.name, ip, p.node.cidr)
					}
					if i > 0 {
						reused++
						if prev := ps[i-1]; prev.ipFreed > p.sandbox {
							t.Errorf("%s got %s at %v, before %s freed it at %v", p.name, ip, p.sandbox, prev.name, prev.ipFreed)
						}
					}
				}
			}
			if sc.Name == "lost-evidence" && reused == 0 {
				t.Error("no IP reuse in lost-evidence")
			}
		})
	}
}

// TestTerminationTimeline checks the order of every termination's steps.
func TestTerminationTimeline(t *testing.T) {
	for _, sc := range Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			w := runScenario(t, sc.Name)
			for _, p := range w.pods {
				if p.t0 == never || p.killing == never {
					continue
				}
				steps := []time.Duration{p.t0, p.killing, p.sigterm, p.stopServing, p.stopListening, p.exit, p.statusTerminated, p.gone}
				if !slices.IsSorted(steps) {
					t.Errorf("%s: steps out of order: %v", p.name, steps)
				}
				if p.exit > p.sigkill {
					t.Errorf("%s: exit %v after SIGKILL %v", p.name, p.exit, p.sigkill)
				}
				if p.ipFreed < p.exit {
					t.Errorf("%s: IP freed at %v before the container exited at %v", p.name, p.ipFreed, p.exit)
				}
			}
			for _, m := range w.members {
				if m.detachRequested != never && m.detached != never && m.detached <= m.detachRequested {
					t.Errorf("%s: detach completed %v not after its request %v", m.p.name, m.detached, m.detachRequested)
				}
				if m.detached != never && m.dpEnd < m.detached {
					t.Errorf("%s: data plane stopped %v before the detach completed %v", m.p.name, m.dpEnd, m.detached)
				}
				if m.detachRequested != never && m.p.t0 != never && m.detachRequested < m.p.t0 {
					t.Errorf("%s: detach requested %v before deletion %v", m.p.name, m.detachRequested, m.p.t0)
				}
			}
		})
	}
}

// TestNEGEventsLost checks that lost-evidence loses NEG events to the spam
// filter and that rollout-race keeps them all.
func TestNEGEventsLost(t *testing.T) {
	tests := []struct {
		scenario string
		lost     bool
	}{
		{"rollout-race", false},
		{"lost-evidence", true},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			w := runScenario(t, tt.scenario)
			ops, events := 0, 0
			for _, o := range w.ops {
				if o.done <= w.end {
					ops++
				}
			}
			for _, ev := range w.events {
				if ev.component == "neg-controller" && ev.at <= w.end {
					events++
				}
			}
			if lost := events < ops; lost != tt.lost {
				t.Errorf("%d NEG events for %d operations: lost = %v, want %v", events, ops, lost, tt.lost)
			}
		})
	}
}

// TestRecorder checks client-go's event pipeline: dedup into count, the
// 25-event burst of the spam filter and its refill of 1 per 5 minutes.
func TestRecorder(t *testing.T) {
	e := &engine{w: &World{Config: Config{Start: scenarioStart}}, g: newRNG(1, 1)}
	e.rec = newRecorder(e)
	d := &deployment{cfg: Workload{Namespace: "ns", Name: "svc"}, svcUID: "u"}
	e.rec.negEvent(d, "Normal", "Detach", "same")
	e.rec.negEvent(d, "Normal", "Detach", "same")
	if n := len(e.w.events); n != 2 {
		t.Fatalf("got %d writes, want 2", n)
	}
	if a, b := e.w.events[0], e.w.events[1]; a.name != b.name || b.count != 2 {
		t.Errorf("dedup: names %q %q, second count %d; want one name, count 2", a.name, b.name, b.count)
	}
	for i := 0; i < 40; i++ {
		e.now += time.Second
		e.rec.negEvent(d, "Normal", "Detach", "same")
	}
	if n := len(e.w.events); n != spamBurst {
		t.Errorf("after a burst: %d writes, want %d", n, spamBurst)
	}
	e.rec.negEvent(d, "Warning", "DetachFailed", "other type")
	if n := len(e.w.events); n != spamBurst+1 {
		t.Errorf("Warning events have their own bucket: %d writes, want %d", n, spamBurst+1)
	}
	e.now += 5 * time.Minute
	e.rec.negEvent(d, "Normal", "Detach", "same")
	if n := len(e.w.events); n != spamBurst+2 {
		t.Errorf("after 5 minutes: %d writes, want %d", n, spamBurst+2)
	}
}

// TestIPPool checks both allocation policies.
func TestIPPool(t *testing.T) {
	cidr := netip.MustParsePrefix("10.52.7.0/24")
	tests := []struct {
		policy IPAllocation
		want   string // the address after .2 .3 .4 were taken and .3 freed
	}{
		{IPLowestFree, "10.52.7.3"},
		{IPSequential, "10.52.7.5"},
	}
	for _, tt := range tests {
		t.Run(string(tt.policy), func(t *testing.T) {
			p := newIPPool(cidr, tt.policy, 1)
			var got []netip.Addr
			for i := 0; i < 3; i++ {
				a, ok := p.alloc()
				if !ok {
					t.Fatal("pool exhausted")
				}
				got = append(got, a)
			}
			if got[0].String() != "10.52.7.2" {
				t.Errorf("first = %s, want 10.52.7.2", got[0])
			}
			p.free(got[1])
			if a, _ := p.alloc(); a.String() != tt.want {
				t.Errorf("next = %s, want %s", a, tt.want)
			}
		})
	}
}
