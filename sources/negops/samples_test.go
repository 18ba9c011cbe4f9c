package negops

import (
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/yaml"
)

// samplesDir is the shared third-party samples folder, beside the repository
// clone (see shared/samples/README.md).
const samplesDir = "../../../shared/samples"

// sampleEntries reads every Cloud Logging entry among the shared samples
// (JSON as is, YAML converted to JSON), keyed by path relative to samplesDir.
func sampleEntries(t testing.TB) map[string][]byte {
	t.Helper()
	out := make(map[string][]byte)
	for _, pattern := range []string{"opentelemetry-collector-contrib/*.json", "khi/*.yaml"} {
		paths, err := filepath.Glob(filepath.Join(samplesDir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Ext(p) == ".yaml" {
				if b, err = yaml.YAMLToJSON(b); err != nil {
					t.Fatalf("convert %s: %v", p, err)
				}
			}
			rel, _ := filepath.Rel(samplesDir, p)
			out[rel] = b
		}
	}
	if len(out) == 0 {
		t.Fatalf("no samples under %s: the shared folder must sit beside the repository clone", samplesDir)
	}
	return out
}
