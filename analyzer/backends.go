package analyzer

import (
	"fmt"
	"math"
	"slices"

	"github.com/negtrace/negtrace/sources/computecfg"
	"github.com/negtrace/negtrace/sources/lblog"
)

// lbConfig is the load balancer configuration that bears on a workload's
// termination settings.
type lbConfig struct {
	draining  *int64 // largest connection draining of its backend services (the largest wins for a shared NEG)
	detection *int64 // longest health-check detection time
}

// backendsOf finds the backend services that route to a workload's NEGs.
func backendsOf(bs []computecfg.Backend, terms []*termination) lbConfig {
	var cfg lbConfig
	negs := make(map[string]bool)
	for _, t := range terms {
		if t.neg != "" {
			negs[t.neg] = true
		}
	}
	for i := range bs {
		b := &bs[i]
		match := negs[b.Name]
		for _, n := range b.NEGs {
			match = match || negs[n.Name]
		}
		if !match {
			continue
		}
		if cfg.draining == nil || b.DrainingTimeoutSec > *cfg.draining {
			cfg.draining = ptr(b.DrainingTimeoutSec)
		}
		if hc := b.HealthCheck; hc != nil {
			if d := hc.DetectionSeconds(); cfg.detection == nil || d > *cfg.detection {
				cfg.detection = ptr(d)
			}
		}
	}
	return cfg
}

// sampleRate is the fraction of requests a backend service logs; 1 when
// unknown or not sampled.
func sampleRate(bs []computecfg.Backend, name string) float64 {
	for i := range bs {
		if b := &bs[i]; b.Name == name && b.Sampled() {
			return b.SampleRate
		}
	}
	return 1
}

// estimate5xx scales the logged 5xx by each backend's sample rate; nil when
// no backend is sampled.
func estimate5xx(bs []computecfg.Backend, errs []lblog.Request) *int {
	sampled := slices.ContainsFunc(bs, func(b computecfg.Backend) bool { return b.Sampled() })
	if !sampled {
		return nil
	}
	var est float64
	for i := range errs {
		est += 1 / sampleRate(bs, errs[i].BackendService)
	}
	return ptr(int(math.Round(est)))
}

// backendNotes warns about LB logging that hides errors.
func backendNotes(bs []computecfg.Backend) []string {
	var n []string
	for _, b := range bs {
		switch {
		case !b.LogEnabled:
			n = append(n, fmt.Sprintf("LB request logging is off for backend service %s: its errors cannot be seen (enable logging in the BackendConfig: spec.logging.enable: true).", b.Name))
		case b.Sampled():
			n = append(n, fmt.Sprintf("Backend service %s logs a %g sample of requests: error counts are of logged entries (×%.3g for an estimate), and no error seen does not prove none happened.", b.Name, b.SampleRate, 1/b.SampleRate))
		}
	}
	return n
}
