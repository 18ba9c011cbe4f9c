// Package kube owns compact, typed records of the Kubernetes objects negtrace
// reads (Pods, EndpointSlices, Events, Services) and their conversion from
// API objects, kubectl JSON output (lists and watch streams) and GKE's copy of
// events in Cloud Logging.
//
// Conversion is pure: the same functions serve exported files and, later,
// client-go informers.
package kube

import (
	"net/netip"
	"strconv"
	"time"
)

// PreStopKind says what a container's preStop hook does.
type PreStopKind string

// PreStop hook kinds.
const (
	PreStopNone      PreStopKind = "none"
	PreStopSleep     PreStopKind = "sleep"      // the native lifecycle.preStop.sleep action
	PreStopExecSleep PreStopKind = "exec_sleep" // exec of a command that is (or starts with) sleep N
	PreStopExec      PreStopKind = "exec"       // another command: duration unknown
	PreStopHTTP      PreStopKind = "http"       // httpGet: duration unknown
)

// PreStop is a container's preStop hook as far as its duration is known.
type PreStop struct {
	Kind    PreStopKind
	Seconds float64 // known sleep duration; 0 when unknown or none
	Command []string
}

// ContainerExit is a container's final state.terminated.
type ContainerExit struct {
	Container  string
	ExitCode   int
	Signal     int
	Reason     string
	StartedAt  time.Time
	FinishedAt time.Time
}

// Pod is one observed version of a Pod, reduced to what the analysis needs.
type Pod struct {
	UID              string
	Namespace        string
	Name             string
	Node             string
	IP               netip.Addr   // status.podIP; invalid before assignment
	IPs              []netip.Addr // status.podIPs
	Workload         string       // "ns/name" of the Deployment (from the ReplicaSet owner), StatefulSet, etc.; "ns/pod" when unowned
	OwnerKind        string       // kind of the controller owner reference
	Created          time.Time    // metadata.creationTimestamp
	Started          time.Time    // status.startTime
	ReadyAt          time.Time    // Ready condition lastTransitionTime when True
	Deletion         time.Time    // metadata.deletionTimestamp (a deadline, not the request time)
	DeletionGrace    *int64       // metadata.deletionGracePeriodSeconds
	TerminationGrace int64        // spec.terminationGracePeriodSeconds (default 30)
	PreStop          PreStop      // of the serving container (the first one with a port, else the first)
	Container        string       // name of that container
	Ports            []int        // container ports of all containers
	Exits            []ContainerExit
	Phase            string
	ResourceVersion  string
	Deleted          bool // seen as a watch DELETED event
}

// Key identifies a pod across its versions: its UID, else namespace/name.
// The analyzer merges versions by it and the state store keys pods by it.
func (p *Pod) Key() string {
	if p.UID != "" {
		return p.UID
	}
	return p.Namespace + "/" + p.Name
}

// VersionKey identifies one observed version of a pod: its resourceVersion,
// else the fields the analysis reads (phase, IP, deletion, exit count). The
// analyzer dedups versions by it and the state store records it.
func (p *Pod) VersionKey() string {
	if p.ResourceVersion != "" {
		return p.ResourceVersion
	}
	return p.Phase + p.IP.String() + p.Deletion.String() + strconv.Itoa(len(p.Exits))
}

// DeletionRequested is T0, when the API server accepted the delete:
// deletionTimestamp − deletionGracePeriodSeconds. ok is false when the pod
// carries no deletion.
func (p *Pod) DeletionRequested() (t time.Time, ok bool) {
	if p.Deletion.IsZero() {
		return time.Time{}, false
	}
	return p.Deletion.Add(-time.Duration(p.Grace()) * time.Second), true
}

// Grace is the grace period in seconds the pod's termination runs under:
// metadata.deletionGracePeriodSeconds when set, else
// spec.terminationGracePeriodSeconds.
func (p *Pod) Grace() int64 {
	if p.DeletionGrace != nil {
		return *p.DeletionGrace
	}
	return p.TerminationGrace
}

// SliceEndpoint is one endpoint of an EndpointSlice.
type SliceEndpoint struct {
	Addresses   []netip.Addr
	Ready       bool // nil means true
	Serving     bool // nil means true
	Terminating bool // nil means false
	PodUID      string
	PodName     string
	Node        string
	Zone        string
}

// SlicePort is one port of an EndpointSlice.
type SlicePort struct {
	Name string
	Port int
}

// EndpointSlice is one observed version of an EndpointSlice.
type EndpointSlice struct {
	Namespace       string
	Name            string
	Service         string // label kubernetes.io/service-name
	Ports           []SlicePort
	Endpoints       []SliceEndpoint
	ResourceVersion string
}

// Service is a Service with its NEG status annotation.
type Service struct {
	Namespace   string
	Name        string
	UID         string
	NEGs        map[string]string // cloud.google.com/neg-status network_endpoint_groups: service port → NEG name
	Zones       []string          // cloud.google.com/neg-status zones
	TargetPorts map[int]int       // service port → numeric target port, when numeric
}

// Event is a core/v1 (or events.k8s.io/v1) Event.
type Event struct {
	InsertID   string // LogEntry insertId when read from Cloud Logging
	Namespace  string
	Name       string
	Kind       string // involvedObject.kind
	ObjectName string // involvedObject.name
	ObjectUID  string // involvedObject.uid
	FieldPath  string
	Reason     string
	Message    string
	Type       string    // Normal | Warning
	Component  string    // source.component / reportingComponent
	Host       string    // source.host / reportingInstance
	Time       time.Time // eventTime, else series.lastObservedTime, lastTimestamp, firstTimestamp
	FirstTime  time.Time
	Count      int
}

// Event reasons the analysis branches on.
const (
	ReasonKilling           = "Killing"
	ReasonFailedPreStopHook = "FailedPreStopHook"
	ReasonAttach            = "Attach"
	ReasonDetach            = "Detach"
	ReasonAttachFailed      = "AttachFailed"
	ReasonDetachFailed      = "DetachFailed"
	ReasonScalingReplicaSet = "ScalingReplicaSet"
	ReasonSuccessfulRescale = "SuccessfulRescale"
)

// Aggregated reports whether the event stands for several occurrences, so
// its timestamp is that of the last one and the first is uncertain.
func (e *Event) Aggregated() bool { return e.Count > 1 }
