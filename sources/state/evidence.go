package state

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"time"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/computecfg"
	"github.com/negtrace/negtrace/sources/lblog"
)

// maxProblems is how many problems each source's analyzer.Input keeps.
const maxProblems = 10

// Evidence builds the evidence of window w from everything stored, through
// an analyzer.Collector: LB entries inside w, and every audit entry, event,
// pod and EndpointSlice version, Service and backend service (the analyzer
// needs what came before and after the window to explain it). LB entries
// come in time order, the other records in the order they were stored
// (ties, in both cases, too). Inputs holds one analyzer.Input per source
// ever applied, by name: Path "live:<source>", Kind "live", Records the
// number of its records in this evidence, Skipped those Apply could not
// store plus stored ones that could not be read back.
//
// It reads one consistent snapshot: a concurrent Apply is either wholly in
// it or not at all.
func (db *DB) Evidence(ctx context.Context, w analyzer.Window) (*analyzer.Evidence, error) {
	tx, err := db.sql.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("state: evidence: %w", err)
	}
	defer tx.Rollback()
	e := &evidence{c: analyzer.NewCollector(w), per: make(map[int64]*analyzer.Input)}
	if err := e.readSources(ctx, tx); err != nil {
		return nil, fmt.Errorf("state: evidence: %w", err)
	}
	steps := []func(context.Context, *sql.Tx) error{e.readRequests(w), e.readAudit, e.readEvents, e.readPods, e.readSlices, e.readServices, e.readBackends}
	for _, step := range steps {
		if err := step(ctx, tx); err != nil {
			return nil, fmt.Errorf("state: evidence: %w", err)
		}
	}
	for _, in := range e.inputs {
		e.c.AddInput(*in)
	}
	return e.c.Evidence(), nil
}

// evidence is one Evidence call in progress.
type evidence struct {
	c      *analyzer.Collector
	per    map[int64]*analyzer.Input // by source id
	inputs []*analyzer.Input         // by source name
}

// readSources creates the per-source inputs.
func (e *evidence) readSources(ctx context.Context, tx *sql.Tx) error {
	rs, err := tx.QueryContext(ctx, `SELECT id, name, skipped, problem FROM sources ORDER BY name`)
	if err != nil {
		return fmt.Errorf("sources: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var id int64
		var name string
		var skipped int
		var problem sql.NullString
		if err := rs.Scan(&id, &name, &skipped, &problem); err != nil {
			return fmt.Errorf("sources: %w", err)
		}
		in := &analyzer.Input{Path: "live:" + name, Kind: "live", Skipped: skipped, Problems: []string{}}
		if problem.Valid {
			in.Problems = append(in.Problems, in.Path+": "+problem.String)
		}
		e.per[id] = in
		e.inputs = append(e.inputs, in)
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("sources: %w", err)
	}
	return nil
}

// input returns the input of source id (a source row removed by hand
// gets one of its own).
func (e *evidence) input(id int64) *analyzer.Input {
	in, ok := e.per[id]
	if !ok {
		in = &analyzer.Input{Path: fmt.Sprintf("live:source-%d", id), Kind: "live", Problems: []string{}}
		e.per[id] = in
		e.inputs = append(e.inputs, in)
	}
	return in
}

// count records the outcome of one stored record of source id.
func (e *evidence) count(id int64, used bool) {
	if used {
		e.input(id).Records++
	}
}

// unreadable counts a stored record that could not be decoded.
func (e *evidence) unreadable(id int64, what string, rowID int64, err error) {
	in := e.input(id)
	in.Skipped++
	if len(in.Problems) < maxProblems {
		in.Problems = append(in.Problems, fmt.Sprintf("%s: stored %s %d unreadable: %v", in.Path, what, rowID, err))
	}
}

// secondsRange is the range of Unix seconds holding w (open bounds are
// unbounded); the collector applies w exactly.
func secondsRange(w analyzer.Window) (lo, hi int64) {
	lo, hi = math.MinInt64, math.MaxInt64
	if !w.Start.IsZero() {
		lo = w.Start.Unix()
	}
	if !w.End.IsZero() {
		hi = w.End.Unix()
	}
	return lo, hi
}

// readRequests adds the LB entries in w: in full when kept (status >= 500),
// else as traffic.
func (e *evidence) readRequests(w analyzer.Window) func(context.Context, *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		lo, hi := secondsRange(w)
		rs, err := tx.QueryContext(ctx, `SELECT id, source_id, insert_id, ts_s, ts_n, server_ip, record FROM requests
			WHERE ts_s BETWEEN ? AND ? ORDER BY ts_s, ts_n, id`, lo, hi)
		if err != nil {
			return fmt.Errorf("LB entries: %w", err)
		}
		defer rs.Close()
		var (
			id, src, s, n int64
			insertID, ip  sql.RawBytes
			rec           sql.RawBytes
			addr          netip.Addr
		)
		for rs.Next() {
			if err := rs.Scan(&id, &src, &insertID, &s, &n, &ip, &rec); err != nil {
				return fmt.Errorf("LB entries: %w", err)
			}
			if rec != nil {
				var q lblog.Request
				if err := json.Unmarshal(rec, &q); err != nil {
					e.unreadable(src, "LB entry", id, err)
					continue
				}
				e.count(src, e.c.AddRequest(q))
				continue
			}
			addr = netip.Addr{}
			if len(ip) > 0 {
				if err := addr.UnmarshalBinary(ip); err != nil {
					e.unreadable(src, "LB entry", id, err)
					continue
				}
			}
			e.count(src, e.c.AddLBEntry(insertID, time.Unix(s, n).UTC(), addr))
		}
		if err := rs.Err(); err != nil {
			return fmt.Errorf("LB entries: %w", err)
		}
		return nil
	}
}

