package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Insert statements, one per table. Append-only kinds ignore a row whose
// unique key is stored already; Services and backends replace the stored
// record (keeping its position) and count as added only when it changed.
const (
	insertRequest = `INSERT OR IGNORE INTO requests (source_id, insert_id, ts_s, ts_n, server_ip, status, record) VALUES (?, ?, ?, ?, ?, ?, ?)`
	insertAudit   = `INSERT OR IGNORE INTO audit (source_id, insert_id, ts_s, ts_n, operation_id, record) VALUES (?, ?, ?, ?, ?, ?)`
	insertEvent   = `INSERT OR IGNORE INTO events (source_id, namespace, name, reason, count, ts_s, ts_n, object_name, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	insertPod     = `INSERT OR IGNORE INTO pods (source_id, pod_key, uid, namespace, name, version, deleted, ended, last_s, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	insertSlice   = `INSERT OR IGNORE INTO slices (source_id, namespace, name, version, seen_s, record) VALUES (?, ?, ?, ?, ?, ?)`
	upsertService = `INSERT INTO services (source_id, namespace, name, record) VALUES (?, ?, ?, ?)
		ON CONFLICT (namespace, name) DO UPDATE SET record = excluded.record, source_id = excluded.source_id
		WHERE record IS NOT excluded.record`
	upsertBackend = `INSERT INTO backends (source_id, project, region, name, record) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (project, region, name) DO UPDATE SET record = excluded.record, source_id = excluded.source_id
		WHERE record IS NOT excluded.record`
	upsertSource = `INSERT INTO sources (name, skipped, problem) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET skipped = skipped + excluded.skipped, problem = COALESCE(excluded.problem, problem)
		RETURNING id`
	upsertCheckpoint = `INSERT INTO checkpoints (source, value, updated_s) VALUES (?, ?, ?)
		ON CONFLICT (source) DO UPDATE SET value = excluded.value, updated_s = excluded.updated_s`
)

// Apply stores b in one transaction: its records, deduplicated against
// everything stored (and within b), and b.Checkpoint as the checkpoint of
// b.Source. Either all of it is stored or, on error, none of it. added is
// the number of records that were new (or, for Services and backends,
// that changed what was stored).
//
// A record that cannot be encoded is skipped, logged and counted in
// Stats.Skipped and in the source's analyzer.Input, and the rest is
// stored: a source retrying such a batch would never get past it.
func (db *DB) Apply(ctx context.Context, b Batch) (added int, err error) {
	if b.Source == "" {
		return 0, errors.New("state: apply: Batch.Source is required")
	}
	r := encode(&b, db.now())
	if r.skipped > 0 {
		db.log.Warn("state: records not stored", "source", b.Source, "skipped", r.skipped, "first", r.problem)
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return 0, ErrClosed
	}
	added, err = db.apply(ctx, &b, r)
	if err != nil {
		return 0, fmt.Errorf("state: apply %s batch: %w", b.Source, err)
	}
	return added, nil
}

// apply runs Apply's transaction. db.mu is held.
func (db *DB) apply(ctx context.Context, b *Batch, r *rows) (int, error) {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var problem any
	if r.skipped > 0 {
		problem = r.problem
	}
	var src int64
	if err := tx.QueryRowContext(ctx, upsertSource, b.Source, r.skipped, problem).Scan(&src); err != nil {
		return 0, fmt.Errorf("source: %w", err)
	}
	added := 0
	for _, t := range []struct {
		what string
		stmt string
		rows [][]any
	}{
		{"LB entries", insertRequest, r.requests},
		{"audit entries", insertAudit, r.audit},
		{"events", insertEvent, r.events},
		{"pods", insertPod, r.pods},
		{"EndpointSlices", insertSlice, r.slices},
		{"Services", upsertService, r.services},
		{"backend services", upsertBackend, r.backends},
	} {
		n, err := insertAll(ctx, tx, t.stmt, src, t.rows)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", t.what, err)
		}
		added += n
	}
	if err := db.callHook(ctx, "records"); err != nil {
		return 0, err
	}
	if b.Checkpoint != nil {
		if _, err := tx.ExecContext(ctx, upsertCheckpoint, b.Source, *b.Checkpoint, db.now().Unix()); err != nil {
			return 0, fmt.Errorf("checkpoint: %w", err)
		}
	}
	if err := db.callHook(ctx, "checkpoint"); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	return added, nil
}

// insertAll runs stmt once per row with src as its first argument and
// returns how many rows it changed.
func insertAll(ctx context.Context, tx *sql.Tx, stmt string, src int64, rows [][]any) (int, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	st, err := tx.PrepareContext(ctx, stmt)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	n := 0
	for _, row := range rows {
		row[0] = src
		res, err := st.ExecContext(ctx, row...)
		if err != nil {
			return 0, err
		}
		c, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		n += int(c)
	}
	return n, nil
}

// callHook calls the test hook, if any.
func (db *DB) callHook(ctx context.Context, stage string) error {
	if db.hook == nil {
		return nil
	}
	return db.hook(ctx, stage)
}

// Checkpoint returns the checkpoint last stored for source; ok is false
// when none was.
func (db *DB) Checkpoint(ctx context.Context, source string) (value string, ok bool, err error) {
	err = db.sql.QueryRowContext(ctx, `SELECT value FROM checkpoints WHERE source = ?`, source).Scan(&value)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("state: checkpoint of %s: %w", source, err)
	}
	return value, true, nil
}
