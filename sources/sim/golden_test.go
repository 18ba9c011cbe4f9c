package sim

import (
	"bytes"
	"compress/gzip"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenDir is where a scenario's committed output lives.
func goldenDir(name string) string { return filepath.Join("..", "..", "testdata", "scenarios", name) }

// generate runs a scenario with its own seed and writes it to dir.
func generate(t *testing.T, sc Scenario, dir string) Summary {
	t.Helper()
	w, err := Run(sc.Name, sc.Config, sc.Seed)
	if err != nil {
		t.Fatalf("Run(%s): %v", sc.Name, err)
	}
	sum, err := Write(dir, w, Options{})
	if err != nil {
		t.Fatalf("Write(%s): %v", sc.Name, err)
	}
	return sum
}

// readFiles returns the files of dir by name. Gzip files are compared by
// content: the compressed bytes depend on the Go release's compressor.
func readFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(e.Name(), ".gz") {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s: %v", e.Name(), err)
			}
			if b, err = io.ReadAll(zr); err != nil {
				t.Fatalf("%s: %v", e.Name(), err)
			}
		}
		out[e.Name()] = b
	}
	return out
}

// simFiles are the names Write may produce: the golden comparison looks at
// these only, so other tools may keep their own files (reports) alongside.
var simFiles = []string{FileLB, FileLBPlain, FileLBOverlap, FileAudit, FileEvents, FilePods, FileSlices, FileServices, FileTruth}

// TestScenariosGolden regenerates every scenario with its fixed seed and
// compares the result with the committed files under testdata/scenarios.
// Run with -update to rewrite them.
func TestScenariosGolden(t *testing.T) {
	for _, sc := range Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			if *update {
				generate(t, sc, goldenDir(sc.Name))
				return
			}
			dir := t.TempDir()
			sum := generate(t, sc, dir)
			got, want := readFiles(t, dir), readFiles(t, goldenDir(sc.Name))
			for _, name := range simFiles {
				g, inGot := got[name]
				w, inWant := want[name]
				switch {
				case inGot != inWant:
					t.Errorf("%s: generated %v, committed %v (run go test ./sources/sim -update)", name, inGot, inWant)
				case !bytes.Equal(g, w):
					t.Errorf("%s differs from the committed file (%d vs %d bytes); run go test ./sources/sim -update if the change is intended", name, len(g), len(w))
				}
			}
			if len(sum.Files) == 0 {
				t.Error("Write reported no files")
			}
		})
	}
}

// TestDeterministic checks that equal seeds give byte-identical output
// (compressed files included) and that the seed matters.
func TestDeterministic(t *testing.T) {
	sc, _ := Lookup("rollout-race")
	a, b := t.TempDir(), t.TempDir()
	generate(t, sc, a)
	generate(t, sc, b)
	for _, name := range []string{FileLB, FileAudit, FileEvents, FilePods, FileSlices, FileServices, FileTruth} {
		x, err := os.ReadFile(filepath.Join(a, name))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	sc.Seed++
	c := t.TempDir()
	generate(t, sc, c)
	if bytes.Equal(readFiles(t, a)[FileTruth], readFiles(t, c)[FileTruth]) {
		t.Error("truth.json is the same with another seed")
	}
}

// TestLBEntriesOverride checks that scaling the traffic scales the LB file
// and leaves the cluster timeline alone.
func TestLBEntriesOverride(t *testing.T) {
	sc, _ := Lookup("safe-prestop")
	w, err := Run(sc.Name, sc.Config, sc.Seed)
	if err != nil {
		t.Fatal(err)
	}
	a, b := t.TempDir(), t.TempDir()
	if _, err := Write(a, w, Options{}); err != nil {
		t.Fatal(err)
	}
	w2, err := Run(sc.Name, sc.Config, sc.Seed)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Write(b, w2, Options{LBEntries: 20000, PlainLB: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum.LBEntries < 19000 || sum.LBEntries > 21000 {
		t.Errorf("LBEntries = %d, want about 20000", sum.LBEntries)
	}
	fa, fb := readFiles(t, a), readFiles(t, b)
	if _, ok := fb[FileLBPlain]; !ok {
		t.Errorf("no %s with PlainLB", FileLBPlain)
	}
	for _, name := range []string{FileAudit, FileEvents, FilePods} {
		if !bytes.Equal(fa[name], fb[name]) {
			t.Errorf("%s changed with the traffic volume", name)
		}
	}
}

// BenchmarkWriteTraffic measures streaming LB entries (plain NDJSON).
func BenchmarkWriteTraffic(b *testing.B) {
	sc, _ := Lookup("rollout-race")
	w, err := Run(sc.Name, sc.Config, sc.Seed)
	if err != nil {
		b.Fatal(err)
	}
	const entries = 50000
	dir := b.TempDir()
	var n int64
	for b.Loop() {
		var cw countWriter
		got, _, err := writeTraffic(dir, w, &cw, entries, false)
		if err != nil {
			b.Fatal(err)
		}
		n = cw.n
		if got < entries*9/10 {
			b.Fatalf("%d entries", got)
		}
	}
	b.SetBytes(n)
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }
