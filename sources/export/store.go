package export

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/negtrace/negtrace/analyzer"
)

// StoreOptions configures a Store.
type StoreOptions struct {
	Paths    []string         // Required. Evidence files and folders (inside FS when FS is set).
	FS       fs.FS            // If non-nil, Paths are read from FS (e.g. the embedded demo), which never changes.
	Origin   string           // Required. What the pages call this evidence, e.g. "evidence in /data/incident".
	Demo     bool             // The evidence is the bundled demo incident.
	Analysis analyzer.Options // Required. Start from analyzer.DefaultOptions.
	Logger   *slog.Logger     // Required.
	Poll     time.Duration    // How often Run looks for changed files; 0 means 10s.
	Now      func() time.Time // If nil, time.Now.
}

// Store keeps the analysis of exported evidence current: it analyses the
// files, publishes the result as a Snapshot, and analyses them again when
// they change. It answers reports for any time window by reading the files
// again for that window. Its methods are safe for concurrent use.
type Store struct {
	opts StoreOptions
	snap atomic.Pointer[analyzer.Snapshot]

	mu          sync.Mutex // serialises refreshes and guards what follows
	fingerprint uint64
	lastSuccess time.Time
	failures    int
	lastErr     error
}

// NewStore returns a Store; call Run (or Refresh) to analyse.
func NewStore(opts StoreOptions) (*Store, error) {
	switch {
	case len(opts.Paths) == 0:
		return nil, errors.New("export store: no evidence paths")
	case opts.Origin == "":
		return nil, errors.New("export store: Origin is required")
	case opts.Logger == nil:
		return nil, errors.New("export store: Logger is required")
	}
	if opts.Poll == 0 {
		opts.Poll = 10 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Store{opts: opts}, nil
}

// Snapshot returns the latest analysis, or nil before the first one.
func (s *Store) Snapshot() *analyzer.Snapshot { return s.snap.Load() }

// Run analyses the evidence, then looks for changes every Poll and
// analyses again when files were added, removed or modified; a check that
// finds no change still counts as a success of the source. It blocks
// until ctx is done and returns nil then.
func (s *Store) Run(ctx context.Context) error {
	if err := s.Refresh(ctx); err != nil && ctx.Err() == nil {
		s.opts.Logger.Error("analyse evidence", "err", err)
	}
	tick := time.NewTicker(s.opts.Poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		fp := s.currentFingerprint()
		s.mu.Lock()
		changed := fp != s.fingerprint
		if !changed && s.lastErr == nil {
			s.touch()
		}
		s.mu.Unlock()
		if !changed {
			continue
		}
		s.opts.Logger.Info("evidence changed: analysing again")
		if err := s.refresh(ctx, fp); err != nil && ctx.Err() == nil {
			s.opts.Logger.Error("analyse evidence", "err", err)
		}
	}
}

// Refresh analyses the evidence now and publishes the result. On failure
// the previous snapshot stays, marked degraded.
func (s *Store) Refresh(ctx context.Context) error {
	return s.refresh(ctx, s.currentFingerprint())
}

// refresh is Refresh for evidence whose fingerprint, taken before reading
// it, is fp.
func (s *Store) refresh(ctx context.Context, fp uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rep, err := s.analyse(ctx, analyzer.Window{}, s.opts.Logger)
	now := s.opts.Now().UTC()
	if err != nil {
		s.failures++
		s.lastErr = err
		if prev := s.snap.Load(); prev != nil {
			next := *prev
			next.Sources = []analyzer.SourceStatus{s.status(prev.Report)}
			s.snap.Store(&next)
		}
		return err
	}
	s.fingerprint, s.lastSuccess, s.lastErr = fp, now, nil
	s.snap.Store(&analyzer.Snapshot{
		Report:  rep,
		Origin:  s.opts.Origin,
		Demo:    s.opts.Demo,
		Updated: now,
		Sources: []analyzer.SourceStatus{s.status(rep)},
	})
	return nil
}

// touch records a successful check that found nothing to do: the source
// is current, so its last success moves on (a stale-source alert watches
// it). Called with s.mu held.
func (s *Store) touch() {
	prev := s.snap.Load()
	if prev == nil {
		return
	}
	s.lastSuccess = s.opts.Now().UTC()
	next := *prev
	next.Sources = []analyzer.SourceStatus{s.status(prev.Report)}
	s.snap.Store(&next)
}

// status is the health of the evidence source after the last refresh.
// Called with s.mu held.
func (s *Store) status(rep *analyzer.Report) analyzer.SourceStatus {
	st := analyzer.SourceStatus{Name: "evidence-files", State: analyzer.SourceOK, LastSuccess: s.lastSuccess, Errors: s.failures}
	if s.opts.Demo {
		st.Name = "demo"
	}
	if rep != nil {
		for _, in := range rep.Inputs {
			st.Records += in.Records
			st.Skipped += in.Skipped
		}
	}
	switch {
	case s.lastErr != nil && rep == nil:
		st.State, st.Message = analyzer.SourceDown, fmt.Sprintf("analysis failed: %v", s.lastErr)
	case s.lastErr != nil:
		st.State, st.Message = analyzer.SourceDegraded, fmt.Sprintf("the last analysis failed (%v); showing the previous one", s.lastErr)
	case st.Skipped > 0:
		st.State, st.Message = analyzer.SourceDegraded, fmt.Sprintf("%d record(s) could not be used: see the inputs' problems", st.Skipped)
	}
	return st
}

// Report analyses the evidence again for the window w (zero bounds open).
func (s *Store) Report(ctx context.Context, w analyzer.Window) (*analyzer.Report, error) {
	return s.analyse(ctx, w, slog.New(slog.DiscardHandler))
}

func (s *Store) analyse(ctx context.Context, w analyzer.Window, logger *slog.Logger) (*analyzer.Report, error) {
	col := analyzer.NewCollector(w)
	if err := Read(ctx, s.opts.Paths, Options{Collector: col, Logger: logger, FS: s.opts.FS}); err != nil {
		return nil, err
	}
	rep, err := analyzer.Analyze(col.Evidence(), s.opts.Analysis)
	if err != nil {
		return nil, fmt.Errorf("analyse %s: %w", s.opts.Origin, err)
	}
	return rep, nil
}

// currentFingerprint hashes the names, sizes and modification times of the
// evidence files, so Run notices any change without reading them.
func (s *Store) currentFingerprint() uint64 {
	if s.opts.FS != nil {
		return 0
	}
	h := fnv.New64a()
	for _, root := range s.opts.Paths {
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				fmt.Fprintf(h, "%s:err\n", path)
				return nil
			}
			if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
				fmt.Fprintf(h, "%s:%d:%d\n", path, fi.Size(), fi.ModTime().UnixNano())
			}
			return nil
		})
	}
	return h.Sum64()
}
