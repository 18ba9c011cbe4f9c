// Package sim is a deterministic simulator of the GKE NEG detach race: pods
// of Deployments behind container-native NEGs are created, rolled out and
// scaled down; the NEG controller detaches terminating endpoints in batched,
// slow and sometimes failing Compute operations; a load balancer keeps
// sending requests to endpoints it still believes in, and the pods answer,
// refuse or drain depending on how far their shutdown has gone.
//
// Run turns a Config into a World (the cluster timeline); Write streams the
// load balancer traffic for that World and writes every piece of evidence in
// the real export formats (Cloud Logging sink NDJSON, gcloud JSON, kubectl
// JSON) plus the ground truth (truth.json, see Truth). The simulator is an
// independent implementation of those formats: it never imports the
// negtrace parsers, so each checks the other.
//
// Everything is a pure function of the Config and the seed: randomness comes
// from math/rand/v2 PCG streams, times from Config.Start, and no map is
// iterated where order could leak into the output.
package sim

import "time"

// IPAllocation is how a node hands out pod IPs from its pod CIDR.
type IPAllocation string

// IP allocation policies.
const (
	// IPSequential hands out the next free address after the last one given,
	// wrapping around (the host-local IPAM default): reuse is slow.
	IPSequential IPAllocation = "sequential"
	// IPLowestFree hands out the lowest free address: an IP freed by a pod
	// that just left goes to the next pod created on that node.
	IPLowestFree IPAllocation = "lowest-free"
)

// PreStopKind is the kind of a container's preStop hook.
type PreStopKind string

// PreStop hook kinds.
const (
	PreStopNone      PreStopKind = "none"
	PreStopExecSleep PreStopKind = "exec_sleep" // exec ["/bin/sh","-c","sleep N"]
	PreStopSleep     PreStopKind = "sleep"      // the native lifecycle.preStop.sleep action
)

// PreStop configures a workload's preStop hook.
type PreStop struct {
	Kind    PreStopKind
	Seconds int
	// Fails makes the exec hook fail at once (e.g. no /bin/sh in a distroless
	// image): kubelet records FailedPreStopHook and sends SIGTERM right away.
	Fails bool
}

// AppKind is how the application reacts to SIGTERM.
type AppKind string

// Application behaviours.
const (
	// AppExit stops listening at SIGTERM and exits 0.1-0.5 s later.
	AppExit AppKind = "exit"
	// AppDrain503 answers every request with 503 for Seconds after SIGTERM,
	// then exits.
	AppDrain503 AppKind = "drain503"
	// AppGraceful keeps serving until it exits Seconds after SIGTERM.
	AppGraceful AppKind = "graceful"
)

// App configures the application's shutdown behaviour.
type App struct {
	Kind     AppKind
	Seconds  float64 // drain or graceful-shutdown duration
	ExitCode int     // exit code of a clean exit (0 or 143); SIGKILL gives 137
}

// Lookalikes are per-request rates of errors that are not the detach race.
type Lookalikes struct {
	AppError         float64 // 500/503 response_sent_by_backend from a serving pod
	KeepAlive        float64 // 502 backend_connection_closed_before_data_sent_to_client on a pod that is not terminating
	BackendTimeout   float64 // 502 backend_timeout on a healthy pod that is not terminating
	ClientDisconnect float64 // status 0 client_disconnected_before_any_response
	InternalError    float64 // 502 internal_error, no serverIp
	PickFail         float64 // 503 failed_to_pick_backend although endpoints exist
}

// Workload configures one Deployment, its Service and the Service's NEGs.
type Workload struct {
	Namespace  string
	Name       string // Deployment and Service name
	Replicas   int    // at the start of the window
	Image      string
	Port       int // containerPort = NEG endpoint port
	SvcPort    int // Service port (part of the NEG name)
	Grace      int // terminationGracePeriodSeconds
	PreStop    PreStop
	App        App
	MaxSurge   int // rolling update, resolved counts
	MaxUnavail int
	RPS        float64  // LB requests per second to this backend service
	Paths      []string // request paths
	Lookalikes Lookalikes
}

// ActionKind is a change to a Deployment.
type ActionKind string

// Actions.
const (
	ActionRollout ActionKind = "rollout" // new pod template: a new ReplicaSet rolls out
	ActionScale   ActionKind = "scale"   // set replicas
)

// Action is one change to a Deployment at an offset from the window start.
type Action struct {
	At       time.Duration
	Workload string // "namespace/name"
	Kind     ActionKind
	Replicas int    // for ActionScale
	HPA      bool   // the scale comes from a HorizontalPodAutoscaler (SuccessfulRescale event)
	Image    string // for ActionRollout: the new image; empty keeps a derived tag
}

// HealthCheck configures the load balancer health check of every backend.
type HealthCheck struct {
	Interval           time.Duration // checkIntervalSec
	UnhealthyThreshold int
}

// NEGController configures the NEG controller and the Compute API.
type NEGController struct {
	SyncDelayMin, SyncDelayMax time.Duration // batching delay after an endpoint change
	DetachMedian               time.Duration // lognormal op latency
	DetachSigma                float64
	AttachMedian               time.Duration
	AttachSigma                float64
	OpMax                      time.Duration // cap of op latency
	FailureRate                float64       // probability that an op fails
	FailDetach                 []int         // 1-based indices of detach ops that fail regardless
	RetryBase                  time.Duration // first retry backoff, doubling
	DataPlaneLagMax            time.Duration // endpoint change reaches the GFEs 0..this after op completion
	BetaAPI                    bool          // use beta.compute... method names (dual-stack NEG flag)
	// EventBurstUsed is how many Normal events the controller emitted on
	// each Service just before the window (an earlier rollout): they use up
	// part of the event spam filter's burst of 25.
	EventBurstUsed int
}

// Evidence says which evidence files to write and how.
type Evidence struct {
	OmitAudit bool // do not write neg-audit.json
	// OverlapFrom/OverlapTo (offsets from the start) select LB entries that
	// are also written to lb-requests-overlap.jsonl (plain NDJSON), as a
	// second, overlapping export. Both zero: no such file.
	OverlapFrom, OverlapTo time.Duration
	PortShare              float64 // share of LB entries whose serverIp carries ":port"
}

// Config is everything a simulation depends on besides its seed.
type Config struct {
	Project      string
	Cluster      string // cluster name
	Location     string // cluster location (region)
	Host         string // request host name
	Start        time.Time
	Window       time.Duration
	Zones        int // 1-3: us-central1-a, -b, -c
	NodesPerZone int
	IPAlloc      IPAllocation
	MaxSkew      time.Duration // per-node clock offset bound for kubelet-sourced times
	HealthCheck  HealthCheck
	NEG          NEGController
	Workloads    []Workload
	Actions      []Action
	Evidence     Evidence
	// LBEntries, when > 0, scales every backend's RPS so that about this many
	// LB entries are written.
	LBEntries int
}

// Scenario is a named, seeded Config.
type Scenario struct {
	Name        string
	Description string
	Seed        uint64
	Config      Config
}
