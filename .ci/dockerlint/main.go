// Command dockerlint checks negtrace's Dockerfile and .dockerignore offline,
// with no Docker engine and no registry:
//
//   - BuildKit's own Dockerfile linter (the checks "docker build --check"
//     runs), as a library, with a stub image resolver: any warning or
//     parse error fails;
//   - every file "go build ./cmd/negtrace" reads from the main module (Go
//     sources, embedded files, go.mod, go.sum) is in the build context, that
//     is, not excluded by .dockerignore.
//
// It is a separate module so that BuildKit stays out of negtrace's go.mod.
// Run it from this folder: go run . (or go run . -root DIR).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func main() {
	root := flag.String("root", "../..", "the repository root (holds Dockerfile, .dockerignore and go.mod)")
	pkg := flag.String("package", "./cmd/negtrace", "the package the Dockerfile builds")
	flag.Parse()
	if err := run(context.Background(), *root, *pkg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "dockerlint:", err)
		os.Exit(1)
	}
}

// run checks the Dockerfile and the .dockerignore in root, prints every
// problem on out, and fails when there is any.
func run(ctx context.Context, root, pkg string, out io.Writer) error {
	path := filepath.Join(root, "Dockerfile")
	dt, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	problems, bases, err := lintDockerfile(ctx, path, dt)
	if err != nil {
		return err
	}
	if len(problems) == 0 {
		fmt.Fprintf(out, "%s: BuildKit lint clean (base images %v)\n", path, bases)
	}
	excluded, n, err := excludedFromContext(ctx, root, pkg)
	if err != nil {
		return err
	}
	for _, name := range excluded {
		problems = append(problems, fmt.Sprintf("%s: excludes %s, which go build %s reads", filepath.Join(root, ".dockerignore"), name, pkg))
	}
	if len(excluded) == 0 {
		fmt.Fprintf(out, "%s: the build context holds all %d files go build %s reads from the module\n", filepath.Join(root, ".dockerignore"), n, pkg)
	}
	for _, p := range problems {
		fmt.Fprintln(out, p)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d problem(s)", len(problems))
	}
	return nil
}
