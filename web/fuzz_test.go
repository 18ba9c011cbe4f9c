package web

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/negtrace/negtrace/analyzer"
)

// FuzzErrorFilter: any query string parses without panicking, and a
// filter that parses comes back the same from the links built from it.
func FuzzErrorFilter(f *testing.F) {
	for _, seed := range []string{"", "cause=neg_detach_race&page=2", "workload=shop%2Fweb&details=x&pod=p",
		"from=2025-03-04T18:10:00.5Z&to=2025-03-04T18:20:00", "from=2025-03-04T19:10:00%2B01:00", "page=0", "bucket=1m", "%zz"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		_, _ = parseBucket(q.Get("bucket"))
		fl, err := parseErrorFilter(q, analyzer.Causes)
		if err != nil {
			return
		}
		if fl.Page < 1 {
			t.Fatalf("page %d accepted", fl.Page)
		}
		back, err := parseErrorFilter(fl.query(fl.Page), analyzer.Causes)
		if err != nil {
			t.Fatalf("the filter's own query does not parse: %v", err)
		}
		if diff := cmp.Diff(fl, back, cmp.AllowUnexported(errorFilter{})); diff != "" {
			t.Fatalf("round trip (-first +again):\n%s", diff)
		}
	})
}
