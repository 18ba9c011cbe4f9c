package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// goPackage is the part of "go list -json" output the context check needs.
type goPackage struct {
	Dir    string
	Module *struct{ Main bool }

	GoFiles, CgoFiles, SFiles, HFiles, CFiles, CXXFiles, SysoFiles, EmbedFiles []string
}

// excludedFromContext returns the files that building pkg (for linux, with
// cgo off, as the Dockerfile does) reads from the main module in root but
// that root's .dockerignore keeps out of the build context, and how many
// files the build reads in all.
func excludedFromContext(ctx context.Context, root, pkg string) (excluded []string, n int, err error) {
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return nil, 0, fmt.Errorf("build context: %w", err)
	}
	f, err := os.Open(filepath.Join(absRoot, ".dockerignore"))
	if err != nil {
		return nil, 0, fmt.Errorf("build context: %w", err)
	}
	patterns, err := ignorefile.ReadAll(f)
	f.Close()
	if err != nil {
		return nil, 0, fmt.Errorf("build context: read .dockerignore: %w", err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return nil, 0, fmt.Errorf("build context: .dockerignore: %w", err)
	}
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-json", pkg)
	cmd.Dir = absRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, 0, fmt.Errorf("build context: go list %s: %w: %s", pkg, err, stderr.Bytes())
	}
	needed := []string{"go.mod", "go.sum"}
	dec := json.NewDecoder(&stdout)
	for {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, 0, fmt.Errorf("build context: go list output: %w", err)
		}
		if p.Module == nil || !p.Module.Main {
			continue
		}
		rel, err := filepath.Rel(absRoot, p.Dir)
		if err != nil {
			return nil, 0, fmt.Errorf("build context: %w", err)
		}
		for _, names := range [][]string{p.GoFiles, p.CgoFiles, p.SFiles, p.HFiles, p.CFiles, p.CXXFiles, p.SysoFiles, p.EmbedFiles} {
			for _, name := range names {
				needed = append(needed, filepath.ToSlash(filepath.Join(rel, name)))
			}
		}
	}
	slices.Sort(needed)
	needed = slices.Compact(needed)
	for _, name := range needed {
		// What BuildKit applies to decide what it sends.
		skip, err := pm.MatchesOrParentMatches(name)
		if err != nil {
			return nil, 0, fmt.Errorf("build context: match %s: %w", name, err)
		}
		if skip {
			excluded = append(excluded, name)
		}
	}
	return excluded, len(needed), nil
}
