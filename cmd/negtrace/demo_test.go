package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestDemoMatchesScenario checks that the embedded demo is the rollout-race
// scenario as committed (run go generate ./cmd/negtrace after -update).
func TestDemoMatchesScenario(t *testing.T) {
	scenario := filepath.Join("..", "..", "testdata", "scenarios", demoScenario)
	entries, err := fs.ReadDir(demoFS(), demoScenario)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadDir(scenario)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(want)-1 { // all but truth.json
		t.Errorf("demo has %d files, scenario %d (+truth.json)", len(entries), len(want)-1)
	}
	for _, e := range entries {
		got, err := fs.ReadFile(demoFS(), demoScenario+"/"+e.Name())
		if err != nil {
			t.Fatal(err)
		}
		orig, err := os.ReadFile(filepath.Join(scenario, e.Name()))
		if err != nil {
			t.Fatalf("demo file %s is not in the scenario: %v", e.Name(), err)
		}
		if !bytes.Equal(got, orig) {
			t.Errorf("demo %s differs from %s: run go generate ./cmd/negtrace", e.Name(), scenario)
		}
	}
}
