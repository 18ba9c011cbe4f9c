package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Options configures Open.
type Options struct {
	Path      string           // Required. Database file, created when missing; ":memory:" for a private in-memory database (tests).
	Retention time.Duration    // Records older than this are removed by Prune; 0 keeps everything.
	Logger    *slog.Logger     // Nil discards logs.
	Now       func() time.Time // Clock for retention and observation times; nil means time.Now.
}

// busyTimeout is how long a statement waits for a lock another connection
// (or process) holds before failing with SQLITE_BUSY.
const busyTimeout = 10 * time.Second

// DB is the live-mode state database. It is safe for concurrent use: one
// Apply or Prune writes at a time, while Evidence and the other readers run
// concurrently on their own snapshot (WAL mode).
type DB struct {
	sql    *sql.DB
	log    *slog.Logger
	now    func() time.Time
	keep   time.Duration
	path   string
	mu     sync.Mutex // serialises writers: no SQLITE_BUSY between our own transactions
	closed bool       // under mu

	// hook, when set by tests, is called inside Apply's transaction at
	// the named stage ("records", "checkpoint"); an error aborts the batch.
	hook func(ctx context.Context, stage string) error
}

// Open opens (creating if needed) the database at opts.Path and brings its
// schema to the current version. Opening a database written by a newer
// negtrace fails rather than guessing.
func Open(ctx context.Context, opts Options) (*DB, error) {
	if opts.Path == "" {
		return nil, errors.New("state: Options.Path is required")
	}
	if opts.Retention < 0 {
		return nil, errors.New("state: Options.Retention must not be negative")
	}
	db := &DB{log: opts.Logger, now: opts.Now, keep: opts.Retention, path: opts.Path}
	if db.log == nil {
		db.log = slog.New(slog.DiscardHandler)
	}
	if db.now == nil {
		db.now = time.Now
	}
	s, err := sql.Open("sqlite", dsn(opts.Path))
	if err != nil {
		return nil, fmt.Errorf("state: open %s: %w", opts.Path, err)
	}
	if opts.Path == ":memory:" {
		// Every connection to :memory: is its own database: keep one.
		s.SetMaxOpenConns(1)
	} else {
		// Keep readers' connections: opening one runs the DSN's pragmas.
		s.SetMaxIdleConns(4)
	}
	db.sql = s
	if err := migrate(ctx, s); err != nil {
		s.Close()
		return nil, fmt.Errorf("state: open %s: %w", opts.Path, err)
	}
	db.log.Debug("state database open", "path", opts.Path, "retention", opts.Retention)
	return db, nil
}

// dsn is the driver's data source name for path: WAL journal (readers do
// not block the writer), synchronous=FULL (a committed batch survives a
// power loss, as ApplyFunc promises), a busy timeout, write transactions
// that take the write lock at BEGIN, and incremental auto-vacuum so Prune
// can give space back.
func dsn(path string) string {
	params := "?_busy_timeout=" + strconv.FormatInt(busyTimeout.Milliseconds(), 10) +
		"&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate&_auto_vacuum=INCREMENTAL"
	if path == ":memory:" {
		return path + params
	}
	// A file: URI, so that '?' and '#' in the path stay part of it.
	// An absolute path gets an empty authority, so "//x" is not a host.
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	prefix := "file:"
	if strings.HasPrefix(path, "/") {
		prefix = "file://"
	}
	return prefix + r.Replace(path) + params
}

// Close writes the write-ahead log back into the database file and closes
// it. Calls after the first return nil.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil
	}
	db.closed = true
	ctx, cancel := context.WithTimeout(context.Background(), busyTimeout)
	defer cancel()
	_, cerr := db.sql.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	if err := db.sql.Close(); err != nil {
		return fmt.Errorf("state: close %s: %w", db.path, err)
	}
	if cerr != nil {
		return fmt.Errorf("state: close %s: checkpoint: %w", db.path, cerr)
	}
	return nil
}

// ApplyFunc returns Apply as an ApplyFunc, for the live sources.
func (db *DB) ApplyFunc() ApplyFunc {
	return func(ctx context.Context, b Batch) error {
		_, err := db.Apply(ctx, b)
		return err
	}
}

// ErrClosed is returned by Apply and Prune called after Close.
var ErrClosed = errors.New("state: database is closed")
