package cloudlog

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/negtrace/negtrace/sources/kube"
	"github.com/negtrace/negtrace/sources/lblog"
)

// What the filter selects.
var (
	// lbResourceTypes are the resource types of Application Load Balancer
	// request logs (field reference §1.1).
	lbResourceTypes = []string{lblog.ResourceGlobal, lblog.ResourceRegionalExternal, lblog.ResourceInternal}
	// negMethods are methodName substrings of the Compute calls that attach
	// and detach NEG endpoints, whatever the API version prefix (v1., beta.).
	negMethods = []string{"networkEndpointGroups.detachNetworkEndpoints", "networkEndpointGroups.attachNetworkEndpoints"}
	// eventReasons are the Kubernetes event reasons the analysis uses:
	// kubelet kills and preStop failures, NEG controller attach/detach, and
	// what scaled the workload.
	eventReasons = []string{
		kube.ReasonKilling, kube.ReasonFailedPreStopHook,
		kube.ReasonAttach, kube.ReasonDetach, kube.ReasonAttachFailed, kube.ReasonDetachFailed,
		kube.ReasonScalingReplicaSet, kube.ReasonSuccessfulRescale,
	}
)

const (
	// MaxFilterLen is the longest filter Cloud Logging accepts.
	MaxFilterLen = 20000
	// orChunk is the most values in one parenthesised OR list; longer lists
	// become several comparisons joined by OR (as KHI does).
	orChunk = 10
	// auditLogID is the Admin Activity audit log, where Compute writes NEG
	// attach/detach calls.
	auditLogID = "cloudaudit.googleapis.com/activity"
	// eventsLogID is GKE's copy of Kubernetes events.
	eventsLogID = "events"
)

// Filter returns the server-side filter (Logging query language) of the
// entries the reader reads with timestamps in [from, to); a zero from or to
// leaves that side open (the tail stream's filter has neither). For
// example, with Cluster "prod", one backend service and one NEG:
//
//	timestamp>="2025-03-04T18:00:00Z"
//	timestamp<"2025-03-04T19:00:00Z"
//	(
//	  (resource.type=("http_load_balancer" OR "http_external_regional_lb_rule" OR "internal_http_lb_rule")
//	   AND httpRequest.status>=500
//	   AND (resource.labels.backend_service_name=("k8s1-…") OR resource.labels.backend_name=("k8s1-…")))
//	  OR (log_id("cloudaudit.googleapis.com/activity")
//	   AND protoPayload.methodName:("networkEndpointGroups.detachNetworkEndpoints" OR "networkEndpointGroups.attachNetworkEndpoints")
//	   AND protoPayload.resourceName:("networkEndpointGroups/k8s1-…"))
//	  OR (log_id("events")
//	   AND resource.labels.cluster_name="prod"
//	   AND jsonPayload.reason=("Killing" OR "FailedPreStopHook" OR "Attach" OR "Detach" OR "AttachFailed" OR "DetachFailed" OR "ScalingReplicaSet" OR "SuccessfulRescale"))
//	)
//
// that is: the 5xx of the Application Load Balancers (of the backend
// services in BackendServices, if any), the Admin Activity audit entries of
// NEG attach/detach calls (on the NEGs in NEGs, if any; ":" is a substring
// match, so a name also matches longer names it prefixes, which the
// analysis ignores) and the Kubernetes events the analysis uses (of
// Cluster and Location, if set). Every AND and OR is parenthesised, since
// in the Logging query language OR binds tighter than AND. Lists of more
// than 10 names are split into several comparisons. If the names would
// make the filter longer than MaxFilterLen, the NEG list, then the backend
// service list, is left out: the reader then reads more than it needs
// rather than nothing.
func Filter(opts Options, from, to time.Time) string {
	f := buildFilter(opts, from, to, true, true)
	if len(f) > MaxFilterLen {
		f = buildFilter(opts, from, to, true, false)
	}
	if len(f) > MaxFilterLen {
		f = buildFilter(opts, from, to, false, false)
	}
	return f
}

func buildFilter(opts Options, from, to time.Time, withBackends, withNEGs bool) string {
	var b strings.Builder
	if !from.IsZero() {
		b.WriteString(`timestamp>=` + quote(formatCheckpoint(from)) + "\n")
	}
	if !to.IsZero() {
		b.WriteString(`timestamp<` + quote(formatCheckpoint(to)) + "\n")
	}

	lb := []string{
		"resource.type=" + orList(lbResourceTypes),
		"httpRequest.status>=500",
	}
	if withBackends && len(opts.BackendServices) > 0 {
		lb = append(lb, "("+
			anyOf("resource.labels.backend_service_name", "=", opts.BackendServices)+" OR "+
			anyOf("resource.labels.backend_name", "=", opts.BackendServices)+")")
	}

	audit := []string{
		"log_id(" + quote(auditLogID) + ")",
		"protoPayload.methodName:" + orList(negMethods),
	}
	if withNEGs && len(opts.NEGs) > 0 {
		subs := make([]string, len(opts.NEGs))
		for i, n := range opts.NEGs {
			subs[i] = "networkEndpointGroups/" + n
		}
		audit = append(audit, "("+anyOf("protoPayload.resourceName", ":", subs)+")")
	}

	events := []string{"log_id(" + quote(eventsLogID) + ")"}
	if opts.Cluster != "" {
		events = append(events, "resource.labels.cluster_name="+quote(opts.Cluster))
	}
	if opts.Location != "" {
		events = append(events, "resource.labels.location="+quote(opts.Location))
	}
	events = append(events, "jsonPayload.reason="+orList(eventReasons))

	b.WriteString("(\n")
	for i, clause := range [][]string{lb, audit, events} {
		b.WriteString("  ")
		if i > 0 {
			b.WriteString("OR ")
		}
		b.WriteString("(" + strings.Join(clause, "\n   AND ") + ")\n")
	}
	b.WriteString(")")
	return b.String()
}

// anyOf is `field OP ("a" OR … )` for values, split into OR-joined chunks
// of at most orChunk values.
func anyOf(field, op string, values []string) string {
	var parts []string
	for chunk := range slices.Chunk(values, orChunk) {
		parts = append(parts, field+op+orList(chunk))
	}
	return strings.Join(parts, " OR ")
}

// orList is `("a" OR "b" …)`.
func orList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = quote(v)
	}
	return "(" + strings.Join(q, " OR ") + ")"
}

// quote makes s a Logging query language string literal.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// TailPollFactor is how many times longer the wait between ListLogEntries
// passes is while a tail stream is open: the stream delivers new entries
// within seconds, and the passes only catch what it missed.
const TailPollFactor = 10

// CallsPerHour is the number of entries.list calls (ListLogEntries) an
// hour of watching costs with opts in steady state: one call per pass,
// a pass every Poll (every TailPollFactor*Poll while a tail stream is open).
// Each pass costs one more call per further 1,000 matching entries in its
// window (Overlap plus the time since the previous pass), and a tail
// stream's suppression notices and reconnections each cost an extra pass.
// Retries after errors are not counted. The project's read quota is
// shared by every reader of the project.
func CallsPerHour(opts Options) int {
	o := opts.withDefaults()
	interval := o.Poll
	if o.Tail {
		interval *= TailPollFactor
	}
	return int(math.Ceil(float64(time.Hour) / float64(interval)))
}
