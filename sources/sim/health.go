package sim

import (
	"net/netip"
	"slices"
	"time"
)

// holders indexes, per pod IP, the pods whose sandbox held it, in order.
type holders map[netip.Addr][]*pod

func newHolders(w *World) holders {
	h := holders{}
	for _, p := range w.pods {
		if p.sandbox != never {
			h[p.ip] = append(h[p.ip], p)
		}
	}
	for _, ps := range h {
		slices.SortStableFunc(ps, func(a, b *pod) int {
			switch {
			case a.sandbox < b.sandbox:
				return -1
			case a.sandbox > b.sandbox:
				return 1
			}
			return 0
		})
	}
	return h
}

// at returns the pod holding ip at t, or nil.
func (h holders) at(ip netip.Addr, t time.Duration) *pod {
	for _, p := range h[ip] {
		if p.holds(t) {
			return p
		}
	}
	return nil
}

// probeOK reports whether a health probe of endpoint k at t succeeds: some
// pod holds the IP, listens on the port and answers normally.
func (h holders) probeOK(k epKey, t time.Duration) bool {
	p := h.at(k.ip, t)
	return p != nil && p.d.cfg.Port == k.port && p.serving(t)
}

// finishHealth runs every NEG member's health probes (interval, unhealthy
// threshold, healthy after one success) and sets the intervals in which the
// load balancer may pick it: in the NEG as far as the data plane knows, and
// healthy.
func finishHealth(w *World) {
	h := newHolders(w)
	hc := w.Config.HealthCheck
	limit := w.end + drain
	for _, m := range w.members {
		if m.attached == never || m.dpStart == never {
			continue
		}
		to := min(m.dpEnd, limit)
		var healthy []interval
		from := never
		if m.startHealthy {
			from = m.dpStart
		}
		fails := 0
		for q := m.hcPhase; q < to; q += hc.Interval {
			if h.probeOK(m.key, q) {
				fails = 0
				if from == never {
					from = q
				}
				continue
			}
			fails++
			if from != never && fails >= hc.UnhealthyThreshold {
				healthy = append(healthy, interval{from, q})
				from = never
				if m.unhealthyAt == never {
					m.unhealthyAt = q
				}
			}
		}
		if from != never {
			healthy = append(healthy, interval{from, to})
		}
		for _, iv := range healthy {
			a, b := max(iv.from, m.dpStart), min(iv.to, to)
			if a < b {
				m.eligible = append(m.eligible, interval{a, b})
			}
		}
	}
}
