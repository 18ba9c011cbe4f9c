// Package computecfgtest is a fake of the Compute Engine REST API on
// loopback, for tests that point the real cloud.google.com/go/compute/apiv1
// clients at it: backend services (global and regional get and list) and
// health checks (global and regional get), answered in the API's own JSON
// (camelCase, 64-bit integers as strings, errors in the API's error shape),
// with fault injection and request counts.
package computecfgtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/api/option"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/negtrace/negtrace/sources/computecfg"
)

// Compute API methods the fake serves, as Count and Fault name them.
const (
	BackendServicesGet        = "backendServices.get"
	BackendServicesList       = "backendServices.list"
	RegionBackendServicesGet  = "regionBackendServices.get"
	RegionBackendServicesList = "regionBackendServices.list"
	HealthChecksGet           = "healthChecks.get"
	RegionHealthChecksGet     = "regionHealthChecks.get"
)

// key names one resource: project, region ("" for global) and name.
type key struct{ project, region, name string }

// Server is a running fake Compute API. Its methods are safe for concurrent
// use with the requests it serves.
type Server struct {
	// URL is the server's base URL (http://127.0.0.1:port).
	URL string

	t        testing.TB
	mu       sync.Mutex
	backends map[key]*computepb.BackendService
	checks   map[key]*computepb.HealthCheck
	faults   []*Fault
	counts   map[string]int
	pageSize int
}

// NewServer starts a fake serving the given backend services and health
// checks, each placed by its selfLink (project, global or region, name); it
// fails the test when one has no usable selfLink. The server stops when the
// test ends.
func NewServer(t testing.TB, backends []*computepb.BackendService, healthChecks []*computepb.HealthCheck) *Server {
	t.Helper()
	s := &Server{
		t:        t,
		backends: make(map[key]*computepb.BackendService),
		checks:   make(map[key]*computepb.HealthCheck),
		counts:   make(map[string]int),
	}
	for _, bs := range backends {
		s.PutBackendService(bs)
	}
	for _, hc := range healthChecks {
		s.PutHealthCheck(hc)
	}
	mux := http.NewServeMux()
	const p = "GET /compute/v1/projects/{project}/"
	mux.HandleFunc(p+"global/backendServices", s.handle(BackendServicesList, s.listBackends))
	mux.HandleFunc(p+"global/backendServices/{name}", s.handle(BackendServicesGet, s.getBackend))
	mux.HandleFunc(p+"regions/{region}/backendServices", s.handle(RegionBackendServicesList, s.listBackends))
	mux.HandleFunc(p+"regions/{region}/backendServices/{name}", s.handle(RegionBackendServicesGet, s.getBackend))
	mux.HandleFunc(p+"global/healthChecks/{name}", s.handle(HealthChecksGet, s.getHealthCheck))
	mux.HandleFunc(p+"regions/{region}/healthChecks/{name}", s.handle(RegionHealthChecksGet, s.getHealthCheck))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("computecfgtest: unexpected request %s %s", r.Method, r.URL)
		writeError(w, http.StatusNotImplemented, "", "not served by the fake: "+r.URL.Path)
	})
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	s.URL = hs.URL
	return s
}

// ClientOptions point an apiv1 REST client at the fake without credentials.
func (s *Server) ClientOptions() []option.ClientOption {
	return []option.ClientOption{option.WithEndpoint(s.URL), option.WithoutAuthentication()}
}

// PutBackendService adds or replaces a backend service (a copy is kept).
func (s *Server) PutBackendService(bs *computepb.BackendService) {
	s.t.Helper()
	k := s.keyOf(bs.GetSelfLink(), "backendServices")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.backends[k] = proto.Clone(bs).(*computepb.BackendService)
}

// DeleteBackendService removes a backend service by selfLink.
func (s *Server) DeleteBackendService(selfLink string) {
	s.t.Helper()
	k := s.keyOf(selfLink, "backendServices")
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.backends, k)
}

// PutHealthCheck adds or replaces a health check (a copy is kept).
func (s *Server) PutHealthCheck(hc *computepb.HealthCheck) {
	s.t.Helper()
	k := s.keyOf(hc.GetSelfLink(), "healthChecks")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checks[k] = proto.Clone(hc).(*computepb.HealthCheck)
}

