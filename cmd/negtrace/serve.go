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
	live     liveConfig
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg := serveConfig{analysis: analyzer.DefaultOptions()}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, serveUsage); fs.PrintDefaults() }
	fs.StringVar(&cfg.listen, "listen", "127.0.0.1:8080", "address to listen on")
	fs.Var(&cfg.evidence, "evidence", "exported evidence file or folder to serve (repeatable); default: the bundled demo incident")
	fs.DurationVar(&cfg.poll, "poll", 10*time.Second, "how often to look for changed evidence files")
	lc := &cfg.live
	fs.StringVar(&lc.project, "project", "", "live mode: the Google Cloud project of the load balancer, NEGs and cluster")
	fs.StringVar(&lc.cluster, "cluster", "", "live mode: GKE cluster name (filters the exported Kubernetes events)")
	fs.StringVar(&lc.location, "location", "", "live mode: the cluster's region or zone")
	fs.Var(&lc.namespaces, "namespaces", "live mode: namespaces to watch, comma-separated (default all)")
	fs.Var(&lc.backendServices, "backend-services", "live mode: NEG-backed backend services to watch, comma-separated (default all with NEG backends)")
	fs.Var(&lc.regions, "regions", "live mode: regions of regional backend services to include, comma-separated")
	fs.StringVar(&lc.kubeconfig, "kubeconfig", "", "live mode: kubeconfig file (default: the in-cluster config)")
	fs.BoolVar(&lc.noKubernetes, "no-kubernetes", false, "live mode: do not watch the Kubernetes API (use the exported events only)")
	fs.StringVar(&lc.db, "db", "negtrace.db", "live mode: state database file (SQLite), kept across restarts")
	fs.DurationVar(&lc.retention, "retention", 30*24*time.Hour, "live mode: how long to keep evidence in the database")
	fs.DurationVar(&lc.backfill, "backfill", time.Hour, "live mode: how far back Cloud Logging is read on the first start")
	fs.DurationVar(&lc.poll, "logging-poll", 30*time.Second, "live mode: time between Cloud Logging list passes (10x longer while the tail stream is open)")
	fs.BoolVar(&lc.tail, "tail", true, "live mode: tail Cloud Logging for low latency")
	fs.StringVar(&lc.loggingEndpoint, "logging-endpoint", "", "live mode: Cloud Logging API endpoint (host:port) instead of the public one")
	fs.StringVar(&lc.computeEndpoint, "compute-endpoint", "", "live mode: Compute API endpoint (URL) instead of the public one")
	fs.BoolVar(&lc.insecureEndpoints, "insecure-endpoints", false, "live mode: no credentials and plaintext gRPC to the endpoints above (local fakes only)")
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
	if err := validateLive(cfg); err != nil {
		fmt.Fprintln(stderr, "negtrace serve:", err)
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
// gracefully: it stops accepting, lets requests in flight finish (for up to
// drainTimeout) while the sources stop and store what they hold, then closes
// the live state last, and returns.
func serve(ctx context.Context, ln net.Listener, cfg serveConfig, logger *slog.Logger, stdout io.Writer) error {
	var store interface {
		web.Store
		Run(ctx context.Context) error
	}
	origin, demo := "", false
	if cfg.live.project != "" {
		svc, sources, closeAll, err := liveService(ctx, cfg, logger)
		if err != nil {
			return err
		}
		// Closed after the server and sources stopped: the database is
		// flushed last.
		defer closeAll()
		store, origin = liveRunner{svc, sources}, liveOrigin(cfg.live)
	} else {
		sopts := export.StoreOptions{Paths: cfg.evidence, Analysis: cfg.analysis, Logger: logger, Poll: cfg.poll}
		if len(cfg.evidence) == 0 {
			sopts.FS, sopts.Paths, sopts.Demo = demoFS(), []string{demoScenario}, true
			sopts.Origin = "bundled demo incident (" + demoScenario + ")"
		} else {
			sopts.Origin = "evidence in " + strings.Join(cfg.evidence, ", ")
		}
		s, err := export.NewStore(sopts)
		if err != nil {
			return err
		}
		store, origin, demo = s, sopts.Origin, sopts.Demo
	}
	reg := prometheus.NewRegistry()
	if err := metrics.Register(reg, store.Snapshot, version()); err != nil {
		return err
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
	if demo {
		fmt.Fprintf(stdout, "negtrace serve: serving the bundled demo incident (%s), not your cluster, on %s\n", demoScenario, url)
		fmt.Fprintf(stdout, "negtrace serve: to analyse your own exports: negtrace serve --evidence DIR\n")
	} else {
		fmt.Fprintf(stdout, "negtrace serve: serving %s on %s\n", origin, url)
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
		return shutdownHTTP(srv, drainTimeout, logger)
	})
	return g.Wait()
}
