// Package computecfg owns the load balancer configuration negtrace reads
// from the Compute API for each NEG-backed backend service: connection
// draining, timeouts, request-log sampling and the health check. These
// enter the recommendations (grace period ≥ preStop + draining + shutdown)
// and say how far the LB request logs can be trusted (sampling).
package computecfg

import "time"

// NEGRef is one zonal NEG behind a backend service.
type NEGRef struct {
	Zone string
	Name string
}

// HealthCheck is the health check of a backend service.
type HealthCheck struct {
	Name               string
	Type               string // HTTP, HTTPS, HTTP2, TCP, GRPC ...
	IntervalSec        int64
	TimeoutSec         int64
	HealthyThreshold   int64
	UnhealthyThreshold int64
	RequestPath        string
}

// DetectionSeconds is how long the LB takes at most to mark an endpoint
// that stopped answering unhealthy: interval × unhealthy threshold.
func (h *HealthCheck) DetectionSeconds() int64 { return h.IntervalSec * h.UnhealthyThreshold }

// Backend is the configuration of one backend service.
type Backend struct {
	Name               string // backend service name (the NEG name with GKE Ingress)
	Project            string
	Region             string  // empty for a global backend service
	Scheme             string  // loadBalancingScheme: EXTERNAL, EXTERNAL_MANAGED, INTERNAL_MANAGED ...
	TimeoutSec         int64   // backend timeout (backend_timeout statusDetails)
	DrainingTimeoutSec int64   // connectionDraining.drainingTimeoutSec; 0 = disabled
	LogEnabled         bool    // logConfig.enable
	SampleRate         float64 // logConfig.sampleRate (0..1) when logging is enabled
	NEGs               []NEGRef
	HealthCheck        *HealthCheck // nil when unknown
	FetchedAt          time.Time
}

// Sampled reports whether the backend service logs only a fraction of its
// requests: logging on with a sample rate strictly between 0 and 1.
func (b *Backend) Sampled() bool {
	return b.LogEnabled && b.SampleRate > 0 && b.SampleRate < 1
}
