package cloudlog

import (
	"context"
	"errors"
	"io"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/negtrace/negtrace/sources/internal/retry"
)

const (
	// tailBufferWindow is how long Cloud Logging holds tailed entries to
	// send them in timestamp order: the tail's latency.
	tailBufferWindow = 2 * time.Second
	// tailSettle is how long a tail stream must stay open, without a
	// response, before it counts as up (a rejected stream fails at once).
	tailSettle = 3 * time.Second
)

// errTailEnded is the error of a tail stream that the server closed
// without an error status.
var errTailEnded = errors.New("tail stream ended")

// tail keeps a TailLogEntries stream open until ctx is done, reconnecting
// with backoff. Each loss of the stream starts a List pass, which reads
// what the stream missed.
func (r *Reader) tail(ctx context.Context) {
	failures := 0
	for {
		delivered, err := r.tailOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		r.requestBackfill()
		if delivered {
			failures = 0
		}
		failures++
		if errors.Is(err, errTailEnded) {
			r.health.tailDown("")
			r.log.Info("tail stream ended; reconnecting")
		} else {
			r.health.tailDown(explain(err, r.opts.Project))
			r.log.Warn("tail stream failed", "err", err, "attempt", failures)
		}
		if !retry.Sleep(ctx, r.opts.Backoff(failures)) {
			return
		}
	}
}

// tailOnce runs one tail stream until it fails; delivered reports whether
// it received anything.
func (r *Reader) tailOnce(ctx context.Context) (delivered bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := r.opts.Client.TailLogEntries(ctx)
	if err != nil {
		return false, err
	}
	req := &loggingpb.TailLogEntriesRequest{
		ResourceNames: []string{r.opts.Project},
		Filter:        Filter(r.opts, time.Time{}, time.Time{}),
		BufferWindow:  durationpb.New(tailBufferWindow),
	}
	// io.EOF from Send means the server already ended the stream; Recv
	// returns its status.
	if err := stream.Send(req); err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	gen := r.health.tailStart()
	settled := time.AfterFunc(tailSettle, func() { r.health.tailSettled(gen) })
	defer settled.Stop()
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return delivered, errTailEnded
		}
		if err != nil {
			return delivered, err
		}
		if !delivered {
			delivered = true
			settled.Stop()
			r.health.tailSettled(gen)
		}
		for _, s := range resp.GetSuppressionInfo() {
			r.log.Info("tail stream suppressed entries; reading them with ListLogEntries",
				"reason", s.GetReason().String(), "count", s.GetSuppressedCount())
			r.requestBackfill()
		}
		if len(resp.GetEntries()) == 0 {
			continue
		}
		if err := r.applyTail(ctx, resp.GetEntries()); err != nil {
			if ctx.Err() != nil {
				return delivered, ctx.Err()
			}
			// The List passes read these entries again; the tail goes on.
			r.health.failedApply()
			r.log.Warn("storing tailed entries failed", "err", err)
		}
	}
}
