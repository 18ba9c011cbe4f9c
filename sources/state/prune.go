package state

import (
	"context"
	"fmt"
	"time"
)

// Prune removes what is older than the retention (Options.Retention before
// now) and returns how many rows it removed; with no retention it does
// nothing. It removes:
//   - LB entries, audit entries and events whose timestamp is before the cutoff;
//   - every version of a pod that is gone or going (deleted, being deleted,
//     finished) when the latest time any of its versions carries is before
//     the cutoff; pods still running are kept however old;
//   - EndpointSlice versions replaced by a version stored before the cutoff
//     (the latest version of each slice is always kept).
//
// Services, backend services and checkpoints describe the present and are
// kept. Windows that start before the cutoff may then see partial evidence.
func (db *DB) Prune(ctx context.Context) (removed int, err error) {
	if db.keep <= 0 {
		return 0, nil
	}
	cutoff := db.now().Add(-db.keep)
	s, n := cutoff.Unix(), int64(cutoff.Nanosecond())
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return 0, ErrClosed
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("state: prune: %w", err)
	}
	defer tx.Rollback()
	for _, d := range []struct {
		what, stmt string
		args       []any
	}{
		{"LB entries", `DELETE FROM requests WHERE ts_s < ? OR (ts_s = ? AND ts_n < ?)`, []any{s, s, n}},
		{"audit entries", `DELETE FROM audit WHERE ts_s < ? OR (ts_s = ? AND ts_n < ?)`, []any{s, s, n}},
		{"events", `DELETE FROM events WHERE ts_s < ? OR (ts_s = ? AND ts_n < ?)`, []any{s, s, n}},
		{"pods", `DELETE FROM pods WHERE pod_key IN (
			SELECT pod_key FROM pods GROUP BY pod_key HAVING MAX(ended) = 1 AND MAX(last_s) < ?)`, []any{s}},
		{"EndpointSlices", `DELETE FROM slices WHERE EXISTS (
			SELECT 1 FROM slices AS later WHERE later.namespace = slices.namespace AND later.name = slices.name
			AND later.id > slices.id AND later.seen_s < ?)`, []any{s}},
	} {
		res, err := tx.ExecContext(ctx, d.stmt, d.args...)
		if err != nil {
			return 0, fmt.Errorf("state: prune %s: %w", d.what, err)
		}
		c, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("state: prune %s: %w", d.what, err)
		}
		removed += int(c)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("state: prune: commit: %w", err)
	}
	if removed > 0 {
		// Give freed pages back to the file system (auto_vacuum=INCREMENTAL).
		if _, err := db.sql.ExecContext(ctx, `PRAGMA incremental_vacuum`); err != nil {
			db.log.Warn("state: incremental vacuum failed", "err", err)
		}
	}
	db.log.Info("state pruned", "removed", removed, "cutoff", cutoff.UTC().Format(time.RFC3339))
	return removed, nil
}
