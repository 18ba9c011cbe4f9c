package state

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are the schema changes, in order: migrations[i] brings the
// schema from version i to i+1. Released entries are never edited; a change
// is a new entry.
var migrations = [][]string{
	{ // 1: one table per record kind, keyed for dedup, windows and pruning.
		`CREATE TABLE sources (
			id      INTEGER PRIMARY KEY,
			name    TEXT NOT NULL UNIQUE,
			skipped INTEGER NOT NULL DEFAULT 0, -- records Apply could not store
			problem TEXT                        -- why the last one could not
		)`,
		`CREATE TABLE checkpoints (
			source    TEXT PRIMARY KEY,
			value     TEXT NOT NULL,
			updated_s INTEGER NOT NULL
		)`,
		// LB entries: the record (JSON) only for status >= 500.
		`CREATE TABLE requests (
			id        INTEGER PRIMARY KEY,
			source_id INTEGER NOT NULL,
			insert_id TEXT NOT NULL,
			ts_s      INTEGER NOT NULL, -- timestamp: Unix seconds
			ts_n      INTEGER NOT NULL, -- and nanoseconds
			server_ip BLOB,             -- netip.Addr binary form; empty or NULL when absent
			status    INTEGER NOT NULL,
			record    TEXT,
			UNIQUE (insert_id, ts_s, ts_n)
		)`,
		`CREATE INDEX requests_time ON requests (ts_s, ts_n)`,
		`CREATE TABLE audit (
			id           INTEGER PRIMARY KEY,
			source_id    INTEGER NOT NULL,
			insert_id    TEXT NOT NULL,
			ts_s         INTEGER NOT NULL,
			ts_n         INTEGER NOT NULL,
			operation_id TEXT NOT NULL,
			record       TEXT NOT NULL,
			UNIQUE (insert_id, ts_s, ts_n, operation_id)
		)`,
		`CREATE INDEX audit_time ON audit (ts_s, ts_n)`,
		`CREATE TABLE events (
			id          INTEGER PRIMARY KEY,
			source_id   INTEGER NOT NULL,
			namespace   TEXT NOT NULL,
			name        TEXT NOT NULL,
			reason      TEXT NOT NULL,
			count       INTEGER NOT NULL,
			ts_s        INTEGER NOT NULL,
			ts_n        INTEGER NOT NULL,
			object_name TEXT NOT NULL,
			record      TEXT NOT NULL,
			UNIQUE (namespace, name, reason, count, ts_s, ts_n, object_name)
		)`,
		`CREATE INDEX events_time ON events (ts_s, ts_n)`,
		`CREATE TABLE pods (
			id        INTEGER PRIMARY KEY,
			source_id INTEGER NOT NULL,
			pod_key   TEXT NOT NULL,    -- uid, else namespace/name: one pod's versions
			uid       TEXT NOT NULL,
			namespace TEXT NOT NULL,
			name      TEXT NOT NULL,
			version   TEXT NOT NULL,    -- resourceVersion, else what identifies the version
			deleted   INTEGER NOT NULL,
			ended     INTEGER NOT NULL, -- deleted, being deleted or finished
			last_s    INTEGER NOT NULL, -- latest time the version carries (Unix seconds)
			record    TEXT NOT NULL,
			UNIQUE (uid, namespace, name, version, deleted)
		)`,
		`CREATE INDEX pods_key ON pods (pod_key)`,
		`CREATE TABLE slices (
			id        INTEGER PRIMARY KEY,
			source_id INTEGER NOT NULL,
			namespace TEXT NOT NULL,
			name      TEXT NOT NULL,
			version   TEXT NOT NULL,    -- resourceVersion, else a hash of the record
			seen_s    INTEGER NOT NULL, -- when it was stored (Unix seconds)
			record    TEXT NOT NULL,
			UNIQUE (namespace, name, version)
		)`,
		`CREATE TABLE services (
			id        INTEGER PRIMARY KEY,
			source_id INTEGER NOT NULL,
			namespace TEXT NOT NULL,
			name      TEXT NOT NULL,
			record    TEXT NOT NULL,
			UNIQUE (namespace, name)
		)`,
		`CREATE TABLE backends (
			id        INTEGER PRIMARY KEY,
			source_id INTEGER NOT NULL,
			project   TEXT NOT NULL,
			region    TEXT NOT NULL,
			name      TEXT NOT NULL,
			record    TEXT NOT NULL,
			UNIQUE (project, region, name)
		)`,
	},
}

// schemaVersion is the version this package writes.
var schemaVersion = len(migrations)

// migrate brings the schema of s to schemaVersion in one transaction. It
// is idempotent and safe against another process migrating at once (the
// write lock is taken at BEGIN).
func migrate(ctx context.Context, s *sql.DB) error {
	tx, err := s.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var cur int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&cur); err != nil {
		return fmt.Errorf("migrate: read version: %w", err)
	}
	if cur > schemaVersion {
		return fmt.Errorf("migrate: schema version %d is newer than this negtrace's (%d): upgrade negtrace or use another database", cur, schemaVersion)
	}
	if cur == schemaVersion {
		return nil
	}
	for v := cur; v < schemaVersion; v++ {
		for _, stmt := range migrations[v] {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("migrate to version %d: %w", v+1, err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM schema_version`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (?)`, schemaVersion); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}
