// Command negtrace explains load balancer 502/503s during GKE pod
// terminations: it joins LB request logs, pod termination evidence and NEG
// detach operations, and says which errors the NEG detach race caused and
// which preStop/grace settings would have avoided them.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // the run failed or found no usable evidence
	exitUsage   = 2 // bad flags or arguments
)

const usage = `negtrace explains load balancer 502/503s during GKE pod terminations.

Usage:
  negtrace analyze [flags] PATH...   analyze exported logs and objects (files or folders, .gz accepted)
  negtrace serve [flags]             serve the dashboard, API, reports and /metrics (default: the bundled demo)
  negtrace simulate [flags]          write a simulated incident in the real export formats
  negtrace version                   print the version

Run "negtrace COMMAND -h" for the flags of a command.
`

// run is main without the process: it parses args, runs the command and
// returns the exit code. Tests call it directly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "analyze":
		return runAnalyze(ctx, args[1:], stdout, stderr)
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "simulate":
		return runSimulate(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "negtrace", version())
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "negtrace: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}
