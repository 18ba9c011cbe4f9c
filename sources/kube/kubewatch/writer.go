package kubewatch

import (
	"context"
	"time"

	"github.com/negtrace/negtrace/sources/internal/retry"
	"github.com/negtrace/negtrace/sources/state"
)

// write drains the queue into batches: a batch is applied when it holds
// maxBatch records or when its first record has waited opts.Flush. When ctx
// is done it applies what is queued, for at most shutdownTimeout.
func (w *Watcher) write(ctx context.Context) {
	var b state.Batch // the batch being filled
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	flush := func() {
		timer.Stop()
		if b.Len() > 0 && !w.apply(ctx, b) {
			return // ctx is done: shutdown tries again
		}
		b = state.Batch{}
	}
	for {
		if ctx.Err() != nil {
			w.shutdown(ctx, &b)
			return
		}
		select {
		case rec := <-w.queue:
			if b.Len() == 0 {
				timer.Reset(w.opts.Flush)
			}
			appendRecord(&b, rec)
			if b.Len() >= w.maxBatch {
				flush()
			}
		case <-timer.C:
			flush()
		case <-ctx.Done():
			w.shutdown(ctx, &b)
			return
		}
		if b.Len() == 0 && len(w.queue) == 0 && w.lost.Load() && ctx.Err() == nil {
			w.reapply(ctx)
		}
	}
}

// shutdown applies the pending batch and whatever is still queued, in
// batches, within shutdownTimeout of ctx being done.
func (w *Watcher) shutdown(ctx context.Context, b *state.Batch) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	for {
	fill:
		for b.Len() < w.maxBatch {
			select {
			case rec := <-w.queue:
				appendRecord(b, rec)
			default:
				break fill
			}
		}
		if b.Len() == 0 {
			return
		}
		if !w.apply(sctx, *b) {
			w.log.Warn("stopping with records not applied", "records", b.Len()+len(w.queue))
			return
		}
		*b = state.Batch{}
	}
}

// reapply hands over every object in the informers' caches after records
// were dropped, so the state holds the latest version of each again. (Pods
// deleted while their records were dropped stay unknown as deleted.)
func (w *Watcher) reapply(ctx context.Context) {
	w.lost.Store(false)
	w.log.Info("re-applying the cached objects after dropped records")
	var b state.Batch
	for _, f := range w.feeds {
		for _, obj := range f.informer.GetStore().List() {
			rec, ok := record(obj, false)
			if !ok || rec == nil {
				continue
			}
			appendRecord(&b, rec)
			if b.Len() >= w.maxBatch {
				if !w.apply(ctx, b) {
					return
				}
				b = state.Batch{}
			}
		}
	}
	if b.Len() > 0 {
		w.apply(ctx, b)
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
