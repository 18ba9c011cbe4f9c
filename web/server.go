package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/negtrace/negtrace/analyzer"
)

//go:embed templates static
var assets embed.FS

// Store is what the pages read. It is declared here, by its consumer;
// implementations are the evidence-folder store (sources/export) and the
// live store. Both methods must be safe for concurrent use.
type Store interface {
	// Snapshot returns the latest analysis, or nil until the first one
	// is ready. The snapshot is immutable once returned.
	Snapshot() *analyzer.Snapshot
	// Report runs the same analysis for the time window w (zero bounds
	// are open). It may take a while on large evidence; it should stop
	// when ctx is done.
	Report(ctx context.Context, w analyzer.Window) (*analyzer.Report, error)
}

// Options configures a Server.
type Options struct {
	Store   Store            // Required.
	Logger  *slog.Logger     // Required.
	Metrics http.Handler     // If nil, /metrics answers 404.
	Version string           // Shown in page and report footers; may be empty.
	Now     func() time.Time // If nil, time.Now. Used for report footers.

	// MaxConcurrentReports bounds how many Store.Report calls (/reports,
	// /api/v1/report) run at once; further requests wait for a turn until
	// their context is done. 0 means 2.
	MaxConcurrentReports int
}

func (o *Options) validate() error {
	switch {
	case o.Store == nil:
		return errors.New("web: Options.Store is required")
	case o.Logger == nil:
		return errors.New("web: Options.Logger is required")
	case o.MaxConcurrentReports < 0:
		return errors.New("web: Options.MaxConcurrentReports must not be negative")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxConcurrentReports == 0 {
		o.MaxConcurrentReports = 2
	}
	return nil
}

// Server is the dashboard, API and report handler. It is safe for
// concurrent use; build it with New.
type Server struct {
	opts    Options
	router  chi.Router
	pages   map[string]*template.Template // page name → layout + that page
	static  fs.FS
	reports chan struct{} // semaphore of Store.Report calls

	derived atomic.Pointer[derived] // views of the last snapshot seen
}

// New returns a Server for opts. It parses the embedded templates once
// and fails when opts are invalid.
func New(opts Options) (*Server, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	static, err := fs.Sub(assets, "static")
	if err != nil {
		return nil, fmt.Errorf("web: static assets: %w", err)
	}
	s := &Server{opts: opts, pages: pages, static: static, reports: make(chan struct{}, opts.MaxConcurrentReports)}
	s.router = s.routes()
	return s, nil
}

// ServeHTTP routes r to the page, API call or asset it names.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.router.ServeHTTP(w, r)
}
