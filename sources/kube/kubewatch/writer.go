package kubewatch

import (
	"context"
	"time"

	"github.com/negtrace/negtrace/sources/internal/retry"
	"github.com/negtrace/negtrace/sources/state"
)

// pending is the batch the writer is filling.
type pending struct {
	b state.Batch
	n int // records in b
}

func (p *pending) add(rec any) {
	appendRecord(&p.b, rec)
	p.n++
}

// write drains the queue into batches: a batch is applied when it holds
// maxBatch records or when its first record has waited opts.Flush. When ctx
// is done it applies what is queued, for at most shutdownTimeout.
func (w *Watcher) write(ctx context.Context) {
	var p pending
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	flush := func() {
		timer.Stop()
		if p.n > 0 && !w.apply(ctx, p.b) {
			return // ctx is done: shutdown tries again
		}
		p = pending{}
	}
	for {
		if ctx.Err() != nil {
			w.shutdown(ctx, &p)
			return
		}
		select {
		case rec := <-w.queue:
			if p.n == 0 {
				timer.Reset(w.opts.Flush)
			}
			p.add(rec)
			if p.n >= w.maxBatch {
				flush()
			}
		case <-timer.C:
			flush()
		case <-ctx.Done():
			w.shutdown(ctx, &p)
			return
		}
		if p.n == 0 && len(w.queue) == 0 && w.lost.Load() && ctx.Err() == nil {
			w.reapply(ctx)
		}
	}
}

// shutdown applies the pending batch and whatever is still queued, in
// batches, within shutdownTimeout of ctx being done.
func (w *Watcher) shutdown(ctx context.Context, p *pending) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	for {
	fill:
		for p.n < w.maxBatch {
			select {
			case rec := <-w.queue:
				p.add(rec)
			default:
				break fill
			}
		}
		if p.n == 0 {
			return
		}
		if !w.apply(sctx, p.b) {
			w.log.Warn("stopping with records not applied", "records", p.n+len(w.queue))
			return
		}
		*p = pending{}
	}
}

// reapply hands over every object in the informers' caches after records
// were dropped, so the state holds the latest version of each again. (Pods
// deleted while their records were dropped stay unknown as deleted.)
func (w *Watcher) reapply(ctx context.Context) {
	w.lost.Store(false)
	w.log.Info("re-applying the cached objects after dropped records")
	var p pending
	for _, f := range w.feeds {
		for _, obj := range f.informer.GetStore().List() {
			rec, ok := record(obj, false)
			if !ok || rec == nil {
				continue
			}
			p.add(rec)
			if p.n >= w.maxBatch {
				if !w.apply(ctx, p.b) {
					return
				}
				p = pending{}
			}
		}
	}
	if p.n > 0 {
		w.apply(ctx, p.b)
	}
}

// apply hands b to opts.Apply, retrying with exponential backoff until it
// succeeds or ctx is done. Each failure counts as an error in the status.
// It reports whether b was applied.
func (w *Watcher) apply(ctx context.Context, b state.Batch) bool {
	b.Source = SourceName
	n := b.Len()
	delay := w.retryMin
	for {
		err := w.opts.Apply(ctx, b)
		if err == nil {
			w.applied(n)
			return true
		}
		if ctx.Err() != nil {
			return false // stopping, not failing
		}
		w.applyFailed(err)
		w.log.Warn("applying records to the state failed; retrying", "records", n, "retry_in", delay, "err", err)
		if !retry.Sleep(ctx, delay) {
			return false
		}
		delay = min(2*delay, w.retryMax)
	}
}
