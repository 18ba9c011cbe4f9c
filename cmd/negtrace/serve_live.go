package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	logging "cloud.google.com/go/logging/apiv2"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/cloudlog"
	"github.com/negtrace/negtrace/sources/computecfg/computewatch"
	"github.com/negtrace/negtrace/sources/kube/kubewatch"
	"github.com/negtrace/negtrace/sources/live"
	"github.com/negtrace/negtrace/sources/state"
)

// liveConfig is what live mode ("negtrace serve --project P") reads.
type liveConfig struct {
	project, cluster, location string
	namespaces                 listFlag
	backendServices, regions   listFlag
	kubeconfig                 string
	noKubernetes               bool
	db                         string
	retention                  time.Duration
	backfill                   time.Duration
	poll                       time.Duration
	tail                       bool
	loggingEndpoint            string
	computeEndpoint            string
	insecureEndpoints          bool
}

// listFlag is a comma-separated, repeatable list flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// downSource stands for a source that could not even be set up (no
// credentials, no cluster config): the service runs on and says why.
type downSource struct {
	status analyzer.SourceStatus
}

func (d downSource) Run(ctx context.Context) error { <-ctx.Done(); return nil }
func (d downSource) Status() analyzer.SourceStatus { return d.status }

// liveService opens the state and builds the live sources. The returned
// close function releases what was opened.
func liveService(ctx context.Context, cfg serveConfig, logger *slog.Logger) (*live.Service, []live.Source, func(), error) {
	lc := cfg.live
	klog.SetSlogLogger(logger) // client-go logs go to the same handler
	db, err := state.Open(ctx, state.Options{Path: lc.db, Retention: lc.retention, Logger: logger})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("open state %s: %w", lc.db, err)
	}
	svc, err := live.New(live.Options{DB: db, Origin: liveOrigin(lc), Analysis: cfg.analysis, Logger: logger})
	if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	var closers []func()
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
		if err := db.Close(); err != nil {
			logger.Error("close state", "err", err)
		}
	}
	sources := []live.Source{loggingSource(ctx, lc, db, svc, logger, &closers)}
	if !lc.noKubernetes {
		sources = append(sources, kubernetesSource(lc, svc, logger))
	}
	var copts []option.ClientOption
	if lc.computeEndpoint != "" {
		copts = append(copts, option.WithEndpoint(lc.computeEndpoint))
	}
	if lc.insecureEndpoints {
		copts = append(copts, option.WithoutAuthentication())
	}
	cf, err := computewatch.New(ctx, computewatch.Options{Project: lc.project, BackendServices: lc.backendServices, Regions: lc.regions, ClientOptions: copts, Apply: svc.Apply, Logger: logger})
	if err != nil {
		sources = append(sources, downSource{analyzer.SourceStatus{Name: computewatch.SourceName, State: analyzer.SourceDown, Message: err.Error()}})
	} else {
		closers = append(closers, func() { cf.Close() })
		sources = append(sources, cf)
	}
	return svc, sources, closeAll, nil
}

func loggingSource(ctx context.Context, lc liveConfig, db *state.DB, svc *live.Service, logger *slog.Logger, closers *[]func()) live.Source {
	down := func(msg string) live.Source {
		return downSource{analyzer.SourceStatus{Name: "cloud-logging", State: analyzer.SourceDown, Message: msg}}
	}
	var opts []option.ClientOption
	if lc.loggingEndpoint != "" {
		opts = append(opts, option.WithEndpoint(lc.loggingEndpoint))
	}
	if lc.insecureEndpoints {
		opts = append(opts, option.WithoutAuthentication(), option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	}
	client, err := logging.NewClient(ctx, opts...)
	if err != nil {
		return down(fmt.Sprintf("cannot create the Cloud Logging client: %v. Give negtrace Application Default Credentials: on GKE, Workload Identity for its Kubernetes service account; elsewhere gcloud auth application-default login.", err))
	}
	*closers = append(*closers, func() { client.Close() })
	checkpoint, _, err := db.Checkpoint(ctx, "cloud-logging")
	if err != nil {
		return down(fmt.Sprintf("read the stored checkpoint: %v", err))
	}
	r, err := cloudlog.New(cloudlog.Options{
		Client: client, Project: lc.project, Cluster: lc.cluster, Location: lc.location,
		BackendServices: lc.backendServices, Apply: svc.Apply, Checkpoint: checkpoint,
		Backfill: lc.backfill, Poll: lc.poll, Tail: lc.tail, Logger: logger,
	})
	if err != nil {
		return down(err.Error())
	}
	return r
}

func kubernetesSource(lc liveConfig, svc *live.Service, logger *slog.Logger) live.Source {
	down := func(msg string) live.Source {
		return downSource{analyzer.SourceStatus{Name: kubewatch.SourceName, State: analyzer.SourceDown, Message: msg}}
	}
	rc, err := kubewatch.RESTConfig(lc.kubeconfig)
	if err != nil {
		return down(err.Error())
	}
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return down(fmt.Sprintf("Kubernetes client: %v", err))
	}
	w, err := kubewatch.NewWatcher(kubewatch.WatchOptions{Client: cs, Namespaces: lc.namespaces, Apply: svc.Apply, Logger: logger})
	if err != nil {
		return down(err.Error())
	}
	return w
}

// validateLive checks the live-mode flags.
func validateLive(cfg serveConfig) error {
	lc := cfg.live
	switch {
	case lc.project == "" && (lc.cluster != "" || len(lc.namespaces) > 0 || lc.loggingEndpoint != "" || lc.computeEndpoint != ""):
		return errors.New("live-mode flags need --project")
	case lc.project != "" && len(cfg.evidence) > 0:
		return errors.New("--evidence and --project are exclusive: serve exported files or a live project")
	case lc.project != "" && lc.db == "":
		return errors.New("--db must name the state database file")
	}
	return nil
}

// liveRunner adapts the live service and its sources to serve's store.
type liveRunner struct {
	*live.Service
	sources []live.Source
}

func (l liveRunner) Run(ctx context.Context) error { return l.Service.Run(ctx, l.sources...) }

// liveOrigin names what live mode watches.
func liveOrigin(lc liveConfig) string {
	origin := "live: project " + lc.project
	if lc.cluster != "" {
		origin += ", cluster " + lc.cluster
	}
	return origin
}
