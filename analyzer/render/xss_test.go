package render

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/negtrace/negtrace/analyzer"
	"golang.org/x/net/html"
)

// hostile is what an attacker can put in a URL, a user agent or a name
// that ends up in LB logs or Kubernetes objects.
const hostile = `<script>alert(1)</script>"><img src=x onerror=alert(1)>javascript:alert(1) | [x](javascript:alert(1)) ` +
	"`code` *b* _i_ # h\n- item\x1b[2J\x1b]8;;http://evil\x07link\u202e"

// hostileReport puts the hostile string in every string field that comes
// from the evidence.
func hostileReport() *analyzer.Report { return taintedReport(hostile) }

// taintedReport puts s in every string field that comes from the evidence.
func taintedReport(hostile string) *analyzer.Report {
	r := fixtureReport()
	r.Notes = append(r.Notes, hostile)
	r.Inputs[0].Path = hostile
	r.Inputs[0].Kind = hostile
	r.Inputs[2].Problems = append(r.Inputs[2].Problems, hostile)
	r.Summary.ByCause[analyzer.Cause(hostile)] = 1
	for i := range r.Terminations {
		t := &r.Terminations[i]
		t.Pod, t.Workload, t.Zone, t.Node, t.PodIP, t.NEG = hostile+t.Pod, hostile, hostile, hostile, hostile, hostile
		t.Verdict = analyzer.Verdict(hostile)
		t.Evidence = append(t.Evidence, hostile)
	}
	for i := range r.Errors {
		e := &r.Errors[i]
		e.URL, e.UserAgent, e.StatusDetails, e.Reason, e.ServerIP, e.BackendService, e.InsertID = hostile, hostile, hostile, hostile, hostile, hostile, hostile
		e.Cause = analyzer.Cause(hostile)
		if e.Pod != nil {
			e.Pod = ptr(hostile + *e.Pod)
		}
	}
	for i := range r.Recommendations {
		rec := &r.Recommendations[i]
		rec.Workload, rec.Rationale, rec.Action = hostile, hostile, hostile
	}
	return r
}

// TestHTMLInert renders the hostile report and reads it back with a real
// HTML5 tokenizer: it must hold exactly the elements and attributes of the
// same report with a benign string instead, none of them a script, an image, an event handler or a
// link, and the hostile text must still be readable as text.
func TestHTMLInert(t *testing.T) {
	var evil, benign bytes.Buffer
	if err := HTML(&evil, hostileReport(), Options{}); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&benign, taintedReport("benign"), Options{}); err != nil {
		t.Fatal(err)
	}
	out := evil.String()
	for _, bad := range []string{"<script", "<img", "<SCRIPT"} {
		if strings.Contains(out, bad) {
			t.Errorf("output contains raw %q", bad)
		}
	}
	evilTags, evilText := tokens(t, out)
	benignTags, _ := tokens(t, benign.String())
	if len(evilTags) != len(benignTags) {
		t.Fatalf("hostile report has %d start tags, benign %d: markup was injected", len(evilTags), len(benignTags))
	}
	for i := range evilTags {
		if evilTags[i] != benignTags[i] {
			t.Errorf("tag %d is %q, want %q", i, evilTags[i], benignTags[i])
		}
	}
	if !strings.Contains(evilText, `<script>alert(1)</script>"><img src=x onerror=alert(1)>`) {
		t.Error("the hostile text is not shown as text")
	}
}

// tokens returns each start tag with its attribute names (event handlers,
// src and href would show here) and all text.
func tokens(t *testing.T, s string) (tags []string, text string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(s))
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
				if strings.HasPrefix(a.Key, "on") || a.Key == "src" || a.Key == "href" || a.Key == "style" {
					t.Errorf("<%s> has attribute %s=%q", tok.Data, a.Key, a.Val)
				}
				if strings.Contains(strings.ToLower(a.Val), "javascript:") && a.Key != "title" {
					t.Errorf("<%s %s> holds %q", tok.Data, a.Key, a.Val)
				}
				tag += " " + a.Key
			}
			tags = append(tags, tag)
		case html.TextToken:
			b.Write(z.Text())
		}
	}
}

var (
	unescapedPipe    = regexp.MustCompile(`(^|[^\\])\|`)
	unescapedBracket = regexp.MustCompile(`(^|[^\\])[\[\]]`)
)

// TestMarkdownEscaped renders the hostile report as Markdown: no raw HTML
// (no "<" at all), no link syntax, no control characters, and every table
// row has as many cells as its header.
func TestMarkdownEscaped(t *testing.T) {
	var buf bytes.Buffer
	if err := Markdown(&buf, hostileReport(), Options{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if i := strings.Index(out, "<"); i >= 0 {
		t.Errorf("raw '<' in Markdown: %q", out[max(0, i-40):min(len(out), i+40)])
	}
	if strings.ContainsAny(out, "\x1b\x07\u202e") {
		t.Error("control characters in Markdown")
	}
	cells := -1
	for i, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			cells = -1
			if unescapedBracket.MatchString(line) && !strings.HasPrefix(line, "```") {
				t.Errorf("line %d has an unescaped bracket: %q", i+1, line)
			}
			continue
		}
		n := len(unescapedPipe.FindAllString(line, -1))
		if cells < 0 {
			cells = n
		} else if n != cells {
			t.Errorf("line %d has %d cell separators, its header %d: %q", i+1, n, cells, line)
		}
	}
	if !strings.Contains(out, `&lt;script&gt;alert(1)&lt;/script&gt;`) {
		t.Error("the hostile text is not shown escaped")
	}
}

// TestTextNoEscapes checks hostile strings cannot send escape sequences
// to the terminal.
func TestTextNoEscapes(t *testing.T) {
	var buf bytes.Buffer
	if err := Text(&buf, hostileReport(), Options{Width: 120}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(buf.String(), "\x1b\x07\u202e") {
		t.Error("control characters in text output")
	}
}
