package web

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// routes builds the router: hardening headers and the read-only rule
// first, so that they cover every answer, 404s and 405s included.
func (s *Server) routes() chi.Router {
	r := chi.NewRouter()
	r.Use(securityHeaders, accessLog(s.opts.Logger), recoverer(s.opts.Logger), readOnly, middleware.GetHead)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "404 page not found", http.StatusNotFound)
	})
	r.MethodNotAllowed(methodNotAllowed)

	r.Get("/", s.overviewPage)
	r.Get("/timeline", s.timelinePage)
	r.Get("/workloads", s.workloadsPage)
	r.Get("/errors", s.errorsPage)
	r.Get("/sources", s.sourcesPage)
	r.Get("/reports", s.reportDownload)

	r.Route("/api/v1", func(r chi.Router) {
		r.NotFound(func(w http.ResponseWriter, r *http.Request) {
			writeJSONError(w, http.StatusNotFound, "no such API call: "+r.URL.Path)
		})
		r.Get("/snapshot", s.apiSnapshot)
		r.Get("/terminations", s.apiTerminations)
		r.Get("/errors", s.apiErrors)
		r.Get("/recommendations", s.apiRecommendations)
		r.Get("/inputs", s.apiInputs)
		r.Get("/timeseries", s.apiTimeseries)
		r.Get("/latency", s.apiLatency)
		r.Get("/report", s.apiReport)
	})

	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) { plain(w, http.StatusOK, "ok") })
	r.Get("/readyz", s.readyz)
	r.Get("/metrics", s.metrics)
	r.Get("/static/*", s.staticAsset)
	r.Get("/favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	return r
}

// readyz is 200 once the first analysis is ready, 503 before.
func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	if s.opts.Store.Snapshot() == nil {
		plain(w, http.StatusServiceUnavailable, "analysis in progress")
		return
	}
	plain(w, http.StatusOK, "ok")
}

// metrics serves Options.Metrics, or 404 when there is none.
func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	if s.opts.Metrics == nil {
		http.Error(w, "404 no metrics configured", http.StatusNotFound)
		return
	}
	s.opts.Metrics.ServeHTTP(w, r)
}

// staticAsset serves the embedded CSS, JavaScript and vendored libraries.
func (s *Server) staticAsset(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/") { // no directory listings
		http.Error(w, "404 page not found", http.StatusNotFound)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.StripPrefix("/static/", http.FileServerFS(s.static)).ServeHTTP(w, r)
}

// plain writes a short text/plain answer.
func plain(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg + "\n"))
}
