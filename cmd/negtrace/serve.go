package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/analyzer/metrics"
	"github.com/negtrace/negtrace/sources/export"
	"github.com/negtrace/negtrace/web"
)

const serveUsage = `Usage: negtrace serve [flags]

Serves the dashboard, the JSON API under /api/v1/, on-demand reports under
/reports and Prometheus metrics on /metrics. With no --evidence it serves the
bundled demo incident.

Flags:
`

// stringsFlag is a repeatable string flag.
type stringsFlag []string

func (s *stringsFlag) String() string     { return strings.Join(*s, ",") }
func (s *stringsFlag) Set(v string) error { *s = append(*s, v); return nil }

// serveConfig is what "negtrace serve" was asked to do.
type serveConfig struct {
	listen   string
	evidence stringsFlag
	poll     time.Duration
	analysis analyzer.Options
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg := serveConfig{analysis: analyzer.DefaultOptions()}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, serveUsage); fs.PrintDefaults() }
	fs.StringVar(&cfg.listen, "listen", "127.0.0.1:8080", "address to listen on")
	fs.Var(&cfg.evidence, "evidence", "exported evidence file or folder to serve (repeatable); default: the bundled demo incident")
	fs.DurationVar(&cfg.poll, "poll", 10*time.Second, "how often to look for changed evidence files")
	fs.DurationVar(&cfg.analysis.Slack, "slack", 0, "data-plane slack after a detach completes (0 = learn it)")
	fs.DurationVar(&cfg.analysis.SkewTolerance, "skew", cfg.analysis.SkewTolerance, "clock-skew tolerance")
	fs.DurationVar(&cfg.analysis.Margin, "margin", cfg.analysis.Margin, "safety margin in recommendations")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "negtrace serve: unexpected argument %q (use --evidence PATH)\n", fs.Arg(0))
		return exitUsage
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		fmt.Fprintln(stderr, "negtrace serve:", err)
		return exitFailure
	}
	if err := serve(ctx, ln, cfg, logger, stdout); err != nil {
		fmt.Fprintln(stderr, "negtrace serve:", err)
		return exitFailure
	}
	return exitOK
}

// serve runs the service on ln until ctx is done, then shuts down
// gracefully: it stops accepting, lets requests in flight finish, and
// returns.
func serve(ctx context.Context, ln net.Listener, cfg serveConfig, logger *slog.Logger, stdout io.Writer) error {
	sopts := export.StoreOptions{Paths: cfg.evidence, Analysis: cfg.analysis, Logger: logger, Poll: cfg.poll}
	if len(cfg.evidence) == 0 {
		sopts.FS, sopts.Paths, sopts.Demo = demoFS(), []string{demoScenario}, true
		sopts.Origin = "bundled demo incident (" + demoScenario + ")"
	} else {
		sopts.Origin = "evidence in " + strings.Join(cfg.evidence, ", ")
	}
	store, err := export.NewStore(sopts)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	if err := metrics.Register(reg, store.Snapshot, version()); err != nil {
		return fmt.Errorf("register metrics: %w", err)
	}
	handler, err := web.New(web.Options{
		Store:   store,
		Logger:  logger,
		Metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelError)}),
		Version: version(),
	})
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute, // reports over large evidence take a while
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	url := "http://" + ln.Addr().String()
	if sopts.Demo {
		fmt.Fprintf(stdout, "negtrace serve: serving the bundled demo incident (%s), not your cluster, on %s\n", demoScenario, url)
		fmt.Fprintf(stdout, "negtrace serve: to analyse your own exports: negtrace serve --evidence DIR\n")
	} else {
		fmt.Fprintf(stdout, "negtrace serve: serving %s on %s\n", sopts.Origin, url)
	}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return store.Run(gctx) })
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http server: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		logger.Info("shutting down: draining HTTP connections")
		return srv.Shutdown(shutdownCtx)
	})
	return g.Wait()
}
