package analyzer

import (
	"hash/maphash"
	"net/netip"
	"strconv"
	"time"

	"github.com/negtrace/negtrace/sources/computecfg"
	"github.com/negtrace/negtrace/sources/kube"
	"github.com/negtrace/negtrace/sources/lblog"
	"github.com/negtrace/negtrace/sources/negops"
)

// Evidence is everything collected for one analysis, deduplicated. It is
// built by a Collector and read by Analyze; it is not changed after that.
type Evidence struct {
	Window     Window    // bounds requested by the user; zero times mean open
	LBRequests int       // distinct LB entries in the window, any status
	FirstEntry time.Time // earliest LB entry in the window (zero when none)
	LastEntry  time.Time // latest LB entry in the window
	Errors     []lblog.Request
	Traffic    Traffic // every distinct LB entry in the window, by serverIp
	Audit      []negops.AuditEntry
	Pods       []kube.Pod
	Slices     []kube.EndpointSlice
	Services   []kube.Service
	Events     []kube.Event
	Backends   []computecfg.Backend // load balancer configuration (live mode)
	Inputs     []Input
	// LBQueried says LB request logs were queried (live mode filters them
	// to 5xx server-side): no entry then means no error, not "no logs".
	LBQueried bool
}

// Collector accumulates evidence from any number of inputs, dropping what
// was seen before (exports overlap: the same entry in two files counts
// once). It is not safe for concurrent use.
type Collector struct {
	ev   Evidence
	seed maphash.Seed
	seen map[uint64]struct{} // LB entries, audit entries, events, pod versions
}

// NewCollector returns a Collector that keeps LB entries inside w (zero
// bounds are open).
func NewCollector(w Window) *Collector {
	return &Collector{ev: Evidence{Window: w}, seed: maphash.MakeSeed(), seen: make(map[uint64]struct{})}
}

// InWindow reports whether t is inside the collector's window.
func (c *Collector) InWindow(t time.Time) bool {
	return c.ev.Window.Contains(t)
}

// firstSeen reports whether the key made of parts has not been seen before,
// and remembers it.
func (c *Collector) firstSeen(kind byte, parts ...string) bool {
	var h maphash.Hash
	h.SetSeed(c.seed)
	h.WriteByte(kind)
	for _, p := range parts {
		h.WriteString(p)
		h.WriteByte(0)
	}
	k := h.Sum64()
	if _, ok := c.seen[k]; ok {
		return false
	}
	c.seen[k] = struct{}{}
	return true
}

// AddLBEntry records an LB entry that is not kept in full (status < 500):
// it counts towards LBRequests and Traffic. insertID and t identify it.
// It reports whether the entry was new and inside the window.
func (c *Collector) AddLBEntry(insertID []byte, t time.Time, serverIP netip.Addr) bool {
	if !c.InWindow(t) {
		return false
	}
	var h maphash.Hash
	h.SetSeed(c.seed)
	h.WriteByte('L')
	h.Write(insertID)
	h.WriteByte(0)
	var b [20]byte
	h.Write(strconv.AppendInt(b[:0], t.UnixNano(), 10))
	h.WriteByte(0)
	k := h.Sum64()
	if _, ok := c.seen[k]; ok {
		return false
	}
	c.seen[k] = struct{}{}
	c.ev.LBRequests++
	if c.ev.FirstEntry.IsZero() || t.Before(c.ev.FirstEntry) {
		c.ev.FirstEntry = t
	}
	if t.After(c.ev.LastEntry) {
		c.ev.LastEntry = t
	}
	c.ev.Traffic.Add(serverIP, t)
	return true
}

// AddRequest records a fully parsed LB entry. Entries with status >= 500
// are kept for the per-error verdicts. It reports whether the entry was new
// and inside the window.
func (c *Collector) AddRequest(r lblog.Request) bool {
	if !c.AddLBEntry([]byte(r.InsertID), r.Time, r.ServerIP) {
		return false
	}
	if r.IsError() {
		c.ev.Errors = append(c.ev.Errors, r)
	}
	return true
}

// AddAudit records a NEG attach/detach audit entry. It reports whether it was new.
func (c *Collector) AddAudit(e negops.AuditEntry) bool {
	if !c.firstSeen('A', e.InsertID, e.Time.Format(time.RFC3339Nano), e.OperationID) {
		return false
	}
	c.ev.Audit = append(c.ev.Audit, e)
	return true
}

// AddPod records one observed version of a pod. It reports whether it was new.
func (c *Collector) AddPod(p kube.Pod) bool {
	if !c.firstSeen('P', p.UID, p.Namespace, p.Name, p.VersionKey(), strconv.FormatBool(p.Deleted)) {
		return false
	}
	c.ev.Pods = append(c.ev.Pods, p)
	return true
}

// AddSlice records one observed version of an EndpointSlice.
func (c *Collector) AddSlice(s kube.EndpointSlice) bool {
	if s.ResourceVersion != "" && !c.firstSeen('S', s.Namespace, s.Name, s.ResourceVersion) {
		return false
	}
	c.ev.Slices = append(c.ev.Slices, s)
	return true
}

// AddService records a Service.
func (c *Collector) AddService(s kube.Service) bool {
	c.ev.Services = append(c.ev.Services, s)
	return true
}

// AddEvent records a Kubernetes event. The same event exported twice, or
// read both from kubectl and from Cloud Logging, counts once.
func (c *Collector) AddEvent(e kube.Event) bool {
	if !c.firstSeen('E', e.Namespace, e.Name, e.Reason, strconv.Itoa(e.Count), e.Time.Format(time.RFC3339Nano), e.ObjectName) {
		return false
	}
	c.ev.Events = append(c.ev.Events, e)
	return true
}

// AddBackend records the configuration of a backend service; a later one
// of the same name replaces it.
func (c *Collector) AddBackend(b computecfg.Backend) {
	for i := range c.ev.Backends {
		if old := &c.ev.Backends[i]; old.Name == b.Name && old.Project == b.Project && old.Region == b.Region {
			*old = b
			return
		}
	}
	c.ev.Backends = append(c.ev.Backends, b)
}

// SetLBQueried records that LB request logs were queried for the window,
// even if no entry matched.
func (c *Collector) SetLBQueried() { c.ev.LBQueried = true }

// AddInput records what was read from one input.
func (c *Collector) AddInput(in Input) { c.ev.Inputs = append(c.ev.Inputs, in) }

// Evidence returns the collected evidence. The Collector must not be used after.
func (c *Collector) Evidence() *Evidence { return &c.ev }
