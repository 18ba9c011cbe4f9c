package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/negtrace/negtrace/analyzer"
	"golang.org/x/net/html"
)

// hostile is markup an attacker can put in a URL, a user agent, a pod or
// workload name, a file name, or anything else that reaches the logs.
const hostile = `<script>alert(1)</script>"><img src=x onerror=alert(1)>'javascript:alert(1)`

// taintedSnapshot is the real analysis with s in every string that comes
// from the evidence (and one error of an unknown cause s).
func taintedSnapshot(t *testing.T, s string) *analyzer.Snapshot {
	r := freshReport(t)
	r.Notes = append(r.Notes, s)
	for i := range r.Inputs {
		r.Inputs[i].Path = s + r.Inputs[i].Path
		r.Inputs[i].Problems = append(r.Inputs[i].Problems, s)
	}
	for i := range r.Terminations {
		tm := &r.Terminations[i]
		tm.Pod, tm.Workload, tm.Node, tm.NEG, tm.Zone, tm.PodIP = s+tm.Pod, s+tm.Workload, s, s, s, s
		tm.Evidence = append(tm.Evidence, s)
	}
	for i := range r.Errors {
		e := &r.Errors[i]
		e.URL, e.UserAgent, e.Reason, e.BackendService, e.ServerIP, e.InsertID = s, s, s, s, s, s
		if e.Pod != nil {
			p := s + *e.Pod
			e.Pod = &p
		}
	}
	r.Errors[0].Cause, r.Errors[0].StatusDetails = analyzer.Cause(s), s
	r.Summary.ByCause[analyzer.Cause(s)] = 1
	for i := range r.Recommendations {
		rec := &r.Recommendations[i]
		rec.Workload, rec.Rationale, rec.Patch = s+rec.Workload, s, s
	}
	snap := snapshotOf(r, true)
	snap.Origin = s
	snap.Sources = append(snap.Sources, analyzer.SourceStatus{Name: s, State: analyzer.SourceDegraded, Message: s})
	return snap
}

func taintedServer(t *testing.T, s string) *testServer {
	store := &testStore{}
	snap := taintedSnapshot(t, s)
	store.snap.Store(snap)
	store.report = func(context.Context, analyzer.Window) (*analyzer.Report, error) { return snap.Report, nil }
	return newTestServer(t, store, Options{})
}

// markup returns each start tag with its attribute names, and all the
// text, as a browser's tokenizer reads them; it flags attributes that
// could run code.
func markup(t *testing.T, page string) (tags []string, text string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(page))
	var b strings.Builder
	for {
		switch z.Next() {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				t.Fatal(z.Err())
			}
			return tags, b.String()
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			tag := tok.Data
			for _, a := range tok.Attr {
				v := strings.ToLower(strings.TrimSpace(a.Val))
				if strings.HasPrefix(a.Key, "on") || a.Key == "style" ||
					(a.Key == "href" || a.Key == "src" || a.Key == "action") && strings.HasPrefix(v, "javascript:") {
					t.Errorf("<%s %s=%q>", tok.Data, a.Key, a.Val)
				}
				if tok.Data == "script" && a.Key == "src" && !strings.HasPrefix(a.Val, "/static/") {
					t.Errorf("script from %q", a.Val)
				}
				tag += " " + a.Key
			}
			tags = append(tags, tag)
		case html.TextToken:
			b.Write(z.Text())
		}
	}
}

