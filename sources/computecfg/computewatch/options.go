package computewatch

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"google.golang.org/api/option"

	"github.com/negtrace/negtrace/sources/state"
)

// Defaults of Options.
const (
	DefaultInterval = 5 * time.Minute
	DefaultTimeout  = 2 * time.Minute
)

// Options configure a Fetcher.
type Options struct {
	// Project is the Google Cloud project of the load balancer. Required.
	Project string
	// BackendServices are the names of the backend services to watch. If
	// empty, every backend service with a zonal NEG backend (GKE
	// container-native load balancing) is watched, found by listing.
	BackendServices []string
	// Regions whose regional backend services are read too. If empty, only
	// global backend services are read.
	Regions []string
	// ClientOptions are passed to the Compute REST clients, e.g.
	// option.WithEndpoint for a private endpoint, or in tests
	// option.WithEndpoint(fake URL) and option.WithoutAuthentication().
	// If empty, Application Default Credentials and the public endpoint.
	ClientOptions []option.ClientOption
	// Apply stores what was read. Required.
	Apply state.ApplyFunc
	// Interval between reads. If zero, DefaultInterval.
	Interval time.Duration
	// Timeout bounds one read of every backend service and health check,
	// the client's own retries of 503/504 included. If zero,
	// DefaultTimeout.
	Timeout time.Duration
	// Logger receives failures and recoveries. If nil, nothing is logged.
	Logger *slog.Logger
	// Now is the clock of FetchedAt and LastSuccess. If nil, time.Now.
	Now func() time.Time
	// Backoff is the wait after the attempt-th consecutive failed read
	// (attempt starts at 1). If nil, DefaultBackoff bounded by Interval.
	Backoff func(attempt int) time.Duration
}

// validate checks the required fields and fills in the defaults.
func (o *Options) validate() error {
	var errs []error
	if o.Project == "" || strings.ContainsAny(o.Project, "/ ") {
		errs = append(errs, fmt.Errorf("project %q: want a project ID", o.Project))
	}
	if o.Apply == nil {
		errs = append(errs, errors.New("apply is required"))
	}
	for _, n := range o.BackendServices {
		if n == "" || strings.ContainsAny(n, "/ ") {
			errs = append(errs, fmt.Errorf("backend service %q: want a name", n))
		}
	}
	for _, r := range o.Regions {
		if r == "" || strings.ContainsAny(r, "/ ") {
			errs = append(errs, fmt.Errorf("region %q: want a region name like us-central1", r))
		}
	}
	if o.Interval < 0 || o.Timeout < 0 {
		errs = append(errs, fmt.Errorf("interval %v and timeout %v must not be negative", o.Interval, o.Timeout))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("compute watch options: %w", err)
	}
	o.BackendServices, o.Regions = unique(o.BackendServices), unique(o.Regions)
	if o.Interval == 0 {
		o.Interval = DefaultInterval
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Backoff == nil {
		interval := o.Interval
		o.Backoff = func(attempt int) time.Duration { return min(DefaultBackoff(attempt), interval) }
	}
	return nil
}

// unique drops repeated names, keeping the first of each in order.
func unique(names []string) []string {
	var out []string
	for _, n := range names {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
