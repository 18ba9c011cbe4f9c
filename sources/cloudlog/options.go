package cloudlog

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	logging "cloud.google.com/go/logging/apiv2"

	"github.com/negtrace/negtrace/sources/state"
)

// Defaults of the Options durations.
const (
	DefaultBackfill = time.Hour
	DefaultOverlap  = 2 * time.Minute
	DefaultPoll     = 30 * time.Second
)

// Options configure a Reader. Client, Project and Apply are required; the
// zero value of every other field has a working default.
type Options struct {
	// Client is the Cloud Logging API client (cloud.google.com/go/logging/apiv2)
	// to read with. Required. Tests point it at cloudlogtest.Server.
	Client *logging.Client
	// Project is the resource name to read, "projects/P". Required; a bare
	// project ID is accepted and gets the prefix.
	Project string
	// Cluster is the GKE cluster name whose Kubernetes events are read
	// (resource.labels.cluster_name). Empty reads the events of every
	// cluster of the project.
	Cluster string
	// Location is the cluster's location (resource.labels.location, a
	// region or zone). Empty matches any.
	Location string
	// BackendServices are the NEG-backed backend services whose 5xx are
	// read (resource.labels.backend_service_name, or backend_name on
	// regional and internal load balancers). Empty reads the 5xx of every
	// Application Load Balancer of the project.
	BackendServices []string
	// NEGs are the NEG names whose attach/detach audit entries are read
	// (substrings "networkEndpointGroups/NAME" of protoPayload.resourceName).
	// Empty reads every NEG attach and detach of the project.
	NEGs []string
	// Apply stores what the reader read. Required. The reader never calls
	// it concurrently with itself.
	Apply state.ApplyFunc
	// Checkpoint is the checkpoint stored by a previous run (the RFC 3339
	// timestamp of the newest entry applied by a ListLogEntries pass). ""
	// starts at Now() - Backfill.
	Checkpoint string
	// Backfill is how far back the first run reads. If 0, DefaultBackfill.
	Backfill time.Duration
	// Overlap is how far before the checkpoint each pass starts again, to
	// pick up entries ingested late; the state database drops the entries
	// read twice (insertId). If 0, DefaultOverlap.
	Overlap time.Duration
	// Poll is the time between ListLogEntries passes while no tail stream
	// is open. With a tail stream open, passes are TailPollFactor times
	// further apart. If 0, DefaultPoll.
	Poll time.Duration
	// Tail opens a TailLogEntries stream for low latency, next to the
	// ListLogEntries passes that guarantee completeness.
	Tail bool
	// Logger receives the reader's logs. If nil, logs are discarded.
	Logger *slog.Logger
	// Now is the clock. If nil, time.Now.
	Now func() time.Time
	// Backoff is the wait after the attempt-th consecutive failure
	// (attempt >= 1). If nil, DefaultBackoff.
	Backoff func(attempt int) time.Duration
}

// withDefaults returns o with every unset optional field set.
func (o Options) withDefaults() Options {
	if o.Backfill == 0 {
		o.Backfill = DefaultBackfill
	}
	if o.Overlap == 0 {
		o.Overlap = DefaultOverlap
	}
	if o.Poll == 0 {
		o.Poll = DefaultPoll
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Backoff == nil {
		o.Backoff = DefaultBackoff
	}
	if o.Project != "" && !strings.HasPrefix(o.Project, "projects/") {
		o.Project = "projects/" + o.Project
	}
	return o
}

// validate checks o after withDefaults.
func (o Options) validate() error {
	var errs []error
	if o.Client == nil {
		errs = append(errs, errors.New("Client is required"))
	}
	if p, ok := strings.CutPrefix(o.Project, "projects/"); !ok || p == "" || strings.Contains(p, "/") {
		errs = append(errs, fmt.Errorf("Project %q is not projects/PROJECT_ID", o.Project))
	}
	if o.Apply == nil {
		errs = append(errs, errors.New("Apply is required"))
	}
	if o.Backfill < 0 || o.Overlap < 0 || o.Poll < 0 {
		errs = append(errs, errors.New("Backfill, Overlap and Poll must not be negative"))
	}
	if o.Checkpoint != "" {
		if _, err := parseCheckpoint(o.Checkpoint); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// parseCheckpoint reads a checkpoint written by formatCheckpoint.
func parseCheckpoint(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("checkpoint %q: %w", s, err)
	}
	return t.UTC(), nil
}

// formatCheckpoint is the stored form of a checkpoint time.
func formatCheckpoint(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}
