package kube

import (
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// samplesDir is the shared third-party samples folder, beside the repository
// clone (see shared/samples/README.md).
const samplesDir = "../../../shared/samples"

// addrCmp compares netip.Addr values, whose fields are unexported.
var addrCmp = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })

// readFile reads a file; YAML is converted to JSON as the export reader does.
func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v (the shared folder must sit beside the repository clone)", path, err)
	}
	if strings.HasSuffix(path, ".yaml") {
		if b, err = yaml.YAMLToJSON(b); err != nil {
			t.Fatalf("convert %s: %v", path, err)
		}
	}
	return b
}

// readSample reads a shared sample by its path under samplesDir.
func readSample(t testing.TB, rel string) []byte {
	t.Helper()
	return readFile(t, filepath.Join(samplesDir, rel))
}

// readTestdata reads a fixture under testdata.
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	return readFile(t, filepath.Join("testdata", name))
}

// allSamples returns every shared sample file, relative to samplesDir.
func allSamples(t testing.TB) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(samplesDir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".yaml")) {
			rel, _ := filepath.Rel(samplesDir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil || len(out) == 0 {
		t.Fatalf("no samples under %s (%v): the shared folder must sit beside the repository clone", samplesDir, err)
	}
	return out
}

// unmarshal decodes a JSON fixture into an API object.
func unmarshal[T any](t testing.TB, raw []byte) *T {
	t.Helper()
	v := new(T)
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("unmarshal %T: %v", v, err)
	}
	return v
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm.UTC()
}

func ptr[T any](v T) *T { return &v }
