package cloudlog

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/internal/retry"
)

// pageSize is the entries asked for per ListLogEntries call, the most the
// API returns.
const pageSize = 1000

// Reader reads LB 5xx, NEG audit entries and Kubernetes events from Cloud
// Logging continuously and hands them to Options.Apply. Create it with New;
// Status is safe to call from any goroutine while Run runs.
type Reader struct {
	opts   Options
	log    *slog.Logger
	health health
	// backfill asks the List loop for a pass now (capacity 1).
	backfill chan struct{}

	// applyMu serialises Apply calls (List pages and tail responses) and
	// guards cp.
	applyMu sync.Mutex
	// cp is the checkpoint: the newest entry timestamp applied by a List
	// pass; zero when there is none yet.
	cp time.Time

	// initial is where the first pass starts without a checkpoint; only the
	// Run goroutine uses it.
	initial time.Time
}

// New checks opts and returns a Reader. It makes no call.
func New(opts Options) (*Reader, error) {
	o := opts.withDefaults()
	if err := o.validate(); err != nil {
		return nil, fmt.Errorf("cloudlog: %w", err)
	}
	r := &Reader{opts: o, log: o.Logger.With("source", SourceName), backfill: make(chan struct{}, 1)}
	if o.Checkpoint != "" {
		r.cp, _ = parseCheckpoint(o.Checkpoint) // validated
	}
	return r, nil
}

// Status is the reader's health: Name "cloud-logging"; State ok, degraded
// while calls fail (Message says why and how to fix it), or down before Run
// and after it returns. Records counts records handed to Apply (an entry
// read again by an overlapping pass or by both the tail and a pass counts
// each time); Skipped counts entries that could not be parsed.
func (r *Reader) Status() analyzer.SourceStatus {
	return r.health.status(r.opts.Poll)
}

// Run reads until ctx is done, then returns nil. It never returns early on
// Cloud Logging or Apply errors: it retries with backoff, shows them in
// Status, and goes on.
//
// Every Poll (TailPollFactor*Poll while a tail stream is open), a pass lists
// the entries of Filter from checkpoint-Overlap to now, oldest first, 1,000
// per call. Each page becomes one Apply batch carrying the new checkpoint
// (the newest entry timestamp read so far), which moves only once the batch
// is stored. On ResourceExhausted the pass waits and asks for the same
// page again; on other errors it ends, and the next pass starts, after a
// backoff, from the last stored checkpoint. With Options.Tail, entries
// from the tail stream are applied as they come, without checkpoint; a
// suppression notice or the end of the stream starts a pass at once.
func (r *Reader) Run(ctx context.Context) error {
	r.health.setRunning(true)
	defer r.health.setRunning(false)
	var wg sync.WaitGroup
	defer wg.Wait()
	if r.opts.Tail {
		wg.Go(func() { r.tail(ctx) })
	}
	failures := 0
	for {
		err := r.listPass(ctx)
		if ctx.Err() != nil {
			return nil
		}
		wait, backfill := r.opts.Poll, r.backfill
		if err != nil {
			failures++
			wait = r.opts.Backoff(failures)
			backfill = nil // a tail notice does not cut a backoff short
			r.log.Warn("cloud logging pass failed", "err", err, "attempt", failures, "retry_in", wait)
		} else {
			failures = 0
			if r.health.tailOpen() {
				wait *= TailPollFactor
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		case <-backfill:
			t.Stop()
		}
	}
}

// requestBackfill asks for a List pass as soon as possible.
func (r *Reader) requestBackfill() {
	select {
	case r.backfill <- struct{}{}:
	default:
	}
}

// passStart is where a pass ending at to starts.
func (r *Reader) passStart(to time.Time) time.Time {
	r.applyMu.Lock()
	cp := r.cp
	r.applyMu.Unlock()
	if !cp.IsZero() {
		return cp.Add(-r.opts.Overlap)
	}
	if r.initial.IsZero() {
		r.initial = to.Add(-r.opts.Backfill)
	}
	return r.initial
}

// listPass reads every page of entries from the checkpoint (less Overlap)
// to now.
func (r *Reader) listPass(ctx context.Context) error {
	to := r.opts.Now().UTC()
	from := r.passStart(to)
	req := &loggingpb.ListLogEntriesRequest{
		ResourceNames: []string{r.opts.Project},
		Filter:        Filter(r.opts, from, to),
		OrderBy:       "timestamp asc",
		PageSize:      pageSize,
	}
	r.log.Debug("cloud logging pass", "from", from, "to", to)
	token, quota := "", 0
	for {
		entries, next, err := r.fetch(ctx, req, token)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r.health.listFailed(explain(err, r.opts.Project))
			if status.Code(err) == codes.ResourceExhausted {
				quota++
				wait := r.opts.Backoff(quota)
				r.log.Warn("cloud logging quota exhausted; retrying the same page", "err", err, "retry_in", wait)
				if !retry.Sleep(ctx, wait) {
					return ctx.Err()
				}
				continue
			}
			return fmt.Errorf("list log entries: %w", err)
		}
		quota = 0
		r.health.listOK(r.opts.Now())
		if err := r.applyPage(ctx, entries); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r.health.listFailed(explain(err, r.opts.Project))
			return err
		}
		if next == "" {
			return nil
		}
		token = next
	}
}

// fetch makes exactly one ListLogEntries call for the page at token.
//
// It uses the iterator's InternalFetch rather than iterator.Pager: a Pager
// chains calls until it has pageSize entries (Cloud Logging often returns
// short pages with a next token), so an error in the middle of a chain
// would lose the token to retry from, and pages would not match calls.
func (r *Reader) fetch(ctx context.Context, req *loggingpb.ListLogEntriesRequest, token string) ([]*loggingpb.LogEntry, string, error) {
	it := r.opts.Client.ListLogEntries(ctx, req)
	return it.InternalFetch(pageSize, token)
}

// applyPage stores the entries of one List page with the new checkpoint,
// and moves the checkpoint once they are stored.
func (r *Reader) applyPage(ctx context.Context, entries []*loggingpb.LogEntry) error {
	if len(entries) == 0 {
		return nil
	}
	c := convert(entries)
	r.logSkipped(c.skipped)
	r.applyMu.Lock()
	defer r.applyMu.Unlock()
	cp := r.cp
	if c.newest.After(cp) {
		cp = c.newest
	}
	if !cp.IsZero() {
		s := formatCheckpoint(cp)
		c.batch.Checkpoint = &s
	}
	if err := r.opts.Apply(ctx, c.batch); err != nil {
		return &applyError{err}
	}
	r.cp = cp
	r.health.applied(r.opts.Now(), c.batch.Len(), c.skipped)
	return nil
}

// applyTail stores the entries of one tail response, without checkpoint.
func (r *Reader) applyTail(ctx context.Context, entries []*loggingpb.LogEntry) error {
	c := convert(entries)
	r.logSkipped(c.skipped)
	r.applyMu.Lock()
	defer r.applyMu.Unlock()
	if err := r.opts.Apply(ctx, c.batch); err != nil {
		return &applyError{err}
	}
	r.health.applied(r.opts.Now(), c.batch.Len(), c.skipped)
	return nil
}

func (r *Reader) logSkipped(skipped []skippedEntry) {
	for _, s := range skipped {
		r.log.Debug("skipped a log entry", "entry", s.key, "err", s.err)
	}
}
