// Package analyzer turns collected evidence (LB request logs, pod
// termination records, NEG operations, Kubernetes events) into a Report: a
// cause for every LB 5xx, a timeline and verdict for every pod termination,
// and per-workload preStop/grace recommendations.
//
// Analyze is pure: it does no I/O and reads nothing but its arguments, so
// the same evidence always gives the same report.
package analyzer

import (
	"fmt"
	"time"
)

// Options tune the analysis. The zero value is not valid; start from
// DefaultOptions.
type Options struct {
	// Slack is how long after a detach operation completes the load
	// balancer may still send requests to the endpoint (data-plane
	// propagation). Zero means learn it from the evidence (the largest
	// observed gap between detach completion and the last request),
	// bounded by [MinSlack, MaxSlack].
	Slack time.Duration
	// MinSlack and MaxSlack bound a learned Slack; DefaultSlack is used
	// when nothing can be learned.
	MinSlack, MaxSlack, DefaultSlack time.Duration
	// SkewTolerance absorbs clock differences between the load balancer,
	// the control plane and node clocks (kubelet events), and the
	// one-second precision of Kubernetes timestamps.
	SkewTolerance time.Duration
	// Margin is added to measured durations before rounding recommendations.
	Margin time.Duration
	// RoundTo is the step recommendations are rounded up to.
	RoundTo time.Duration
	// DefaultShutdown is the application shutdown time assumed for grace
	// periods when no container exit after SIGTERM was observed.
	DefaultShutdown time.Duration
}

// DefaultOptions returns the options negtrace uses unless told otherwise.
func DefaultOptions() Options {
	return Options{
		MinSlack:        3 * time.Second,
		MaxSlack:        60 * time.Second,
		DefaultSlack:    5 * time.Second,
		SkewTolerance:   2 * time.Second,
		Margin:          5 * time.Second,
		RoundTo:         5 * time.Second,
		DefaultShutdown: 10 * time.Second,
	}
}

func (o Options) validate() error {
	switch {
	case o.Slack < 0 || o.SkewTolerance < 0 || o.Margin < 0 || o.DefaultShutdown < 0:
		return fmt.Errorf("analyzer options: durations must not be negative")
	case o.RoundTo <= 0:
		return fmt.Errorf("analyzer options: RoundTo must be positive")
	case o.MinSlack > o.MaxSlack:
		return fmt.Errorf("analyzer options: MinSlack %v above MaxSlack %v", o.MinSlack, o.MaxSlack)
	}
	return nil
}
