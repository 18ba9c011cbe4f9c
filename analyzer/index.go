package analyzer

import (
	"cmp"
	"net/netip"
	"slices"
	"time"

	"github.com/negtrace/negtrace/sources/kube"
	"github.com/negtrace/negtrace/sources/negops"
)

// index holds the lookups the analysis makes, built once from Evidence.
type index struct {
	opts      Options
	pods      []*podHistory
	leases    *leases
	detaches  map[netip.Addr][]*negops.Operation // detach operations by endpoint IP, by request time
	attaches  map[netip.Addr][]*negops.Operation
	podEvents map[string][]*kube.Event // by pod UID and by "ns/name"
	negEvents map[negZone][]negEvent   // NEG controller events by NEG and zone, by time
	scaling   map[string][]*kube.Event // ScalingReplicaSet/SuccessfulRescale by "ns/name" of the object
	services  map[string]*kube.Service // by "ns/name"
	nodeZone  map[string]string
}

type negZone struct{ neg, zone string }

type negEvent struct {
	at, first  time.Time
	ev         negops.ControllerEvent
	aggregated bool
}

func newIndex(ev *Evidence, opts Options) *index {
	ix := &index{
		opts:      opts,
		detaches:  make(map[netip.Addr][]*negops.Operation),
		attaches:  make(map[netip.Addr][]*negops.Operation),
		podEvents: make(map[string][]*kube.Event),
		negEvents: make(map[negZone][]negEvent),
		scaling:   make(map[string][]*kube.Event),
		services:  make(map[string]*kube.Service),
		nodeZone:  make(map[string]string),
	}
	hs := mergePods(ev.Pods)
	hs = addSliceInfo(hs, ev.Slices)
	slices.SortFunc(hs, func(a, b *podHistory) int { return cmp.Or(cmp.Compare(a.key(), b.key()), cmp.Compare(a.UID, b.UID)) })
	ix.pods = hs
	ix.leases = buildLeases(hs)

	for _, op := range negops.Pair(ev.Audit) {
		m := ix.detaches
		if op.Kind == negops.Attach {
			m = ix.attaches
		}
		for _, ep := range op.Endpoints {
			if ep.IP.IsValid() {
				m[ep.IP] = append(m[ep.IP], &op)
			}
			if ep.Instance != "" && op.Zone != "" {
				ix.nodeZone[ep.Instance] = op.Zone
			}
		}
	}
	for _, m := range []map[netip.Addr][]*negops.Operation{ix.detaches, ix.attaches} {
		for _, ops := range m {
			slices.SortStableFunc(ops, func(a, b *negops.Operation) int { return a.At().Compare(b.At()) })
		}
	}
	for _, s := range ev.Slices {
		for _, ep := range s.Endpoints {
			if ep.Node != "" && ep.Zone != "" {
				ix.nodeZone[ep.Node] = ep.Zone
			}
		}
	}
	for i := range ev.Services {
		s := &ev.Services[i]
		ix.services[s.Namespace+"/"+s.Name] = s
	}
	for i := range ev.Events {
		e := &ev.Events[i]
		switch {
		case e.Kind == "Pod":
			if e.ObjectUID != "" {
				ix.podEvents[e.ObjectUID] = append(ix.podEvents[e.ObjectUID], e)
			}
			k := e.Namespace + "/" + e.ObjectName
			ix.podEvents[k] = append(ix.podEvents[k], e)
		case e.Reason == kube.ReasonScalingReplicaSet || e.Reason == kube.ReasonSuccessfulRescale:
			k := e.Namespace + "/" + e.ObjectName
			ix.scaling[k] = append(ix.scaling[k], e)
		case e.Kind == "Service":
			ce, ok := negops.ParseControllerEvent(e.Reason, e.Message)
			if !ok {
				continue
			}
			ne := negEvent{at: e.Time, first: e.FirstTime, ev: ce, aggregated: e.Aggregated()}
			if ne.first.IsZero() {
				ne.first = ne.at
			}
			k := negZone{ce.NEG, ce.Zone}
			ix.negEvents[k] = append(ix.negEvents[k], ne)
		}
	}
	for _, es := range ix.negEvents {
		slices.SortStableFunc(es, func(a, b negEvent) int { return a.first.Compare(b.first) })
	}
	for _, es := range ix.podEvents {
		slices.SortStableFunc(es, func(a, b *kube.Event) int { return a.Time.Compare(b.Time) })
	}
	for _, es := range ix.scaling {
		slices.SortStableFunc(es, func(a, b *kube.Event) int { return a.Time.Compare(b.Time) })
	}
	return ix
}

// eventsOf returns the events of pod h, deduplicated between the UID and
// name indexes.
func (ix *index) eventsOf(h *podHistory) []*kube.Event {
	var out []*kube.Event
	seen := make(map[*kube.Event]bool)
	for _, k := range []string{h.UID, h.key()} {
		if k == "" {
			continue
		}
		for _, e := range ix.podEvents[k] {
			// A name-matched event with another UID belongs to an earlier
			// pod of the same name (StatefulSets reuse names).
			if e.ObjectUID != "" && h.UID != "" && e.ObjectUID != h.UID {
				continue
			}
			if !seen[e] {
				seen[e] = true
				out = append(out, e)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b *kube.Event) int { return a.Time.Compare(b.Time) })
	return out
}

// portMatches reports whether an endpoint port belongs to pod h.
func portMatches(h *podHistory, port int) bool {
	return port == 0 || len(h.Ports) == 0 || slices.Contains(h.Ports, port)
}
