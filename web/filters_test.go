package web

import (
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/negtrace/negtrace/analyzer"
)

func TestParseWindow(t *testing.T) {
	at := func(h, m, s int) time.Time { return time.Date(2025, 3, 4, h, m, s, 0, time.UTC) }
	for _, tc := range []struct {
		from, to string
		want     analyzer.Window
		bad      bool
	}{
		{"", "", analyzer.Window{}, false},
		{"2025-03-04T18:10:00Z", "", analyzer.Window{Start: at(18, 10, 0)}, false},
		{"2025-03-04T19:10:00+01:00", "2025-03-04T18:20:30", analyzer.Window{Start: at(18, 10, 0), End: at(18, 20, 30)}, false},
		{"", "2025-03-04T18:20", analyzer.Window{End: at(18, 20, 0)}, false},
		{"2025-03-04", "", analyzer.Window{}, true},
		{"2025-03-04T18:20:00Z", "2025-03-04T18:20:00Z", analyzer.Window{}, true},
	} {
		got, err := parseWindow(url.Values{"from": {tc.from}, "to": {tc.to}})
		if (err != nil) != tc.bad {
			t.Errorf("from=%q to=%q: err %v, want bad=%v", tc.from, tc.to, err, tc.bad)
			continue
		}
		if diff := cmp.Diff(tc.want, got); !tc.bad && diff != "" {
			t.Errorf("from=%q to=%q (-want +got):\n%s", tc.from, tc.to, diff)
		}
	}
}

func TestParseBucket(t *testing.T) {
	for in, want := range map[string]time.Duration{"": 0, "30s": 30 * time.Second, "1m": time.Minute, "90": 90 * time.Second, "1h": time.Hour} {
		if got, err := parseBucket(in); err != nil || got != want {
			t.Errorf("parseBucket(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"0", "-1s", "1.5s", "500ms", "x"} {
		if _, err := parseBucket(in); err == nil {
			t.Errorf("parseBucket(%q) accepted", in)
		}
	}
}

// TestFilterQuery: a filter's links give the same filter back.
func TestFilterQuery(t *testing.T) {
	q := url.Values{"cause": {"neg_detach_race"}, "workload": {"shop/web"}, "details": {"x y"}, "pod": {"shop/p"},
		"from": {"2025-03-04T18:10:00.5Z"}, "to": {"2025-03-04T18:20:00Z"}, "page": {"3"}}
	f, err := parseErrorFilter(q, analyzer.Causes)
	if err != nil {
		t.Fatal(err)
	}
	back, err := parseErrorFilter(f.query(3), analyzer.Causes)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f, back, cmp.AllowUnexported(errorFilter{})); diff != "" {
		t.Errorf("(-first +round trip):\n%s", diff)
	}
	if got := f.query(1).Get("page"); got != "" {
		t.Errorf("page 1 in the query: %q", got)
	}
}
