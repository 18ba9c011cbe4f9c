package state

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/negtrace/negtrace/sources/lblog"
)

func TestOpenIdempotent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	for i := range 3 {
		db, err := Open(ctx, Options{Path: path})
		if err != nil {
			t.Fatalf("Open #%d: %v", i+1, err)
		}
		var versions, version int
		if err := db.sql.QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_version`).Scan(&versions, &version); err != nil {
			t.Fatal(err)
		}
		if versions != 1 || version != schemaVersion {
			t.Errorf("Open #%d: %d version rows, version %d; want 1, %d", i+1, versions, version, schemaVersion)
		}
		var mode string
		if err := db.sql.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal_mode = %q, %v; want wal", mode, err)
		}
		// Each open adds one entry; all earlier ones are still there.
		if _, err := db.Apply(ctx, Batch{Source: "s", Requests: []lblog.Request{request(string(rune('a'+i)), t0, 200, "")}}); err != nil {
			t.Fatal(err)
		}
		checkStats(t, db, Stats{Requests: i + 1})
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		// Close wrote the log back into the database.
		if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() != 0 {
			t.Errorf("after Close, the WAL holds %d bytes", fi.Size())
		}
	}
}

func TestOpenNewerSchema(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	if _, err := db.sql.Exec(`UPDATE schema_version SET version = ?`, schemaVersion+1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(ctx, Options{Path: db.path}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open of a newer schema = %v, want an error saying it is newer", err)
	}
}

func TestOpenPaths(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, tc := range []struct {
		name, path string
	}{
		{"memory", ":memory:"},
		{"URI characters", filepath.Join(dir, "a?b#c%20d.db")},
		{"double slash", "/" + filepath.Join(dir, "x.db")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openTest(t, Options{Path: tc.path})
			if _, err := db.Apply(ctx, Batch{Source: "s", Requests: []lblog.Request{request("a", t0, 200, "")}}); err != nil {
				t.Fatal(err)
			}
			checkStats(t, db, Stats{Requests: 1})
			if tc.path != ":memory:" {
				if _, err := os.Stat(tc.path); err != nil {
					t.Errorf("database file: %v", err)
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "a")); err == nil {
		t.Error(`a file named "a" was created: the path was cut at '?'`)
	}
}

func TestOpenRejects(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"no path", Options{}},
		{"negative retention", Options{Path: ":memory:", Retention: -1}},
		{"folder missing", Options{Path: filepath.Join(t.TempDir(), "missing", "state.db")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if db, err := Open(ctx, tc.opts); err == nil {
				db.Close()
				t.Error("Open: no error")
			}
		})
	}
}
