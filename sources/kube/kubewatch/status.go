package kubewatch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/negtrace/negtrace/analyzer"
)

// Permissions is the RBAC the watcher needs, for status messages and docs.
const Permissions = `get, list and watch on pods, services and events (API group "") and on endpointslices (API group discovery.k8s.io)`

// health is what Status reports; guarded by Watcher.mu.
type health struct {
	started     bool
	lastSuccess time.Time // last successful list/watch call or Apply
	records     int       // records applied
	skipped     int       // informer objects of no known type
	errors      int       // failed list/watch calls and Applies, dropped records
	dropped     int       // records dropped on a full queue
	applyErr    error     // the last Apply failure, nil once an Apply succeeds
}

// called records the outcome of one list or watch call of f. Calls ended
// by the watcher stopping are not failures.
func (w *Watcher) called(ctx context.Context, f *feed, err error) {
	if err != nil && ctx.Err() != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err == nil {
		if f.failing {
			w.log.Info("kubernetes API reachable again", "informer", f.where())
		}
		f.failing, f.lastErr = false, nil
		w.health.lastSuccess = w.opts.Now()
		return
	}
	w.health.errors++
	if !f.failing || f.lastErr.Error() != err.Error() {
		w.log.Warn("kubernetes API call failed; client-go retries with backoff", "informer", f.where(), "err", err)
	}
	f.failing, f.lastErr = true, err
}

// watchFailed records an error the reflector of f reports through the
// informer's watch error handler, unless it is the failed call already
// recorded, a watch closed normally, or an expired resourceVersion (the
// reflector relists).
func (w *Watcher) watchFailed(ctx context.Context, f *feed, err error) {
	if ctx.Err() != nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		apierrors.IsResourceExpired(err) || apierrors.IsGone(err) {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if f.lastErr != nil && errors.Is(err, f.lastErr) {
		return
	}
	w.health.errors++
	w.log.Warn("kubernetes watch failed; client-go retries with backoff", "informer", f.where(), "err", err)
	f.failing, f.lastErr = true, err
}

// applied records a batch of n records handed over.
func (w *Watcher) applied(n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.health.records += n
	w.health.applyErr = nil
	w.health.lastSuccess = w.opts.Now()
}

// applyFailed records a failed Apply.
func (w *Watcher) applyFailed(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.health.errors++
	w.health.applyErr = err
}

// Status reports the watcher's health. It is down before Run and while no
// informer has synced and calls fail; degraded while some informer has not
// synced yet, list/watch calls fail, applying to the state fails or records
// were dropped and not re-applied yet; ok otherwise. While ok the informers
// are current, so LastSuccess is now; otherwise it is the last successful
// API call or Apply.
func (w *Watcher) Status() analyzer.SourceStatus {
	w.mu.Lock()
	defer w.mu.Unlock()
	h := &w.health
	st := analyzer.SourceStatus{
		Name:        SourceName,
		LastSuccess: h.lastSuccess,
		Records:     h.records,
		Skipped:     h.skipped,
		Errors:      h.errors,
	}
	if !h.started {
		st.State = analyzer.SourceDown
		st.Message = "not started"
		return st
	}

	var failing []*feed
	var unsynced []string
	synced := 0
	for _, f := range w.feeds {
		if f.informer.HasSynced() {
			synced++
		} else {
			unsynced = append(unsynced, f.where())
		}
		if f.failing {
			failing = append(failing, f)
		}
	}

	var msgs []string
	if len(failing) > 0 {
		msgs = append(msgs, w.failureMessage(failing))
	}
	if len(unsynced) > 0 && len(failing) == 0 {
		msgs = append(msgs, fmt.Sprintf("waiting for the first list of %s (%d of %d informers synced)",
			joinFirst(unsynced, 3), synced, len(w.feeds)))
	}
	if h.applyErr != nil {
		msgs = append(msgs, fmt.Sprintf("saving records to the state failed, retrying: %v", h.applyErr))
	}
	if w.lost.Load() {
		msgs = append(msgs, fmt.Sprintf("%d records dropped on a full queue so far (the database is too slow); the cached objects are re-applied once the queue drains", h.dropped))
	}

	switch {
	case len(failing) > 0 && synced == 0:
		st.State = analyzer.SourceDown
	case len(msgs) > 0:
		st.State = analyzer.SourceDegraded
	default:
		st.State = analyzer.SourceOK
		st.LastSuccess = w.opts.Now()
	}
	st.Message = strings.Join(msgs, "; ")
	return st
}

// failureMessage says which informers fail, with what, and how to fix it.
func (w *Watcher) failureMessage(failing []*feed) string {
	where := make([]string, len(failing))
	for i, f := range failing {
		where[i] = f.where()
	}
	err := failing[0].lastErr
	var hint string
	switch {
	case apierrors.IsForbidden(err):
		hint = fmt.Sprintf("grant negtrace's identity %s in %s (a ClusterRole bound with a ClusterRoleBinding for all namespaces, else a Role and RoleBinding in each)",
			Permissions, w.scope)
	case apierrors.IsUnauthorized(err):
		hint = "the API server rejected the credentials: check the --kubeconfig user, or the service account token when running in the cluster"
	default:
		hint = fmt.Sprintf("check that the API server is reachable (--kubeconfig, or the in-cluster service address) and that negtrace may %s in %s; client-go retries with backoff",
			Permissions, w.scope)
	}
	return fmt.Sprintf("listing/watching %s failed: %v; %s", joinFirst(where, 3), err, hint)
}

// joinFirst joins the first n items and says how many more there are.
func joinFirst(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}
