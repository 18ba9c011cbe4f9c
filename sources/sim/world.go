package sim

import (
	"math"
	"net/netip"
	"time"
)

// never marks a moment that did not (yet) happen. All model times are
// offsets from Config.Start.
const never = time.Duration(math.MaxInt64)

// World is the simulated cluster timeline: nodes, workloads, pods, NEG
// memberships and operations, Kubernetes events and watch updates. Run builds
// it; Write turns it (and the traffic it implies) into evidence files.
type World struct {
	Scenario string
	Seed     uint64
	Config   Config

	projectNumber string
	clusterHash   string
	networkID     string
	ingress       string // Ingress name part of forwarding rule names
	ingressHash   string
	nodes         []*node
	deploys       []*deployment
	pods          []*pod // in creation order, pre-existing first
	ops           []*op  // in request order
	members       []*membership
	events        []*eventWrite // events that passed the recorder, in emission order
	podUpdates    []podUpdate   // watch stream, in order
	startRV       int64         // resourceVersion of the start-of-window lists
	end           time.Duration // Config.Window
	detachCount   int           // detach ops issued so far (for NEGController.FailDetach)
}

// node is a GKE node with its pod CIDR.
type node struct {
	name   string
	zone   string
	index  int
	hostIP netip.Addr
	cidr   netip.Prefix
	skew   time.Duration // node clock − true time
	ips    *ipPool
}

// replicaSet is one ReplicaSet of a Deployment.
type replicaSet struct {
	name    string
	hash    string
	uid     string
	image   string
	imageID string // sha256 digest
}

// deployment is a workload at run time: Deployment, Service and its NEGs.
type deployment struct {
	cfg       Workload
	key       string // "ns/name"
	uid       string // Deployment uid
	svcUID    string
	svcIP     netip.Addr
	sliceName string
	sliceUID  string
	neg       string            // NEG name = backend service name
	negIDs    map[string]string // zone → numeric NEG id (read by key only)
	rss       []*replicaSet
	current   *replicaSet
	replicas  int
	pods      []*pod
	reconcile time.Duration // pending reconcile time, never if none
	negs      []*negZone    // per zone, in zone order
	hpaUID    string
	createdAt time.Duration // Deployment/Service creation, before the window
}

// pod is one pod with every moment of its life, in true time.
type pod struct {
	uid         string
	name        string
	d           *deployment
	rs          *replicaSet
	node        *node
	ip          netip.Addr
	containerID string
	preexisting bool

	created, scheduled, sandbox, started, listening time.Duration
	containersReady, negReady, ready                time.Duration
	inSlice                                         time.Duration // endpoint published (has IP)

	// termination; never when the pod is not deleted
	deleting               bool // the ReplicaSet controller chose it
	t0                     time.Duration
	sliceTerminating       time.Duration
	killing, preStopFailed time.Duration
	sigterm, sigkill       time.Duration
	stopServing            time.Duration // no more normal answers
	stopListening          time.Duration // new connections refused
	exit                   time.Duration
	exitCode               int
	exitReason             string
	statusTerminated, gone time.Duration // final status update, DELETED
	ipFreed                time.Duration
}

// key returns "ns/name".
func (p *pod) key() string { return p.d.cfg.Namespace + "/" + p.name }

// terminating reports whether the pod's deletion was requested at or before t.
func (p *pod) terminating(t time.Duration) bool { return p.t0 != never && p.t0 <= t }

// holds reports whether the pod's sandbox holds its IP at t.
func (p *pod) holds(t time.Duration) bool { return p.sandbox <= t && t < p.ipFreed }

// serving reports whether the app answers normally at t.
func (p *pod) serving(t time.Duration) bool { return p.listening <= t && t < p.stopServing }

// epKey identifies a GCE_VM_IP_PORT network endpoint.
type epKey struct {
	ip   netip.Addr
	port int
	node string
}

// membership is one pod's stay in one zonal NEG: from the attach request to
// the detach that took effect.
type membership struct {
	d    *deployment
	zone string
	key  epKey
	p    *pod

	attachOp, detachOp         *op // successful ones; nil for pre-existing / never
	attachRequested, attached  time.Duration
	dpStart                    time.Duration // GFEs start sending (attached + lag)
	detachRequested, detached  time.Duration // first request, first success
	dpEnd                      time.Duration // GFEs stop sending (detached + lag)
	hcPhase                    time.Duration // first health probe
	startHealthy               bool          // healthy before its first probe (pre-existing, handed over)
	inflight                   *op           // attach or detach in flight
	detachOps, failedDetachOps int

	// computed after the run
	eligible    []interval // LB may pick it (in the NEG for the data plane and healthy)
	unhealthyAt time.Duration

	// traffic statistics
	lastRequest time.Duration
	raceErrors  int
}

// interval is a half-open time range [from, to).
type interval struct{ from, to time.Duration }

// opKind is what a NEG operation does.
type opKind string

const (
	opAttach opKind = "attach"
	opDetach opKind = "detach"
)

// op is one Compute attachNetworkEndpoints/detachNetworkEndpoints operation.
type op struct {
	id              string
	numID           string
	kind            opKind
	d               *deployment
	zone            string
	endpoints       []epKey
	members         []*membership
	requested       time.Duration
	done            time.Duration
	lag             time.Duration // data-plane lag after done
	failed          bool
	code            int
	message         string
	portString      bool // request carries port as a string
	insertIDs       [2]string
	receive         [2]time.Duration // receiveTimestamp delays
	insertTimeEarly time.Duration    // response.insertTime precedes the first entry by this
}

// podUpdate is one document of the pod watch stream.
type podUpdate struct {
	kind string // ADDED, MODIFIED, DELETED
	p    *pod
	at   time.Duration
	rv   int64
}

// abs converts a model time to wall-clock time.
func (w *World) abs(t time.Duration) time.Time { return w.Config.Start.Add(t).UTC() }
