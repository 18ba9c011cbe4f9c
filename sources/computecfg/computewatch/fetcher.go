// Package computewatch reads the load balancer configuration of NEG-backed
// backend services from the Compute Engine API (the cloud.google.com/go/compute
// apiv1 REST clients), every few minutes, converts it with
// computecfg.BackendFrom and hands it to the state as state.Batch{Source:
// "compute"}.
//
// It lives apart from package computecfg because the state and analyzer
// packages import computecfg's record type: computecfg cannot import them.
//
// A read that fails (no credentials, permission denied, quota, the API
// unavailable) never stops the Fetcher: it shows degraded, or down while
// nothing was read, with what is wrong and how to fix it, and retries with
// backoff. A health check that cannot be read keeps the last one read.
//
// API calls per read: one list call per page per scope (global, then each
// of Options.Regions), or, when backend services are named, one get per name
// and scope; plus one get per distinct health check. With the defaults
// (global only, every 5 minutes, fewer than 500 backend services) that is 12
// list calls an hour, plus 12 gets an hour per distinct health check.
package computewatch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"

	"github.com/negtrace/negtrace/sources/internal/retry"
	"github.com/negtrace/negtrace/sources/state"
)

// SourceName is the source's name in batches and in its status.
const SourceName = "compute"

// Role is the predefined IAM role that grants every permission the Fetcher
// uses; Permissions lists them.
const (
	Role        = "roles/compute.viewer"
	Permissions = "compute.backendServices.get, compute.backendServices.list, compute.regionBackendServices.get, " +
		"compute.regionBackendServices.list, compute.healthChecks.get, compute.regionHealthChecks.get"
)

// Bounds of DefaultBackoff.
const (
	minBackoff = 5 * time.Second
	maxBackoff = 5 * time.Minute
)

// DefaultBackoff is the wait after the attempt-th consecutive failed read:
// 5s, 10s, 20s, … doubling up to 5 minutes, each reduced by a random jitter
// of up to 20%.
func DefaultBackoff(attempt int) time.Duration {
	return retry.Backoff(minBackoff, maxBackoff, attempt)
}

// clients are the Compute REST clients a Fetcher reads with.
type clients struct {
	backends       *compute.BackendServicesClient
	regionBackends *compute.RegionBackendServicesClient
	checks         *compute.HealthChecksClient
	regionChecks   *compute.RegionHealthChecksClient
}

// newClients creates the four clients; on error none is left open.
func newClients(ctx context.Context, o *Options) (*clients, error) {
	c := &clients{}
	var err error
	if c.backends, err = compute.NewBackendServicesRESTClient(ctx, o.ClientOptions...); err != nil {
		return nil, fmt.Errorf("create backend services client: %w", err)
	}
	if c.regionBackends, err = compute.NewRegionBackendServicesRESTClient(ctx, o.ClientOptions...); err != nil {
		c.close()
		return nil, fmt.Errorf("create region backend services client: %w", err)
	}
	if c.checks, err = compute.NewHealthChecksRESTClient(ctx, o.ClientOptions...); err != nil {
		c.close()
		return nil, fmt.Errorf("create health checks client: %w", err)
	}
	if c.regionChecks, err = compute.NewRegionHealthChecksRESTClient(ctx, o.ClientOptions...); err != nil {
		c.close()
		return nil, fmt.Errorf("create region health checks client: %w", err)
	}
	return c, nil
}

// close closes the clients that exist.
func (c *clients) close() error {
	var errs []error
	if c.backends != nil {
		errs = append(errs, c.backends.Close())
	}
	if c.regionBackends != nil {
		errs = append(errs, c.regionBackends.Close())
	}
	if c.checks != nil {
		errs = append(errs, c.checks.Close())
	}
	if c.regionChecks != nil {
		errs = append(errs, c.regionChecks.Close())
	}
	return errors.Join(errs...)
}

// Fetcher reads backend services and health checks periodically. Status is
// safe for concurrent use; Run is called once, and Close after Run returns.
type Fetcher struct {
	opts Options

	clients *clients // nil until created (Run retries creating them)

	// lastChecks keeps the last health check read per URL, used when a
	// later read of it fails so a stored backend does not lose it. Only Run
	// touches it.
	lastChecks map[string]*computepb.HealthCheck

	mu     sync.Mutex
	health health
}

// New validates opts and creates the Compute clients. Only invalid options
// are an error: when the clients cannot be created (e.g. no Application
// Default Credentials), the Fetcher is returned all the same, reports down
// with how to fix it, and Run retries creating them. ctx is used for the
// creation only.
func New(ctx context.Context, opts Options) (*Fetcher, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	f := &Fetcher{opts: opts, lastChecks: make(map[string]*computepb.HealthCheck)}
	c, err := newClients(ctx, &f.opts)
	if err != nil {
		f.opts.Logger.Warn("compute clients not created; retrying in Run", "err", err)
		f.clientFailed(err)
	}
	f.clients = c
	return f, nil
}

// Run reads at once, then every Interval, until ctx is done; it returns nil
// then. A failed read is retried after Backoff instead of Interval; Run
// never returns early.
func (f *Fetcher) Run(ctx context.Context) error {
	attempt := 0
	for {
		wait := f.opts.Interval
		if err := f.round(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			attempt++
			wait = f.opts.Backoff(attempt)
			f.opts.Logger.Warn("compute read failed; retrying", "attempt", attempt, "in", wait, "err", err)
		} else {
			if attempt > 0 {
				f.opts.Logger.Info("compute read recovered", "after_attempts", attempt)
			}
			attempt = 0
		}
		if !retry.Sleep(ctx, wait) {
			return nil
		}
	}
}

// Close closes the Compute clients. Call it after Run has returned.
func (f *Fetcher) Close() error {
	if f.clients == nil {
		return nil
	}
	err := f.clients.close()
	f.clients = nil
	if err != nil {
		return fmt.Errorf("close compute clients: %w", err)
	}
	return nil
}

// round reads every watched backend service and its health check and
// applies them. It returns the first failure (the read is then retried
// sooner), having applied what it could read.
func (f *Fetcher) round(ctx context.Context) error {
	if f.clients == nil {
		c, err := newClients(ctx, &f.opts)
		if err != nil {
			if ctx.Err() == nil {
				f.clientFailed(err)
			}
			return err
		}
		f.clients = c
	}
	rctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()
	r := f.read(rctx)
	if ctx.Err() != nil {
		return ctx.Err() // stopping: not a failure to report
	}
	if len(r.backends) > 0 {
		b := state.Batch{Source: SourceName, Backends: r.backends}
		if err := f.opts.Apply(ctx, b); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			err = fmt.Errorf("store %d backend service(s): %w", len(r.backends), err)
			f.applyFailed(r, err)
			return err
		}
	}
	f.readDone(r)
	return r.err()
}
