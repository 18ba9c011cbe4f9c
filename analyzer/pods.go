package analyzer

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/negtrace/negtrace/sources/kube"
)

// podHistory is everything known about one pod, merged from all its
// observed versions (list snapshots, watch events) and EndpointSlices.
type podHistory struct {
	kube.Pod               // merged: later versions override, empty fields never erase
	zone          string   // from EndpointSlices or the NEG its IP was attached to
	services      []string // "ns/name" of Services whose slices listed the pod
	fromSliceOnly bool     // known only from an EndpointSlice: no pod object read
}

func (h *podHistory) key() string { return h.Namespace + "/" + h.Name }

// rvLess orders resourceVersions: numerically when both are numbers (as on
// every real API server), else as strings.
func rvLess(a, b string) bool {
	x, errA := strconv.ParseUint(a, 10, 64)
	y, errB := strconv.ParseUint(b, 10, 64)
	if errA == nil && errB == nil {
		return x < y
	}
	return a < b
}

// mergePods folds pod versions into one history per pod (by UID, else
// namespace/name), in resourceVersion order.
func mergePods(pods []kube.Pod) []*podHistory {
	sorted := slices.Clone(pods)
	slices.SortStableFunc(sorted, func(a, b kube.Pod) int {
		switch {
		case rvLess(a.ResourceVersion, b.ResourceVersion):
			return -1
		case rvLess(b.ResourceVersion, a.ResourceVersion):
			return 1
		}
		return 0
	})
	byKey := make(map[string]*podHistory)
	var out []*podHistory
	for _, p := range sorted {
		k := p.Key()
		h, ok := byKey[k]
		if !ok {
			h = &podHistory{Pod: p}
			byKey[k] = h
			out = append(out, h)
			continue
		}
		mergePod(&h.Pod, p)
	}
	return out
}

// mergePod overlays a later version v onto the merged pod m.
func mergePod(m *kube.Pod, v kube.Pod) {
	set := func(dst *string, src string) {
		if src != "" {
			*dst = src
		}
	}
	setT := func(dst *time.Time, src time.Time) {
		if !src.IsZero() {
			*dst = src
		}
	}
	set(&m.Node, v.Node)
	set(&m.Workload, v.Workload)
	set(&m.OwnerKind, v.OwnerKind)
	set(&m.Phase, v.Phase)
	set(&m.ResourceVersion, v.ResourceVersion)
	set(&m.Container, v.Container)
	if v.IP.IsValid() {
		m.IP = v.IP
		m.IPs = v.IPs
	}
	setT(&m.Created, v.Created)
	setT(&m.Started, v.Started)
	if m.ReadyAt.IsZero() {
		m.ReadyAt = v.ReadyAt
	}
	if !v.Deletion.IsZero() {
		// The first deletion seen is the request; a later, shorter grace
		// (a forced delete) moves the deadline but not T0's evidence.
		if m.Deletion.IsZero() {
			m.Deletion, m.DeletionGrace = v.Deletion, v.DeletionGrace
		}
	}
	if v.TerminationGrace != 0 {
		m.TerminationGrace = v.TerminationGrace
	}
	if v.PreStop.Kind != "" {
		m.PreStop = v.PreStop
	}
	if len(v.Ports) > 0 {
		m.Ports = v.Ports
	}
	if len(v.Exits) > 0 {
		m.Exits = v.Exits
	}
	m.Deleted = m.Deleted || v.Deleted
}

// addSliceInfo fills node, zone and service membership from EndpointSlices,
// and adds pods that only slices mention.
func addSliceInfo(hs []*podHistory, slices_ []kube.EndpointSlice) []*podHistory {
	byUID := make(map[string]*podHistory)
	byName := make(map[string]*podHistory)
	for _, h := range hs {
		if h.UID != "" {
			byUID[h.UID] = h
		}
		byName[h.key()] = h
	}
	for _, s := range slices_ {
		svc := s.Namespace + "/" + s.Service
		for _, ep := range s.Endpoints {
			if ep.PodName == "" && ep.PodUID == "" {
				continue
			}
			h := byUID[ep.PodUID]
			if h == nil {
				h = byName[s.Namespace+"/"+ep.PodName]
			}
			if h == nil {
				if len(ep.Addresses) == 0 {
					continue
				}
				h = &podHistory{fromSliceOnly: true}
				h.UID, h.Namespace, h.Name = ep.PodUID, s.Namespace, ep.PodName
				h.IP = ep.Addresses[0]
				h.Workload = s.Namespace + "/" + s.Service
				hs = append(hs, h)
				if h.UID != "" {
					byUID[h.UID] = h
				}
				byName[h.key()] = h
			}
			if h.Node == "" {
				h.Node = ep.Node
			}
			if h.zone == "" {
				h.zone = ep.Zone
			}
			if !h.IP.IsValid() && len(ep.Addresses) > 0 {
				h.IP = ep.Addresses[0]
			}
			if s.Service != "" && !slices.Contains(h.services, svc) {
				h.services = append(h.services, svc)
			}
			for _, p := range s.Ports {
				if p.Port != 0 && !slices.Contains(h.Ports, p.Port) && h.fromSliceOnly {
					h.Ports = append(h.Ports, p.Port)
				}
			}
		}
	}
	return hs
}

// lease says pod held ip during [from, to). A zero from is open (held since
// before the evidence); a zero to is open (still held).
type lease struct {
	ip       netip.Addr
	from, to time.Time
	pod      *podHistory
}

func (l *lease) contains(t time.Time) bool {
	return (l.from.IsZero() || !t.Before(l.from)) && (l.to.IsZero() || t.Before(l.to))
}

// leaseStart is when a pod started to hold its IP, as far as known.
func leaseStart(h *podHistory) time.Time {
	switch {
	case !h.Started.IsZero():
		return h.Started
	case !h.Created.IsZero():
		return h.Created
	}
	return time.Time{}
}

// leases holds the IP history: for each IP, the pods that held it, in
// order. A pod keeps its IP until the next holder starts: requests the LB
// sends to the IP in between still target it (its endpoint may still be
// attached), which is exactly the race.
type leases struct {
	byIP map[netip.Addr][]*lease
}

func buildLeases(hs []*podHistory) *leases {
	ls := &leases{byIP: make(map[netip.Addr][]*lease)}
	for _, h := range hs {
		ips := []netip.Addr{h.IP}
		for _, ip := range h.IPs {
			if ip != h.IP {
				ips = append(ips, ip)
			}
		}
		for _, ip := range ips {
			if ip.IsValid() {
				ls.byIP[ip] = append(ls.byIP[ip], &lease{ip: ip, from: leaseStart(h), pod: h})
			}
		}
	}
	for _, l := range ls.byIP {
		slices.SortStableFunc(l, func(a, b *lease) int {
			return cmp.Or(a.from.Compare(b.from), cmp.Compare(a.pod.key(), b.pod.key()))
		})
		for i := 0; i+1 < len(l); i++ {
			l[i].to = l[i+1].from
		}
	}
	return ls
}

// at returns the lease of ip at t, or nil.
func (ls *leases) at(ip netip.Addr, t time.Time) *lease {
	l := ls.byIP[ip]
	for i := len(l) - 1; i >= 0; i-- {
		if l[i].contains(t) {
			return l[i]
		}
	}
	return nil
}

// of returns the lease of pod h on its primary IP, or nil.
func (ls *leases) of(h *podHistory) *lease {
	for _, l := range ls.byIP[h.IP] {
		if l.pod == h {
			return l
		}
	}
	return nil
}