// readRecords decodes the record column of every row of query, in the
// order stored, into a T and hands it to add.
func readRecords[T any](ctx context.Context, tx *sql.Tx, e *evidence, what, query string, add func(T) bool) error {
	rs, err := tx.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer rs.Close()
	var (
		id, src int64
		rec     sql.RawBytes
	)
	for rs.Next() {
		if err := rs.Scan(&id, &src, &rec); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		var v T
		if err := json.Unmarshal(rec, &v); err != nil {
			e.unreadable(src, what, id, err)
			continue
		}
		e.count(src, add(v))
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

func (e *evidence) readAudit(ctx context.Context, tx *sql.Tx) error {
	return readRecords(ctx, tx, e, "audit entry", `SELECT id, source_id, record FROM audit ORDER BY id`, e.c.AddAudit)
}

func (e *evidence) readEvents(ctx context.Context, tx *sql.Tx) error {
	return readRecords(ctx, tx, e, "event", `SELECT id, source_id, record FROM events ORDER BY id`, e.c.AddEvent)
}

func (e *evidence) readPods(ctx context.Context, tx *sql.Tx) error {
	return readRecords(ctx, tx, e, "pod", `SELECT id, source_id, record FROM pods ORDER BY id`, e.c.AddPod)
}

func (e *evidence) readSlices(ctx context.Context, tx *sql.Tx) error {
	return readRecords(ctx, tx, e, "EndpointSlice", `SELECT id, source_id, record FROM slices ORDER BY id`, e.c.AddSlice)
}

func (e *evidence) readServices(ctx context.Context, tx *sql.Tx) error {
	return readRecords(ctx, tx, e, "Service", `SELECT id, source_id, record FROM services ORDER BY id`, e.c.AddService)
}

func (e *evidence) readBackends(ctx context.Context, tx *sql.Tx) error {
	return readRecords(ctx, tx, e, "backend service", `SELECT id, source_id, record FROM backends ORDER BY id`,
		func(b computecfg.Backend) bool { e.c.AddBackend(b); return true })
}

// Backends returns the stored backend service configurations, in the order
// first stored. A stored record that cannot be read back is logged and
// left out.
func (db *DB) Backends(ctx context.Context) ([]computecfg.Backend, error) {
	rs, err := db.sql.QueryContext(ctx, `SELECT id, record FROM backends ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("state: backends: %w", err)
	}
	defer rs.Close()
	var out []computecfg.Backend
	for rs.Next() {
		var id int64
		var rec sql.RawBytes
		if err := rs.Scan(&id, &rec); err != nil {
			return nil, fmt.Errorf("state: backends: %w", err)
		}
		var b computecfg.Backend
		if err := json.Unmarshal(rec, &b); err != nil {
			db.log.Warn("state: stored backend service unreadable", "row", id, "err", err)
			continue
		}
		out = append(out, b)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("state: backends: %w", err)
	}
	return out, nil
}
