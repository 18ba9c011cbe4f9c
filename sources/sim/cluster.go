package sim

import (
	"fmt"
	"net/netip"
	"time"
)

// zoneNames are the zones a simulated cluster spans, in order.
var zoneNames = []string{"us-central1-a", "us-central1-b", "us-central1-c"}

// ipPool hands out the pod IPs of one node's /24 pod CIDR (.2 to .254).
type ipPool struct {
	base   [4]byte
	used   [256]bool
	last   int
	policy IPAllocation
}

func newIPPool(cidr netip.Prefix, policy IPAllocation, last int) *ipPool {
	return &ipPool{base: cidr.Addr().As4(), policy: policy, last: last}
}

// alloc returns a free address; ok is false when the range is exhausted.
func (p *ipPool) alloc() (netip.Addr, bool) {
	const lo, hi = 2, 254
	pick := -1
	switch p.policy {
	case IPLowestFree:
		for i := lo; i <= hi; i++ {
			if !p.used[i] {
				pick = i
				break
			}
		}
	default: // sequential, wrapping
		for n := 0; n <= hi-lo; n++ {
			i := lo + (p.last-lo+1+n)%(hi-lo+1)
			if !p.used[i] {
				pick = i
				break
			}
		}
	}
	if pick < 0 {
		return netip.Addr{}, false
	}
	p.used[pick] = true
	p.last = pick
	b := p.base
	b[3] = byte(pick)
	return netip.AddrFrom4(b), true
}

// free returns an address to the pool.
func (p *ipPool) free(a netip.Addr) {
	if a.Is4() {
		p.used[a.As4()[3]] = false
	}
}

// setup builds nodes and workloads and the pods running at the start of
// the window.
func (e *engine) setup() error {
	w, cfg, g := e.w, &e.w.Config, e.g
	if cfg.Zones < 1 || cfg.Zones > len(zoneNames) {
		return fmt.Errorf("zones: %d not in 1..%d", cfg.Zones, len(zoneNames))
	}
	if cfg.NodesPerZone < 1 || cfg.NodesPerZone*cfg.Zones > 200 {
		return fmt.Errorf("nodes per zone: %d out of range", cfg.NodesPerZone)
	}
	w.projectNumber = g.digits(12)
	w.clusterHash = g.hex(8)
	w.networkID = g.digits(19)
	w.ingressHash = g.chars(lowerAlnum, 8)
	idx := 0
	for z := 0; z < cfg.Zones; z++ {
		group := g.hex(8)
		for n := 0; n < cfg.NodesPerZone; n++ {
			nd := &node{
				name:   fmt.Sprintf("gke-%s-pool-1-%s-%s", cfg.Cluster, group, g.chars(lowerAlnum, 4)),
				zone:   zoneNames[z],
				index:  idx,
				hostIP: netip.AddrFrom4([4]byte{10, 128, 0, byte(idx + 2)}),
				cidr:   netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 52, byte(idx), 0}), 24),
			}
			if cfg.MaxSkew > 0 {
				nd.skew = g.dur(-cfg.MaxSkew, cfg.MaxSkew)
			}
			last := 1
			if cfg.IPAlloc != IPLowestFree {
				last = 2 + g.intn(40)
			}
			nd.ips = newIPPool(nd.cidr, cfg.IPAlloc, last)
			w.nodes = append(w.nodes, nd)
			idx++
		}
	}
	for i := range cfg.Workloads {
		wc := cfg.Workloads[i]
		if wc.Replicas < 0 || wc.Port <= 0 || wc.SvcPort <= 0 || wc.Grace < 0 {
			return fmt.Errorf("workload %s/%s: bad replicas, ports or grace", wc.Namespace, wc.Name)
		}
		d := &deployment{
			cfg:       wc,
			key:       wc.Namespace + "/" + wc.Name,
			uid:       g.uuid(),
			svcUID:    g.uuid(),
			svcIP:     netip.AddrFrom4([4]byte{10, 56, byte(1 + g.intn(250)), byte(2 + g.intn(250))}),
			sliceName: wc.Name + "-" + g.chars(kubeAlphabet, 5),
			sliceUID:  g.uuid(),
			neg:       fmt.Sprintf("k8s1-%s-%s-%s-%d-%s", w.clusterHash, wc.Namespace, wc.Name, wc.SvcPort, g.hex(8)),
			negIDs:    map[string]string{},
			replicas:  wc.Replicas,
			reconcile: never,
			hpaUID:    g.uuid(),
			createdAt: -g.dur(10*24*time.Hour, 200*24*time.Hour).Truncate(time.Second),
		}
		for z := 0; z < cfg.Zones; z++ {
			d.negIDs[zoneNames[z]] = g.digits(19)
			d.negs = append(d.negs, &negZone{d: d, zone: zoneNames[z], syncAt: never, retry: cfg.NEG.RetryBase})
		}
		d.current = e.newReplicaSet(d, wc.Image)
		w.deploys = append(w.deploys, d)
	}
	for _, d := range w.deploys {
		for i := 0; i < d.cfg.Replicas; i++ {
			if err := e.preexistingPod(d); err != nil {
				return err
			}
		}
	}
	return nil
}

