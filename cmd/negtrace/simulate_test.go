package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/negtrace/negtrace/sources/sim"
)

func TestSimulateList(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"simulate", "--list"}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut.String())
	}
	for _, sc := range sim.Scenarios() {
		if !strings.Contains(out.String(), sc.Name+" ") {
			t.Errorf("--list output lacks %s:\n%s", sc.Name, out.String())
		}
	}
}

func TestSimulateUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no out", []string{"simulate", "--scenario", "rollout-race"}, exitUsage},
		{"no scenario", []string{"simulate", "--out", "x"}, exitUsage},
		{"unknown scenario", []string{"simulate", "--scenario", "nope", "--out", "x"}, exitUsage},
		{"bad flag", []string{"simulate", "--nope"}, exitUsage},
		{"extra argument", []string{"simulate", "--scenario", "rollout-race", "--out", "x", "y"}, exitUsage},
		{"help", []string{"simulate", "-h"}, exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(context.Background(), tt.args, &out, &errOut); code != tt.want {
				t.Errorf("exit %d, want %d; stderr %s", code, tt.want, errOut.String())
			}
		})
	}
}

func TestSimulateWrites(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	args := []string{"simulate", "--scenario", "safe-prestop", "--out", dir}
	if code := run(context.Background(), args, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut.String())
	}
	for _, name := range []string{sim.FileLB, sim.FileAudit, sim.FileEvents, sim.FilePods, sim.FileSlices, sim.FileServices, sim.FileTruth} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("missing %s: %v", name, err)
		}
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "testdata", "scenarios", "safe-prestop", sim.FileTruth))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, sim.FileTruth))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("truth.json differs from the committed scenario")
	}

	other := t.TempDir()
	args = []string{"simulate", "--scenario", "safe-prestop", "--seed", "1", "--out", other}
	if code := run(context.Background(), args, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut.String())
	}
	if b, _ := os.ReadFile(filepath.Join(other, sim.FileTruth)); bytes.Equal(b, want) {
		t.Error("--seed 1 gave the scenario's own truth")
	}
}
