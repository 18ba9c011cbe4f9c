package cloudlog

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/negtrace/negtrace/sources/cloudlog/cloudlogtest"
	"github.com/negtrace/negtrace/sources/kube"
	"github.com/negtrace/negtrace/sources/lblog"
	"github.com/negtrace/negtrace/sources/negops"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestFilterGolden pins the filter text (the README quotes it).
func TestFilterGolden(t *testing.T) {
	negs := make([]string, 12) // two chunks
	for i := range negs {
		negs[i] = fmt.Sprintf("k8s1-d4bae62c-shop-web-80-%08x", i)
	}
	tests := map[string]struct {
		opts     Options
		from, to time.Time
	}{
		"all": {from: testNow.Add(-time.Hour), to: testNow},
		"selected": {
			opts: Options{Cluster: "prod", Location: "us-central1", BackendServices: []string{"k8s1-d4bae62c-shop-web-80-c11dde4c", `odd"name\`}, NEGs: negs},
			from: time.Date(2025, 3, 4, 18, 10, 0, 123456789, time.UTC), to: testNow,
		},
		"tail": {opts: Options{Cluster: "prod"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := Filter(tt.opts, tt.from, tt.to)
			path := filepath.Join("testdata", "filter-"+name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("Filter (-want +got):\n%s", diff)
			}
			if _, err := cloudlogtest.ParseQuery(got); err != nil {
				t.Errorf("the filter does not parse: %v", err)
			}
		})
	}
}

// TestFilterSelects evaluates the filter on every entry of the scenarios:
// it selects exactly the LB 5xx, the NEG attach/detach audit entries and
// the events of the listed reasons, restricted to the backend services,
// NEGs and cluster given.
func TestFilterSelects(t *testing.T) {
	// kind is what the parsers make of an entry.
	type kind struct {
		lb5xx, audit, event bool
		backend, neg        string
	}
	const shopWeb = "k8s1-d4bae62c-shop-web-80-c11dde4c"
	cases := map[string]struct {
		opts Options
		want func(k kind) bool
	}{
		"all": {Options{}, func(k kind) bool { return k.lb5xx || k.audit || k.event }},
		"one backend and NEG": {
			Options{BackendServices: []string{shopWeb}, NEGs: []string{shopWeb}},
			func(k kind) bool { return k.lb5xx && k.backend == shopWeb || k.audit && k.neg == shopWeb || k.event },
		},
		"other cluster":  {Options{Cluster: "elsewhere"}, func(k kind) bool { return k.lb5xx || k.audit }},
		"other location": {Options{Location: "europe-west1"}, func(k kind) bool { return k.lb5xx || k.audit }},
	}
	for _, name := range scenarios {
		raws := rawEntries(t, scenarioDir(name))
		docs := make([]map[string]any, len(raws))
		kinds := make([]kind, len(raws))
		for i, raw := range raws {
			e, err := cloudlogtest.DecodeEntry(raw)
			if err != nil {
				t.Fatal(err)
			}
			if docs[i], err = cloudlogtest.Document(e); err != nil {
				t.Fatal(err)
			}
			if r, err := lblog.Parse(raw); err == nil {
				kinds[i] = kind{lb5xx: r.Status >= 500, backend: r.BackendService}
			} else if a, err := negops.ParseAuditEntry(raw); err == nil {
				kinds[i] = kind{audit: true, neg: a.NEG}
			} else if ev, err := kube.EventFromLogEntry(raw); err == nil {
				kinds[i] = kind{event: slices.Contains(eventReasons, ev.Reason)}
			}
		}
		for cname, c := range cases {
			t.Run(name+"/"+cname, func(t *testing.T) {
				q, err := cloudlogtest.ParseQuery(Filter(c.opts, time.Time{}, time.Time{}))
				if err != nil {
					t.Fatal(err)
				}
				selected := 0
				for i, raw := range raws {
					got, want := q.MatchDocument(docs[i]), c.want(kinds[i])
					if got != want {
						t.Errorf("match = %v, want %v: %.300s", got, want, raw)
					}
					if got {
						selected++
					}
				}
				if selected == 0 {
					t.Errorf("selected nothing")
				}
			})
		}
	}
}

// TestFilterBounds: entries at from are in, entries at to are out.
func TestFilterBounds(t *testing.T) {
	from, to := testNow.Add(-time.Minute), testNow
	q, err := cloudlogtest.ParseQuery(Filter(Options{}, from, to))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		at   time.Time
		want bool
	}{
		{from.Add(-time.Nanosecond * 1000), false},
		{from, true},
		{to.Add(-time.Microsecond), true},
		{to, false},
	} {
		if got := q.Match(lbEntry(t, "x", tt.at, 502)); got != tt.want {
			t.Errorf("entry at %s: match %v, want %v", tt.at.Format(time.RFC3339Nano), got, tt.want)
		}
	}
	if q.Match(lbEntry(t, "x", from, 499)) {
		t.Error("a 499 matched")
	}
}

// TestFilterLength: name lists that would pass the 20,000 character limit
// are dropped (NEGs first), never the limit.
func TestFilterLength(t *testing.T) {
	names := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("k8s1-d4bae62c-namespace-service-name-8080-%08x", i)
		}
		return out
	}
	tests := []struct {
		name                 string
		opts                 Options
		wantBackends, wantNE bool
	}{
		{"fits", Options{BackendServices: names(50), NEGs: names(50)}, true, true},
		{"too many NEGs", Options{BackendServices: names(50), NEGs: names(400)}, true, false},
		{"too many of both", Options{BackendServices: names(400), NEGs: names(400)}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Filter(tt.opts, testNow, testNow)
			if len(f) > MaxFilterLen {
				t.Errorf("filter is %d characters", len(f))
			}
			if got := strings.Contains(f, "backend_service_name"); got != tt.wantBackends {
				t.Errorf("backend list present = %v, want %v", got, tt.wantBackends)
			}
			if got := strings.Contains(f, "resourceName"); got != tt.wantNE {
				t.Errorf("NEG list present = %v, want %v", got, tt.wantNE)
			}
			if _, err := cloudlogtest.ParseQuery(f); err != nil {
				t.Error(err)
			}
			for _, list := range orListRE.FindAllString(f, -1) {
				if n := strings.Count(list, `" OR "`) + 1; n > orChunk {
					t.Fatalf("an OR list of %d values: %.200s", n, list)
				}
			}
		})
	}
}

// orListRE matches a parenthesised list of quoted values.
var orListRE = regexp.MustCompile(`\("[^"]*"( OR "[^"]*")*\)`)

func TestCallsPerHour(t *testing.T) {
	tests := []struct {
		opts Options
		want int
	}{
		{Options{}, 120},
		{Options{Poll: time.Minute}, 60},
		{Options{Poll: 7 * time.Second}, 515},
		{Options{Tail: true}, 12},
		{Options{Tail: true, Poll: time.Minute}, 6},
	}
	for _, tt := range tests {
		if got := CallsPerHour(tt.opts); got != tt.want {
			t.Errorf("CallsPerHour(Poll %v, Tail %v) = %d, want %d", tt.opts.Poll, tt.opts.Tail, got, tt.want)
		}
	}
}

func TestDefaultBackoff(t *testing.T) {
	prevMax := time.Duration(0)
	for attempt := 0; attempt <= 100; attempt++ {
		d := DefaultBackoff(attempt)
		lo, hi := time.Duration(0), maxBackoff
		switch {
		case attempt <= 1:
			lo, hi = 800*time.Millisecond, time.Second
		case attempt == 3:
			lo, hi = 3200*time.Millisecond, 4*time.Second
		case attempt >= 10:
			lo = 4 * time.Minute
		}
		if d < lo || d > hi {
			t.Errorf("DefaultBackoff(%d) = %v, want in [%v, %v]", attempt, d, lo, hi)
		}
		prevMax = max(prevMax, d)
	}
	if prevMax > maxBackoff {
		t.Errorf("backoff above %v", maxBackoff)
	}
}
