package computewatch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"cloud.google.com/go/compute/apiv1/computepb"
	"github.com/googleapis/gax-go/v2"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"

	"github.com/negtrace/negtrace/sources/computecfg"
)

// listRetry retries a list page on 503 and 504 as the clients retry Get:
// their List methods do not apply the default retry settings.
var listRetry = gax.WithRetry(func() gax.Retryer {
	return gax.OnHTTPCodes(gax.Backoff{Initial: 100 * time.Millisecond, Max: time.Minute, Multiplier: 1.3},
		http.StatusGatewayTimeout, http.StatusServiceUnavailable)
})

// readResult is what one round read.
type readResult struct {
	backends []computecfg.Backend
	failures []error  // failed calls, each wrapped with what was called
	missing  []string // named backend services found in no scope
}

// err is the first failure of the round, nil when every call succeeded.
func (r *readResult) err() error {
	if len(r.failures) == 0 {
		return nil
	}
	return r.failures[0]
}

// scoped is a backend service and the region it was read in ("" global).
type scoped struct {
	bs     *computepb.BackendService
	region string
}

// read reads the watched backend services and their health checks.
func (f *Fetcher) read(ctx context.Context) *readResult {
	r := &readResult{}
	now := f.opts.Now()
	regions := append([]string{""}, f.opts.Regions...)
	var found []scoped
	if len(f.opts.BackendServices) == 0 {
		for _, region := range regions {
			found = append(found, f.listNEGBacked(ctx, region, r)...)
		}
	} else {
		found = f.getNamed(ctx, regions, r)
	}
	checks := make(map[string]*computepb.HealthCheck) // read this round, by URL
	for _, s := range found {
		hc := f.healthCheck(ctx, s.bs, checks, r)
		b := computecfg.BackendFrom(s.bs, hc, now)
		if b.Project == "" {
			b.Project = f.opts.Project
		}
		if b.Region == "" {
			b.Region = s.region
		}
		r.backends = append(r.backends, b)
	}
	return r
}

// listNEGBacked lists the backend services of one scope and keeps those with
// a zonal NEG backend.
func (f *Fetcher) listNEGBacked(ctx context.Context, region string, r *readResult) []scoped {
	var (
		out  []scoped
		next func() (*computepb.BackendService, error)
		what string
	)
	if region == "" {
		what = "list global backend services"
		next = f.clients.backends.List(ctx, &computepb.ListBackendServicesRequest{Project: f.opts.Project}, listRetry).Next
	} else {
		what = "list backend services in region " + region
		next = f.clients.regionBackends.List(ctx, &computepb.ListRegionBackendServicesRequest{Project: f.opts.Project, Region: region}, listRetry).Next
	}
	for {
		bs, err := next()
		if errors.Is(err, iterator.Done) {
			return out
		}
		if err != nil {
			// What was listed before the failure is kept: each service is
			// whole, and the latest of each wins in the state.
			r.failures = append(r.failures, fmt.Errorf("%s in project %s: %w", what, f.opts.Project, err))
			return out
		}
		if computecfg.HasNEG(bs) {
			out = append(out, scoped{bs, region})
		}
	}
}

// getNamed gets each named backend service in every scope. A name found in
// no scope, without a failed call that might have found it, is missing.
func (f *Fetcher) getNamed(ctx context.Context, regions []string, r *readResult) []scoped {
	var out []scoped
	for _, name := range f.opts.BackendServices {
		seen, unsure := false, false
		for _, region := range regions {
			var (
				bs   *computepb.BackendService
				err  error
				what string
			)
			if region == "" {
				what = "get global backend service " + name
				bs, err = f.clients.backends.Get(ctx, &computepb.GetBackendServiceRequest{Project: f.opts.Project, BackendService: name})
			} else {
				what = "get backend service " + name + " in region " + region
				bs, err = f.clients.regionBackends.Get(ctx, &computepb.GetRegionBackendServiceRequest{Project: f.opts.Project, Region: region, BackendService: name})
			}
			switch {
			case err == nil:
				seen = true
				out = append(out, scoped{bs, region})
			case isNotFound(err):
				// Not in this scope; it may be in another.
			default:
				unsure = true
				r.failures = append(r.failures, fmt.Errorf("%s in project %s: %w", what, f.opts.Project, err))
			}
		}
		if !seen && !unsure {
			r.missing = append(r.missing, name)
		}
	}
	return out
}

// healthCheck reads the health check of a backend service once per round.
// When the read fails, the last one read before is used (nil if none); a
// health check that no longer exists is nil.
func (f *Fetcher) healthCheck(ctx context.Context, bs *computepb.BackendService, round map[string]*computepb.HealthCheck, r *readResult) *computepb.HealthCheck {
	l, ok := computecfg.HealthCheckLink(bs)
	if !ok {
		return nil
	}
	if l.Project == "" {
		l.Project = f.opts.Project
	}
	url := l.Project + "/" + l.Region + "/" + l.Name
	if hc, ok := round[url]; ok {
		return hc
	}
	var (
		hc   *computepb.HealthCheck
		err  error
		what string
	)
	if l.Region == "" {
		what = "get global health check " + l.Name
		hc, err = f.clients.checks.Get(ctx, &computepb.GetHealthCheckRequest{Project: l.Project, HealthCheck: l.Name})
	} else {
		what = "get health check " + l.Name + " in region " + l.Region
		hc, err = f.clients.regionChecks.Get(ctx, &computepb.GetRegionHealthCheckRequest{Project: l.Project, Region: l.Region, HealthCheck: l.Name})
	}
	switch {
	case err == nil:
		f.lastChecks[url] = hc
	case isNotFound(err):
		delete(f.lastChecks, url)
		hc = nil
	default:
		r.failures = append(r.failures, fmt.Errorf("%s in project %s: %w", what, l.Project, err))
		hc = f.lastChecks[url]
	}
	round[url] = hc
	return hc
}

// isNotFound says the API answered 404 for the resource.
func isNotFound(err error) bool {
	var gerr *googleapi.Error
	return errors.As(err, &gerr) && gerr.Code == http.StatusNotFound
}

// sortedCopy is names in order, for stable messages.
func sortedCopy(names []string) []string {
	s := slices.Clone(names)
	slices.Sort(s)
	return s
}
