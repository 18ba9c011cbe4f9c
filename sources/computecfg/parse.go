package computecfg

import (
	"math"
	"strconv"
	"time"

	"cloud.google.com/go/compute/apiv1/computepb"
)

// Compute API defaults for fields a resource may omit. The API fills them in
// when a resource is created, so they only matter for hand-written input,
// but a missing interval must not read as "detected at once".
const (
	defaultBackendTimeoutSec       = 30 // backendService.timeoutSec
	defaultCheckIntervalSec        = 5  // healthCheck.checkIntervalSec
	defaultCheckTimeoutSec         = 5  // healthCheck.timeoutSec
	defaultCheckHealthyThreshold   = 2  // healthCheck.healthyThreshold
	defaultCheckUnhealthyThreshold = 2  // healthCheck.unhealthyThreshold
	defaultLogSampleRate           = 1  // backendService.logConfig.sampleRate when logging is on
)

// Collections of the resource URLs BackendFrom reads.
const (
	collectionNEG         = "networkEndpointGroups"
	collectionHealthCheck = "healthChecks"
)

// BackendFrom converts a backend service, and its health check when known
// (hc may be nil), into a Backend fetched at the given time. It is pure and
// nil-safe: a nil service gives a Backend with only FetchedAt set.
//
// Project and region come from the service's selfLink (region falls back to
// its region field). NEGs are the zonal network endpoint groups among
// backends[].group; instance groups and regional or global NEGs are left out.
// Omitted numbers take the Compute API defaults (timeout 30 s; health check
// every 5 s, timeout 5 s, thresholds 2/2; sample rate 1.0 when logging is on).
func BackendFrom(bs *computepb.BackendService, hc *computepb.HealthCheck, fetched time.Time) Backend {
	if bs == nil {
		return Backend{FetchedAt: fetched}
	}
	b := Backend{
		Name:               bs.GetName(),
		Scheme:             bs.GetLoadBalancingScheme(),
		TimeoutSec:         defaultBackendTimeoutSec,
		DrainingTimeoutSec: int64(bs.GetConnectionDraining().GetDrainingTimeoutSec()),
		FetchedAt:          fetched,
	}
	if bs.TimeoutSec != nil {
		b.TimeoutSec = int64(bs.GetTimeoutSec())
	}
	if l, ok := ParseLink(bs.GetSelfLink()); ok {
		b.Project, b.Region = l.Project, l.Region
		if b.Name == "" {
			b.Name = l.Name
		}
	}
	if b.Region == "" && bs.GetRegion() != "" {
		b.Region = lastSegment(bs.GetRegion())
	}
	if lc := bs.GetLogConfig(); lc.GetEnable() {
		b.LogEnabled = true
		b.SampleRate = defaultLogSampleRate
		if lc.SampleRate != nil {
			b.SampleRate = rate(lc.GetSampleRate())
		}
	}
	b.NEGs = negsOf(bs.GetBackends())
	if hc != nil {
		b.HealthCheck = healthCheckFrom(hc, healthCheckName(bs))
	}
	return b
}

// HealthCheckLink is the health check a backend service uses (the first of
// healthChecks[]); false when it has none or the URL is not a health check
// (legacy httpHealthChecks are not read).
func HealthCheckLink(bs *computepb.BackendService) (Link, bool) {
	hcs := bs.GetHealthChecks()
	if len(hcs) == 0 {
		return Link{}, false
	}
	l, ok := ParseLink(hcs[0])
	if !ok || l.Collection != collectionHealthCheck {
		return Link{}, false
	}
	return l, true
}

// HasNEG says a backend service routes to at least one zonal NEG: the
// backend services of GKE container-native load balancing.
func HasNEG(bs *computepb.BackendService) bool { return len(negsOf(bs.GetBackends())) > 0 }

// healthCheckName is the last segment of the first health-check URL.
func healthCheckName(bs *computepb.BackendService) string {
	hcs := bs.GetHealthChecks()
	if len(hcs) == 0 {
		return ""
	}
	return lastSegment(hcs[0])
}

// negsOf lists the zonal NEGs among a backend service's backends, once each,
// in the order they appear.
func negsOf(backends []*computepb.Backend) []NEGRef {
	var negs []NEGRef
	seen := make(map[NEGRef]bool)
	for _, be := range backends {
		l, ok := ParseLink(be.GetGroup())
		if !ok || l.Collection != collectionNEG || l.Zone == "" {
			continue
		}
		r := NEGRef{Zone: l.Zone, Name: l.Name}
		if !seen[r] {
			seen[r] = true
			negs = append(negs, r)
		}
	}
	return negs
}

// healthCheckFrom converts a health check; name is used when the resource
// carries none.
func healthCheckFrom(hc *computepb.HealthCheck, name string) *HealthCheck {
	h := &HealthCheck{
		Name:               hc.GetName(),
		Type:               hc.GetType(),
		IntervalSec:        orDefault(hc.CheckIntervalSec, defaultCheckIntervalSec),
		TimeoutSec:         orDefault(hc.TimeoutSec, defaultCheckTimeoutSec),
		HealthyThreshold:   orDefault(hc.HealthyThreshold, defaultCheckHealthyThreshold),
		UnhealthyThreshold: orDefault(hc.UnhealthyThreshold, defaultCheckUnhealthyThreshold),
		RequestPath:        requestPath(hc),
	}
	if h.Name == "" {
		h.Name = name
	}
	return h
}

// requestPath is the path an HTTP-family health check probes; the check's
// type picks the block, else the first HTTP-family block present.
func requestPath(hc *computepb.HealthCheck) string {
	switch hc.GetType() {
	case "HTTP":
		return hc.GetHttpHealthCheck().GetRequestPath()
	case "HTTPS":
		return hc.GetHttpsHealthCheck().GetRequestPath()
	case "HTTP2":
		return hc.GetHttp2HealthCheck().GetRequestPath()
	case "":
		for _, p := range []string{
			hc.GetHttpHealthCheck().GetRequestPath(),
			hc.GetHttpsHealthCheck().GetRequestPath(),
			hc.GetHttp2HealthCheck().GetRequestPath(),
		} {
			if p != "" {
				return p
			}
		}
	}
	return ""
}

// orDefault widens an optional int32, or gives def when it is absent.
func orDefault(v *int32, def int64) int64 {
	if v == nil {
		return def
	}
	return int64(*v)
}

// rate widens a sample rate to the float64 of its shortest decimal form,
// so 0.1 reads 0.1, not 0.10000000149011612, and keeps it within 0..1 (the
// API's range; NaN reads 0).
func rate(f float32) float64 {
	switch {
	case math.IsNaN(float64(f)) || f <= 0:
		return 0
	case f >= 1:
		return 1
	}
	d, err := strconv.ParseFloat(strconv.FormatFloat(float64(f), 'g', -1, 32), 64)
	if err != nil { // a finite float32 always formats and parses back
		return float64(f)
	}
	return d
}
