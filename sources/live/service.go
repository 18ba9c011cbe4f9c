// Package live runs negtrace continuously: live sources (Cloud Logging, the
// Kubernetes API, the Compute API) hand what they read to the persistent
// state, and the service analyses the stored evidence again whenever it
// grows, publishing each analysis as a Snapshot for the dashboard and the
// metrics. It implements web.Store.
package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/state"
)

// Source is a live evidence source: Run blocks until ctx is done, retrying
// its own failures; Status says how it is doing.
type Source interface {
	Run(ctx context.Context) error
	Status() analyzer.SourceStatus
}

// Options configures a Service.
type Options struct {
	DB       *state.DB        // Required. Where the evidence is kept across restarts.
	Origin   string           // Required. What the pages call this, e.g. "live: project p, cluster c".
	Analysis analyzer.Options // Required. Start from analyzer.DefaultOptions.
	Logger   *slog.Logger     // Required.
	// Debounce is how long the service waits after new evidence arrives
	// before analysing, to take in the rest of a burst. 0 means 250ms.
	Debounce time.Duration
	// Refresh is how often the snapshot is republished (source health)
	// without new evidence; the stored evidence is analysed again only if
	// a batch or the retention changed it since. 0 means 15s.
	Refresh time.Duration
	// PruneEvery is how often the retention runs. 0 means 1h.
	PruneEvery time.Duration
	Now        func() time.Time // If nil, time.Now.
}

// Service is the live analysis. Its methods are safe for concurrent use.
type Service struct {
	opts    Options
	snap    atomic.Pointer[analyzer.Snapshot]
	trigger chan struct{} // new evidence: analyse soon

	mu      sync.Mutex // guards sources
	sources []Source

	analysisErrors atomic.Int64
	// stale is set when the stored evidence may differ from what the
	// published report was made of: a batch was stored (records or a
	// checkpoint), the retention removed records, or the last analysis
	// failed. The analyzer reads no clock, so an unchanged store gives the
	// same report.
	stale atomic.Bool
}

// New returns a Service; Run starts it.
func New(opts Options) (*Service, error) {
	switch {
	case opts.DB == nil:
		return nil, errors.New("live: Options.DB is required")
	case opts.Origin == "":
		return nil, errors.New("live: Options.Origin is required")
	case opts.Logger == nil:
		return nil, errors.New("live: Options.Logger is required")
	}
	if opts.Debounce == 0 {
		opts.Debounce = 250 * time.Millisecond
	}
	if opts.Refresh == 0 {
		opts.Refresh = 15 * time.Second
	}
	if opts.PruneEvery == 0 {
		opts.PruneEvery = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Service{opts: opts, trigger: make(chan struct{}, 1)}
	s.stale.Store(true)
	return s, nil
}

// Apply stores a batch from a source and asks for a new analysis. It is
// the state.ApplyFunc given to every source.
func (s *Service) Apply(ctx context.Context, b state.Batch) error {
	added, err := s.opts.DB.Apply(ctx, b)
	if err != nil {
		return fmt.Errorf("store %s batch: %w", b.Source, err)
	}
	s.stale.Store(true)
	if added > 0 {
		select {
		case s.trigger <- struct{}{}:
		default:
		}
	}
	return nil
}

// Snapshot returns the latest analysis, or nil before the first one.
func (s *Service) Snapshot() *analyzer.Snapshot { return s.snap.Load() }

// Report analyses the stored evidence for the window w.
func (s *Service) Report(ctx context.Context, w analyzer.Window) (*analyzer.Report, error) {
	ev, err := s.evidence(ctx, w)
	if err != nil {
		return nil, err
	}
	return analyzer.Analyze(ev, s.opts.Analysis)
}

func (s *Service) evidence(ctx context.Context, w analyzer.Window) (*analyzer.Evidence, error) {
	ev, err := s.opts.DB.Evidence(ctx, w)
	if err != nil {
		return nil, fmt.Errorf("load evidence: %w", err)
	}
	// LB logs are read filtered to 5xx: once the reader has a checkpoint,
	// an empty result means "no errors", not "no LB logs".
	if _, ok, err := s.opts.DB.Checkpoint(ctx, "cloud-logging"); err == nil && ok {
		ev.LBQueried = true
	}
	return ev, nil
}

// Run starts the sources and analyses the evidence whenever it grows,
// until ctx is done. A failing source never stops the others or the
// service; Run returns nil once everything has stopped.
func (s *Service) Run(ctx context.Context, sources ...Source) error {
	s.mu.Lock()
	s.sources = append(s.sources[:0], sources...)
	s.mu.Unlock()

	var wg sync.WaitGroup
	for _, src := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := src.Run(ctx); err != nil && ctx.Err() == nil {
				s.opts.Logger.Error("source stopped", "source", src.Status().Name, "err", err)
			}
		}()
	}
	s.analyse(ctx)
	refresh := time.NewTicker(s.opts.Refresh)
	defer refresh.Stop()
	prune := time.NewTicker(s.opts.PruneEvery)
	defer prune.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return nil
		case <-s.trigger:
			// Take in the rest of a burst before analysing.
			select {
			case <-ctx.Done():
				continue
			case <-time.After(s.opts.Debounce):
			}
			s.analyse(ctx)
		case <-refresh.C:
			s.analyse(ctx)
		case <-prune.C:
			if n, err := s.opts.DB.Prune(ctx); err != nil {
				s.opts.Logger.Error("prune state", "err", err)
			} else if n > 0 {
				s.stale.Store(true)
				s.opts.Logger.Info("pruned state past retention", "records", n)
			}
		}
	}
}

// analyse analyses all stored evidence and publishes the snapshot; on
// failure the previous one stays, with the failure in its source health.
// When nothing changed the store since the published report, it only
// republishes that report with the current source health.
func (s *Service) analyse(ctx context.Context) {
	prev := s.snap.Load()
	var (
		rep *analyzer.Report
		err error
	)
	if s.stale.Swap(false) || prev == nil {
		rep, err = s.Report(ctx, analyzer.Window{})
	} else {
		rep = prev.Report
	}
	statuses := s.statuses()
	now := s.opts.Now().UTC()
	if err != nil {
		s.stale.Store(true)
		if ctx.Err() != nil {
			return
		}
		s.analysisErrors.Add(1)
		s.opts.Logger.Error("analyse live evidence", "err", err)
		statuses = append(statuses, analyzer.SourceStatus{Name: "state", State: analyzer.SourceDegraded, Errors: int(s.analysisErrors.Load()), Message: fmt.Sprintf("analysis of the stored evidence failed: %v", err)})
		if prev != nil {
			next := *prev
			next.Sources = statuses
			s.snap.Store(&next)
		}
		return
	}
	statuses = append(statuses, analyzer.SourceStatus{Name: "state", State: analyzer.SourceOK, LastSuccess: now, Errors: int(s.analysisErrors.Load())})
	s.snap.Store(&analyzer.Snapshot{Report: rep, Origin: s.opts.Origin, Updated: now, Sources: statuses})
}

func (s *Service) statuses() []analyzer.SourceStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]analyzer.SourceStatus, 0, len(s.sources)+1)
	for _, src := range s.sources {
		out = append(out, src.Status())
	}
	return out
}
