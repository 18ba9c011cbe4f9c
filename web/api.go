package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/negtrace/negtrace/analyzer"
)

// writeJSON writes v as JSON. encoding/json escapes <, > and & in strings
// (\u003c...), so values from logs are inert even if sniffed as HTML.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		writeJSONError(w, http.StatusInternalServerError, "encode: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// apiError is the body of every API error.
type apiError struct {
	Error string `json:"error"`
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	body, _ := json.Marshal(apiError{Error: msg})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// apiCurrent is current for API calls: before the first analysis it
// answers 503 itself and returns nil.
func (s *Server) apiCurrent(w http.ResponseWriter) (*analyzer.Snapshot, *derived) {
	snap, d := s.current()
	if snap == nil {
		w.Header().Set("Retry-After", "5")
		writeJSONError(w, http.StatusServiceUnavailable, "analysis in progress: no snapshot yet")
	}
	return snap, d
}

// apiBadRequest answers a bad parameter with 400, anything else with 500.
func (s *Server) apiBadRequest(w http.ResponseWriter, r *http.Request, err error) {
	var pe *paramError
	if errors.As(err, &pe) {
		writeJSONError(w, http.StatusBadRequest, pe.msg)
		return
	}
	s.opts.Logger.Error("api", "path", r.URL.Path, "err", err)
	writeJSONError(w, http.StatusInternalServerError, err.Error())
}

func (s *Server) apiSnapshot(w http.ResponseWriter, _ *http.Request) {
	if snap, _ := s.apiCurrent(w); snap != nil {
		writeJSON(w, http.StatusOK, newSnapshotView(snap))
	}
}

func (s *Server) apiTerminations(w http.ResponseWriter, _ *http.Request) {
	if snap, _ := s.apiCurrent(w); snap != nil {
		writeJSON(w, http.StatusOK, terminationsView(snap.Report))
	}
}

func (s *Server) apiErrors(w http.ResponseWriter, r *http.Request) {
	snap, d := s.apiCurrent(w)
	if snap == nil {
		return
	}
	f, err := parseErrorFilter(r.URL.Query(), d.causes)
	if err != nil {
		s.apiBadRequest(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d.errors(f))
}

func (s *Server) apiRecommendations(w http.ResponseWriter, _ *http.Request) {
	if snap, _ := s.apiCurrent(w); snap != nil {
		writeJSON(w, http.StatusOK, nonNil(snap.Report.Recommendations))
	}
}

func (s *Server) apiInputs(w http.ResponseWriter, _ *http.Request) {
	if snap, _ := s.apiCurrent(w); snap != nil {
		writeJSON(w, http.StatusOK, inputsView(snap.Report))
	}
}

func (s *Server) apiTimeseries(w http.ResponseWriter, r *http.Request) {
	snap, d := s.apiCurrent(w)
	if snap == nil {
		return
	}
	bucket, err := parseBucket(r.URL.Query().Get("bucket"))
	if err != nil {
		s.apiBadRequest(w, r, err)
		return
	}
	v, err := d.timeseries(bucket)
	if err != nil {
		s.apiBadRequest(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) apiLatency(w http.ResponseWriter, _ *http.Request) {
	if snap, d := s.apiCurrent(w); snap != nil {
		writeJSON(w, http.StatusOK, d.latency())
	}
}