// TestXSSPages: hostile values come out as text on every page: the same
// elements and attributes as with a benign value, and the markup shown
// as the characters it is made of.
func TestXSSPages(t *testing.T) {
	evil, benign := taintedServer(t, hostile), taintedServer(t, "benign")
	pod := realReport(t).Terminations[0].Pod
	for _, path := range []string{
		"/", "/timeline", "/workloads", "/errors", "/sources",
		"/errors?" + url.Values{"pod": {"%s" + pod}}.Encode(),
		"/errors?" + url.Values{"workload": {"%sshop/web"}, "details": {"%s"}}.Encode(),
		"/errors?" + url.Values{"cause": {"%s"}}.Encode(),
	} {
		t.Run(path, func(t *testing.T) {
			evilPath := strings.ReplaceAll(path, "%25s", url.QueryEscape(hostile))
			benignPath := strings.ReplaceAll(path, "%25s", "benign")
			e, b := evil.get(t, evilPath), benign.get(t, benignPath)
			if e.status != http.StatusOK || b.status != http.StatusOK {
				t.Fatalf("status %d (hostile), %d (benign)", e.status, b.status)
			}
			evilTags, evilText := markup(t, e.body)
			benignTags, _ := markup(t, b.body)
			if diff := cmp.Diff(benignTags, evilTags); diff != "" {
				t.Errorf("markup injected (-benign +hostile):\n%s", diff)
			}
			if !strings.Contains(evilText, hostile) {
				t.Error("the hostile value is not shown as text")
			}
			if strings.Contains(e.body, "<script>alert") || strings.Contains(e.body, "<img") {
				t.Error("raw markup in the page")
			}
		})
	}
}

// TestXSSAPI: the API's JSON escapes markup (no raw < or >), and decodes
// back to the hostile values unchanged.
func TestXSSAPI(t *testing.T) {
	ts := taintedServer(t, hostile)
	for _, path := range []string{"/api/v1/snapshot", "/api/v1/terminations", "/api/v1/errors", "/api/v1/recommendations",
		"/api/v1/inputs", "/api/v1/timeseries", "/api/v1/latency", "/api/v1/report",
		"/api/v1/errors?cause=" + url.QueryEscape(hostile), "/api/v1/errors?workload=" + url.QueryEscape(hostile)} {
		t.Run(path, func(t *testing.T) {
			res := ts.get(t, path)
			if res.status != http.StatusOK {
				t.Fatalf("status %d: %.300s", res.status, res.body)
			}
			if strings.ContainsAny(res.body, "<>") {
				t.Error("raw < or > in the JSON")
			}
		})
	}
	var page errorsView
	ts.getJSON(t, "/api/v1/errors?cause="+url.QueryEscape(hostile), http.StatusOK, &page)
	if page.Total != 1 || page.Items[0].URL != hostile || page.Items[0].UserAgent != hostile || !strings.HasPrefix(*page.Items[0].Pod, hostile) {
		t.Errorf("hostile error not returned intact: %+v", page)
	}
	// A bad parameter echoed in an error is escaped too.
	res := ts.get(t, "/api/v1/errors?page="+url.QueryEscape(hostile))
	var e apiError
	if err := json.Unmarshal([]byte(res.body), &e); err != nil || res.status != 400 || strings.ContainsAny(res.body, "<>") || !strings.Contains(e.Error, strconv.Quote(hostile)) {
		t.Errorf("400 echo: %d %q", res.status, res.body)
	}
}

// TestXSSReports: the downloads are inert in their own formats.
func TestXSSReports(t *testing.T) {
	ts := taintedServer(t, hostile)
	res := ts.get(t, "/reports?format=html")
	tags, text := markup(t, res.body)
	for _, tag := range tags {
		if strings.HasPrefix(tag, "script") || strings.HasPrefix(tag, "img") {
			t.Errorf("HTML report has <%s>", tag)
		}
	}
	if !strings.Contains(text, hostile) {
		t.Error("HTML report does not show the hostile value as text")
	}
	// Markdown: no raw markup outside fenced code blocks (whose content
	// Markdown shows as it is: the patches).
	md := ts.get(t, "/reports?format=markdown").body
	if !strings.Contains(md, "&lt;script&gt;") {
		t.Error("the hostile value is not in the Markdown report, escaped")
	}
	fenced := false
	for i, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
			continue
		}
		if !fenced && (strings.Contains(line, "<script") || strings.Contains(line, "<img")) {
			t.Errorf("Markdown line %d has raw markup: %s", i+1, line)
		}
	}
	if res := ts.get(t, "/reports?format=json"); strings.ContainsAny(res.body, "<>") {
		t.Error("raw < or > in the JSON report")
	}
	// Query values echoed in a 400 are plain text, never HTML.
	res = ts.get(t, "/reports?format="+url.QueryEscape(hostile))
	if res.status != 400 || res.header.Get("Content-Type") != "text/plain; charset=utf-8" || res.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("400 echo: %d %q", res.status, res.header.Get("Content-Type"))
	}
}
