package render

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/negtrace/negtrace/analyzer/render/display"
)

func TestMDEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"shop/frontend-7d9f8c6b5-x2x9k", "shop/frontend-7d9f8c6b5-x2x9k"},
		{"10.8.0.14:8080", "10.8.0.14:8080"},
		{"<b>x</b> & y", "&lt;b&gt;x&lt;/b&gt; &amp; y"},
		{"[x](javascript:alert(1))", `\[x\](javascript:alert(1))`},
		{"![i](u)", `\!\[i\](u)`},
		{"a|b", `a\|b`},
		{"*b* _i_ `c` ~s~", "\\*b\\* \\_i\\_ \\`c\\` \\~s\\~"},
		{`back\slash`, `back\\slash`},
		{"# heading", `\# heading`},
		{"- item", `\- item`},
		{"+ item", `\+ item`},
		{"1. item", `1\. item`},
		{"12) item", `12\) item`},
		{"v1.2 - ok", "v1.2 - ok"},
		{"line\nbreak\r\tx", "line break  x"},
		{"esc\x1b[2Jx", `esc \[2Jx`},
		{"12.", `12\.`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := mdEscape(tc.in); got != tc.want {
				t.Errorf("mdEscape(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestMDCode(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"failed_to_connect_to_backend", "`failed_to_connect_to_backend`"},
		{"/a?x=|y|", "`/a?x=\\|y\\|`"},
		{"a`b", "a\\`b"},
		{"<script>", "&lt;script&gt;"},
	} {
		if got := mdCode(tc.in); got != tc.want {
			t.Errorf("mdCode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := mdFence("a ``` b ```` c"); got != "`````" {
		t.Errorf("mdFence = %q, want 5 backticks", got)
	}
}

func TestClean(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain – ünïcode ✓", "plain – ünïcode ✓"},
		{"a\tb\nc", "a b c"},
		{"\x1b]8;;http://x\x07t", " ]8;;http://x t"},
		{"rtl\u202eevil", "rtlevil"},
		{"c1\u009bx", "c1 x"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
	} {
		if got := clean(tc.in); got != tc.want {
			t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEllipsize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"abcdefghij", 10, "abcdefghij"},
		{"abcdefghijk", 5, "ab…jk"},
		{"abcdefghijk", 6, "ab…ijk"},
		{"ünïcödé", 4, "ü…dé"},
		{"abc", 1, "…"},
	} {
		if got := ellipsize(tc.in, tc.n); got != tc.want || len([]rune(got)) > max(tc.n, len([]rune(tc.in))) {
			t.Errorf("ellipsize(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestShortenPod(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"frontend-7d9f8c6b5-x2x9k", 30, "frontend-7d9f8c6b5-x2x9k"},
		{"frontend-7d9f8c6b5-x2x9k", 16, "frontend-…-x2x9k"},
		{"frontend-7d9f8c6b5-x2x9k", 12, "front…-x2x9k"},
		{"web-0", 3, "w…0"},
	} {
		if got := shortenPod(tc.in, tc.n); got != tc.want {
			t.Errorf("shortenPod(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestWrap(t *testing.T) {
	got := wrap("the quick brown fox jumps over the lazy dog supercalifragilisticexpialidocious", 12)
	want := []string{"the quick", "brown fox", "jumps over", "the lazy dog", "supercalifra", "gilisticexpi", "alidocious"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("wrap (-want +got):\n%s", diff)
	}
	if got := wrap("", 20); len(got) != 0 {
		t.Errorf("wrap of nothing = %q", got)
	}
}

func TestOffset(t *testing.T) {
	t0 := base
	for _, tc := range []struct {
		name   string
		at, t0 *time.Time
		want   string
	}{
		{"after", at(12.34), &t0, "+12.3"},
		{"before", at(-3.2), &t0, "-3.2"},
		{"no time", nil, &t0, display.Dash},
		{"no deletion", at(70.5), nil, "@09:01:10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := offset(tc.at, tc.t0, "15:04:05"); got != tc.want {
				t.Errorf("offset = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLatency(t *testing.T) {
	if got := latency(fixtureReport().Summary.DetachLatencySeconds); !strings.HasPrefix(got, "p50 9.4s · p90 12.35s") {
		t.Errorf("latency = %q", got)
	}
	if got := latency(fixtureReport().Recommendations[1].DetachLatencySeconds); got != "not measured" {
		t.Errorf("latency of nothing = %q", got)
	}
}
