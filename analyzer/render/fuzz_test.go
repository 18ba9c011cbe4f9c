package render

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzMarkdownEscape checks that no string becomes markup: after
// escaping there is no "<", no line break, and no unescaped "|", "[" or "`".
func FuzzMarkdownEscape(f *testing.F) {
	for _, s := range []string{hostile, "a|b", "1. x", "`x`", "\\|", "[a](b)", "<http://x>", "ok-name_1.2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, got := range map[string]string{"mdEscape": mdEscape(s), "mdCode": mdCode(s)} {
			if strings.ContainsAny(got, "<>\n\r") {
				t.Errorf("%s(%q) = %q: raw angle bracket or line break", name, s, got)
			}
			if unescapedPipe.MatchString(strings.ReplaceAll(got, `\\`, "")) {
				t.Errorf("%s(%q) = %q: unescaped |", name, s, got)
			}
		}
		got := mdEscape(s)
		if bare := strings.ReplaceAll(got, `\\`, ""); unescapedBracket.MatchString(bare) || strings.Contains(strings.ReplaceAll(bare, "\\`", ""), "`") {
			t.Errorf("mdEscape(%q) = %q: unescaped bracket or backtick", s, got)
		}
	})
}

// FuzzHTMLInert puts a fuzzed string in every field from the evidence and
// checks the page has exactly the markup of a benign report.
func FuzzHTMLInert(f *testing.F) {
	for _, s := range []string{hostile, "</title><script>x</script>", "]]><svg onload=x>", "<!--", "</textarea>", "a\x00b"} {
		f.Add(s)
	}
	var benign bytes.Buffer
	if err := HTML(&benign, taintedReport("benign"), Options{}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var buf bytes.Buffer
		// Never empty: an empty rationale or evidence list is left out,
		// which changes the markup legitimately.
		if err := HTML(&buf, taintedReport("x"+s), Options{}); err != nil {
			t.Fatal(err)
		}
		got, _ := tokens(t, buf.String())
		want, _ := tokens(t, benign.String())
		if len(got) != len(want) {
			t.Fatalf("%d start tags, want %d", len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("tag %d is %q, want %q", i, got[i], want[i])
			}
		}
	})
}
