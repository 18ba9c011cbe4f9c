package state

import (
	"context"
	"fmt"
)

// Stats counts what the database holds, per record kind.
type Stats struct {
	Requests    int // LB entries (any status)
	Errors      int // LB entries with status >= 500, kept in full
	Audit       int // NEG audit entries
	Events      int // Kubernetes events
	Pods        int // pod versions
	Slices      int // EndpointSlice versions
	Services    int // Services (one per namespace/name)
	Backends    int // backend service configurations
	Checkpoints int // sources with a checkpoint
	Skipped     int // records Apply could not store, all sources, ever
}

// Stats returns the current counts.
func (db *DB) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := db.sql.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM requests),
		(SELECT COUNT(*) FROM requests WHERE record IS NOT NULL),
		(SELECT COUNT(*) FROM audit),
		(SELECT COUNT(*) FROM events),
		(SELECT COUNT(*) FROM pods),
		(SELECT COUNT(*) FROM slices),
		(SELECT COUNT(*) FROM services),
		(SELECT COUNT(*) FROM backends),
		(SELECT COUNT(*) FROM checkpoints),
		(SELECT COALESCE(SUM(skipped), 0) FROM sources)`).Scan(
		&st.Requests, &st.Errors, &st.Audit, &st.Events, &st.Pods, &st.Slices,
		&st.Services, &st.Backends, &st.Checkpoints, &st.Skipped)
	if err != nil {
		return Stats{}, fmt.Errorf("state: stats: %w", err)
	}
	return st, nil
}