// SetPageSize makes lists answer at most n items a page (0: all at once),
// on top of any maxResults the client asks for.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = n
}

// Count is how many requests a method received, failed ones included.
func (s *Server) Count(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[method]
}

// Total is how many requests the fake received.
func (s *Server) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.counts {
		n += c
	}
	return n
}

func (s *Server) keyOf(selfLink, collection string) key {
	l, ok := computecfg.ParseLink(selfLink)
	if !ok || l.Project == "" || l.Zone != "" || l.Collection != collection {
		s.t.Fatalf("computecfgtest: %s selfLink %q does not name a global or regional resource of a project", collection, selfLink)
	}
	return key{l.Project, l.Region, l.Name}
}

// handle counts the request, applies the first matching fault, else serves.
func (s *Server) handle(method string, serve func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.counts[method]++
		f := s.takeFault(method)
		s.mu.Unlock()
		if f != nil {
			writeFault(w, f, method, resourceOf(r))
			return
		}
		serve(w, r, method)
	}
}

// resourceOf is the resource path of a request, as error messages name it.
func resourceOf(r *http.Request) string {
	return strings.TrimPrefix(r.URL.Path, "/compute/v1/")
}

func (s *Server) getBackend(w http.ResponseWriter, r *http.Request, _ string) {
	k := key{r.PathValue("project"), r.PathValue("region"), r.PathValue("name")}
	s.mu.Lock()
	bs, ok := s.backends[k]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "notFound", fmt.Sprintf("The resource '%s' was not found", resourceOf(r)))
		return
	}
	writeJSON(w, bs)
}

func (s *Server) getHealthCheck(w http.ResponseWriter, r *http.Request, _ string) {
	k := key{r.PathValue("project"), r.PathValue("region"), r.PathValue("name")}
	s.mu.Lock()
	hc, ok := s.checks[k]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "notFound", fmt.Sprintf("The resource '%s' was not found", resourceOf(r)))
		return
	}
	writeJSON(w, hc)
}

// listBackends answers one page of a project's global or regional backend
// services in name order; pageToken is the index of the page's first item.
func (s *Server) listBackends(w http.ResponseWriter, r *http.Request, _ string) {
	project, region := r.PathValue("project"), r.PathValue("region")
	q := r.URL.Query()
	if q.Get("filter") != "" {
		// The fake does not evaluate filters; answering unfiltered would
		// hide a caller's reliance on one.
		writeError(w, http.StatusBadRequest, "invalid", "computecfgtest does not evaluate list filters")
		return
	}
	start := 0
	if tok := q.Get("pageToken"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "invalid", fmt.Sprintf("Invalid value for field 'pageToken': '%s'.", tok))
			return
		}
		start = n
	}
	s.mu.Lock()
	var items []*computepb.BackendService
	for k, bs := range s.backends {
		if k.project == project && k.region == region {
			items = append(items, bs)
		}
	}
	size := s.pageSize
	s.mu.Unlock()
	slices.SortFunc(items, func(a, b *computepb.BackendService) int { return strings.Compare(a.GetName(), b.GetName()) })
	if m, err := strconv.Atoi(q.Get("maxResults")); err == nil && m > 0 && (size == 0 || m < size) {
		size = m
	}
	start = min(start, len(items))
	end := len(items)
	if size > 0 && start+size < end {
		end = start + size
	}
	list := &computepb.BackendServiceList{
		Kind:     proto.String("compute#backendServiceList"),
		Id:       proto.String("projects/" + project + "/" + scope(region) + "/backendServices"),
		Items:    items[start:end],
		SelfLink: proto.String("https://www.googleapis.com/compute/v1/projects/" + project + "/" + scope(region) + "/backendServices"),
	}
	if end < len(items) {
		list.NextPageToken = proto.String(strconv.Itoa(end))
	}
	writeJSON(w, list)
}

// writeJSON answers a resource as the API does: proto JSON with camelCase
// names and 64-bit integers as strings.
func writeJSON(w http.ResponseWriter, m proto.Message) {
	data, err := protojson.Marshal(m)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "backendError", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_, _ = w.Write(data)
}
