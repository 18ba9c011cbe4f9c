package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/analyzer/render"
)

// reportFormats are the formats /reports offers, with how each is served.
var reportFormats = map[string]struct {
	contentType, ext string
	attachment       bool
}{
	render.FormatJSON:     {"application/json; charset=utf-8", "json", false},
	render.FormatMarkdown: {"text/markdown; charset=utf-8", "md", true},
	render.FormatHTML:     {"text/html; charset=utf-8", "html", true},
}

// report runs Store.Report for w, at most MaxConcurrentReports at a time.
func (s *Server) report(ctx context.Context, w analyzer.Window) (*analyzer.Report, error) {
	select {
	case s.reports <- struct{}{}:
		defer func() { <-s.reports }()
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for a report slot: %w", ctx.Err())
	}
	rep, err := s.opts.Store.Report(ctx, w)
	if err == nil && rep == nil {
		err = errors.New("the store returned no report")
	}
	return rep, err
}

// reportDownload is /reports?from=&to=&format=: the report of the window
// in the format asked, Markdown and HTML as a file download.
func (s *Server) reportDownload(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	format := strings.TrimSpace(q.Get("format"))
	if format == "" {
		format = render.FormatHTML
	}
	how, ok := reportFormats[format]
	if !ok {
		plain(w, http.StatusBadRequest, fmt.Sprintf("400 bad format=%q: want json, markdown or html", format))
		return
	}
	win, err := parseWindow(q)
	if err != nil {
		plain(w, http.StatusBadRequest, "400 "+err.Error())
		return
	}
	if s.opts.Store.Snapshot() == nil {
		w.Header().Set("Retry-After", "5")
		plain(w, http.StatusServiceUnavailable, "503 analysis in progress: try again in a few seconds")
		return
	}
	rep, err := s.report(r.Context(), win)
	if err != nil {
		s.opts.Logger.Error("report", "from", win.Start, "to", win.End, "err", err)
		plain(w, http.StatusInternalServerError, "500 the report could not be made: "+err.Error())
		return
	}
	var buf bytes.Buffer
	opts := render.Options{Generated: s.opts.Now().UTC(), Version: s.opts.Version}
	if err := render.Write(&buf, format, rep, opts); err != nil {
		s.opts.Logger.Error("render report", "format", format, "err", err)
		plain(w, http.StatusInternalServerError, "500 the report could not be rendered")
		return
	}
	h := w.Header()
	h.Set("Content-Type", how.contentType)
	h.Set("Cache-Control", "no-store")
	if format == render.FormatHTML {
		// The one page with inline CSS (self-contained by design); no script.
		h.Set("Content-Security-Policy", reportSecurityPolicy)
	}
	if how.attachment {
		h.Set("Content-Disposition", `attachment; filename="`+reportFilename(rep.Window, win, how.ext)+`"`)
	}
	_, _ = w.Write(buf.Bytes())
}

// apiReport is /api/v1/report?from=&to=: the full JSON report.
func (s *Server) apiReport(w http.ResponseWriter, r *http.Request) {
	win, err := parseWindow(r.URL.Query())
	if err != nil {
		s.apiBadRequest(w, r, err)
		return
	}
	if snap, _ := s.apiCurrent(w); snap == nil {
		return
	}
	rep, err := s.report(r.Context(), win)
	if err != nil {
		s.opts.Logger.Error("report", "from", win.Start, "to", win.End, "err", err)
		writeJSONError(w, http.StatusInternalServerError, "the report could not be made: "+err.Error())
		return
	}
	var buf bytes.Buffer
	if err := render.JSON(&buf, rep); err != nil {
		writeJSONError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

// reportFilename is negtrace-report-<from>-<to>.<ext>, the bounds being
// the report's window (else the one asked for) in compact UTC; "start" or
// "end" when unknown. Only [0-9TZ] come from the times: safe in a header.
func reportFilename(got, asked analyzer.Window, ext string) string {
	bound := func(t, alt time.Time, open string) string {
		if t.IsZero() {
			t = alt
		}
		if t.IsZero() {
			return open
		}
		return t.UTC().Format("20060102T150405Z")
	}
	return "negtrace-report-" + bound(got.Start, asked.Start, "start") + "-" + bound(got.End, asked.End, "end") + "." + ext
}
