package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/analyzer/render"
	"github.com/negtrace/negtrace/sources/export"
)

const analyzeUsage = `Usage: negtrace analyze [flags] PATH...

Reads exported evidence (files and/or folders, any mix, .gz accepted; the kind of
each file is detected from its content):
  - Cloud Logging entries (gcloud logging read --format=json, or a log sink's NDJSON):
    LB request logs, Compute NEG attach/detach audit entries, GKE's Kubernetes events
  - kubectl JSON: get -o json lists and --watch -o json streams of Pods,
    EndpointSlices, Events and Services

and says which LB 5xx the NEG detach race caused, how long detaches took, and the
preStop sleep and grace period that would have prevented it.

Flags:
`

// analyzeFlags are the flags of "negtrace analyze".
type analyzeFlags struct {
	format, out       string
	from, to          string
	slack, skew       time.Duration
	margin            time.Duration
	quiet, noProgress bool
}

func runAnalyze(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f analyzeFlags
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, analyzeUsage); fs.PrintDefaults() }
	fs.StringVar(&f.format, "format", render.FormatText, "output format: "+strings.Join(render.Formats(), ", "))
	fs.StringVar(&f.out, "o", "", "write the report to this file instead of standard output")
	fs.StringVar(&f.from, "from", "", "only LB entries at or after this time (RFC 3339, e.g. 2025-03-04T18:10:00Z)")
	fs.StringVar(&f.to, "to", "", "only LB entries before this time (RFC 3339)")
	fs.DurationVar(&f.slack, "slack", 0, "data-plane slack after a detach completes (0 = learn it from the evidence)")
	fs.DurationVar(&f.skew, "skew", analyzer.DefaultOptions().SkewTolerance, "clock-skew tolerance between LB, control-plane and node clocks")
	fs.DurationVar(&f.margin, "margin", analyzer.DefaultOptions().Margin, "safety margin added to measured durations in recommendations")
	fs.BoolVar(&f.quiet, "q", false, "log only warnings and errors")
	fs.BoolVar(&f.noProgress, "no-progress", false, "never show a progress bar")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "negtrace analyze: no input: give one or more files or folders (try testdata/demo)")
		return exitUsage
	}
	var w analyzer.Window
	var err error
	if w.Start, err = parseTimeFlag("from", f.from); err == nil {
		w.End, err = parseTimeFlag("to", f.to)
	}
	if err == nil && !w.Start.IsZero() && !w.End.IsZero() && !w.End.After(w.Start) {
		err = fmt.Errorf("--to %s is not after --from %s", f.to, f.from)
	}
	if err != nil {
		fmt.Fprintln(stderr, "negtrace analyze:", err)
		return exitUsage
	}
	if !slices.Contains(render.Formats(), f.format) {
		fmt.Fprintf(stderr, "negtrace analyze: unknown --format %q (want one of %s)\n", f.format, strings.Join(render.Formats(), ", "))
		return exitUsage
	}
	opts := analyzer.DefaultOptions()
	opts.Slack, opts.SkewTolerance, opts.Margin = f.slack, f.skew, f.margin

	level := slog.LevelInfo
	if f.quiet {
		level = slog.LevelWarn
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	col := analyzer.NewCollector(w)
	var progress io.Writer
	if !f.noProgress && isTerminal(stderr) {
		progress = stderr
	}
	if err := export.Read(ctx, fs.Args(), export.Options{Collector: col, Logger: logger, Progress: progress}); err != nil {
		fmt.Fprintln(stderr, "negtrace analyze:", err)
		return exitFailure
	}
	ev := col.Evidence()
	if msg := unusable(ev); msg != "" {
		fmt.Fprintln(stderr, "negtrace analyze:", msg)
		for _, in := range ev.Inputs {
			for _, p := range in.Problems {
				fmt.Fprintln(stderr, "  ", p)
			}
		}
		return exitFailure
	}
	rep, err := analyzer.Analyze(ev, opts)
	if err != nil {
		fmt.Fprintln(stderr, "negtrace analyze:", err)
		return exitFailure
	}
	return writeReport(rep, f, stdout, stderr)
}

func writeReport(rep *analyzer.Report, f analyzeFlags, stdout, stderr io.Writer) int {
	out := stdout
	ropts := render.Options{Version: version(), Width: 100}
	var file *os.File
	if f.out != "" {
		var err error
		if file, err = os.Create(f.out); err != nil {
			fmt.Fprintln(stderr, "negtrace analyze:", err)
			return exitFailure
		}
		out = file
	} else if fd, ok := stdout.(interface{ Fd() uintptr }); ok && term.IsTerminal(int(fd.Fd())) {
		ropts.Color = os.Getenv("NO_COLOR") == ""
		if w, _, err := term.GetSize(int(fd.Fd())); err == nil && w > 0 {
			ropts.Width = w
		}
	}
	err := render.Write(out, f.format, rep, ropts)
	if file != nil {
		// The one close of the --out file; its error matters when the write did not fail.
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "negtrace analyze: write report:", err)
		return exitFailure
	}
	return exitOK
}

// unusable says why the evidence cannot give any answer, or "" when it can.
func unusable(ev *analyzer.Evidence) string {
	if ev.LBRequests == 0 && len(ev.Pods) == 0 && len(ev.Audit) == 0 && len(ev.Events) == 0 && len(ev.Slices) == 0 {
		return "no usable evidence in the inputs: no LB request logs, NEG audit entries, Kubernetes objects or events were found"
	}
	return ""
}

func parseTimeFlag(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("--%s: want an RFC 3339 time such as 2025-03-04T18:10:00Z: %w", name, err)
	}
	return t.UTC(), nil
}

func isTerminal(w io.Writer) bool {
	fd, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(fd.Fd()))
}
