package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/negtrace/negtrace/sources/sim"
)

const simulateUsage = `Usage: negtrace simulate --scenario NAME [--seed N] [--lb-entries N] --out DIR
       negtrace simulate --list

Writes a simulated incident in the real export formats (LB request logs,
NEG audit entries, Kubernetes events, pod watch stream, EndpointSlices,
Services) plus its ground truth (truth.json) into DIR.

Flags:
`

// runSimulate implements "negtrace simulate".
func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, simulateUsage)
		fs.PrintDefaults()
	}
	var (
		scenario  = fs.String("scenario", "", "scenario `name` (see --list)")
		seed      = fs.Uint64("seed", 0, "random seed (default: the scenario's own)")
		out       = fs.String("out", "", "output `directory`")
		list      = fs.Bool("list", false, "list the scenarios and exit")
		lbEntries = fs.Int("lb-entries", 0, "write about `N` LB entries (scales the traffic; for benchmarks)")
		plain     = fs.Bool("plain-lb", false, "write lb-requests.jsonl uncompressed instead of lb-requests.jsonl.gz")
	)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *list {
		tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
		for _, s := range sim.Scenarios() {
			fmt.Fprintf(tw, "%s\t%s\n", s.Name, s.Description)
		}
		if err := tw.Flush(); err != nil {
			fmt.Fprintf(stderr, "negtrace simulate: %v\n", err)
			return exitFailure
		}
		return exitOK
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "negtrace simulate: unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return exitUsage
	}
	if *scenario == "" || *out == "" {
		fmt.Fprintln(stderr, "negtrace simulate: --scenario and --out are required")
		fs.Usage()
		return exitUsage
	}
	if *lbEntries < 0 {
		fmt.Fprintln(stderr, "negtrace simulate: --lb-entries must not be negative")
		return exitUsage
	}
	sc, ok := sim.Lookup(*scenario)
	if !ok {
		fmt.Fprintf(stderr, "negtrace simulate: unknown scenario %q (see --list)\n", *scenario)
		return exitUsage
	}
	s := sc.Seed
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "seed" {
			s = *seed
		}
	})
	if err := ctx.Err(); err != nil {
		fmt.Fprintf(stderr, "negtrace simulate: %v\n", err)
		return exitFailure
	}
	w, err := sim.Run(sc.Name, sc.Config, s)
	if err != nil {
		fmt.Fprintf(stderr, "negtrace simulate: %v\n", err)
		return exitFailure
	}
	sum, err := sim.Write(*out, w, sim.Options{LBEntries: *lbEntries, PlainLB: *plain})
	if err != nil {
		fmt.Fprintf(stderr, "negtrace simulate: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "scenario %s (seed %d): %d LB entries, %d with status >= 500 (%d from the detach race), %d terminations\nwrote %s in %s\n",
		sc.Name, s, sum.LBEntries, sum.LB5xx, sum.RaceErrors, sum.Terminations, strings.Join(sum.Files, ", "), *out)
	return exitOK
}