// newReplicaSet adds a ReplicaSet with a fresh pod-template-hash.
func (e *engine) newReplicaSet(d *deployment, image string) *replicaSet {
	hash := e.g.chars(kubeAlphabet, 10)
	rs := &replicaSet{name: d.cfg.Name + "-" + hash, hash: hash, uid: e.g.uuid(), image: image, imageID: e.g.hex(64)}
	d.rss = append(d.rss, rs)
	return rs
}

// preexistingPod adds a pod that has been running, ready and attached since
// well before the window.
func (e *engine) preexistingPod(d *deployment) error {
	g := e.g
	p := e.newPod(d, d.current)
	p.preexisting = true
	p.created = -g.dur(2*time.Hour, 72*time.Hour)
	p.node = e.pickNode(d)
	p.scheduled = p.created + g.secs(0.005, 0.05)
	p.sandbox = p.scheduled + g.secs(0.8, 2)
	ip, ok := p.node.ips.alloc()
	if !ok {
		return fmt.Errorf("node %s: pod CIDR exhausted", p.node.name)
	}
	p.ip = ip
	p.started = p.sandbox + g.secs(0.5, 2)
	p.inSlice = p.started + 200*time.Millisecond
	p.listening = p.started + g.secs(1, 4)
	p.containersReady = p.listening + g.secs(0, 5)
	m := e.newMembership(d, p)
	m.attachRequested = p.inSlice + g.secs(0.3, 2)
	m.attached = m.attachRequested + g.secs(3, 12)
	m.dpStart = m.attached + g.secs(0, 3)
	// first probe of the window's phase: probes run every Interval since
	// long before the window; only the phase matters.
	m.hcPhase = -g.dur(0, e.w.Config.HealthCheck.Interval)
	m.startHealthy = true
	p.negReady = m.attached + g.secs(1, 16)
	p.ready = max(p.containersReady, p.negReady)
	nz := d.negZone(p.node.zone)
	nz.members = append(nz.members, m)
	return nil
}

// newPod adds a pod object of rs with nothing happened yet.
func (e *engine) newPod(d *deployment, rs *replicaSet) *pod {
	p := &pod{
		uid: e.g.uuid(), name: rs.name + "-" + e.g.chars(kubeAlphabet, 5), d: d, rs: rs,
		containerID: "containerd://" + e.g.hex(64),
		created:     never, scheduled: never, sandbox: never, started: never, listening: never,
		containersReady: never, negReady: never, ready: never, inSlice: never,
		t0: never, sliceTerminating: never, killing: never, preStopFailed: never,
		sigterm: never, sigkill: never, stopServing: never, stopListening: never, exit: never,
		statusTerminated: never, gone: never, ipFreed: never,
	}
	d.pods = append(d.pods, p)
	e.w.pods = append(e.w.pods, p)
	return p
}

// newMembership records that p's endpoint is (being) attached to its zonal NEG.
func (e *engine) newMembership(d *deployment, p *pod) *membership {
	m := &membership{
		d: d, zone: p.node.zone, p: p,
		key:             epKey{ip: p.ip, port: d.cfg.Port, node: p.node.name},
		attachRequested: never, attached: never, dpStart: never,
		detachRequested: never, detached: never, dpEnd: never,
		unhealthyAt: never, lastRequest: never,
	}
	e.w.members = append(e.w.members, m)
	return m
}

// pickNode spreads a deployment's pods over zones, then packs each zone's
// nodes evenly (lowest index on ties).
func (e *engine) pickNode(d *deployment) *node {
	zoneCount := map[string]int{}
	nodeCount := make([]int, len(e.w.nodes))
	for _, p := range e.w.pods {
		if p.node == nil || p.deleting {
			continue
		}
		nodeCount[p.node.index]++
		if p.d == d {
			zoneCount[p.node.zone]++
		}
	}
	zone, best := "", -1
	for z := 0; z < e.w.Config.Zones; z++ {
		if n := zoneCount[zoneNames[z]]; best < 0 || n < best {
			zone, best = zoneNames[z], n
		}
	}
	var pick *node
	for _, nd := range e.w.nodes {
		if nd.zone == zone && (pick == nil || nodeCount[nd.index] < nodeCount[pick.index]) {
			pick = nd
		}
	}
	return pick
}

// negZone returns the deployment's NEG syncer for a zone.
func (d *deployment) negZone(zone string) *negZone {
	for _, nz := range d.negs {
		if nz.zone == zone {
			return nz
		}
	}
	return nil
}
