package export

import (
	"bytes"
	"compress/gzip"
	"context"
	"testing"
)

// FuzzRead feeds arbitrary bytes (and their gzip) to the whole reader:
// detection, NDJSON, JSON and YAML reading and dispatch must never panic,
// and what an input gives must add up.
func FuzzRead(f *testing.F) {
	// Small seeds: the fuzzer minimises what it finds, and big inputs
	// make that slow. The tests cover big inputs.
	for _, seed := range []string{
		`{"insertId":"a","timestamp":"2025-03-04T18:15:03Z","resource":{"type":"http_load_balancer"},"httpRequest":{"status":502,"serverIp":"10.0.0.1"}}` + "\n" +
			`{"insertId":"b","timestamp":"2025-03-04T18:15:04Z","resource":{"type":"http_load_balancer"},"httpRequest":{"status":200}}` + "\nWARNING\n",
		"[\n  {\n    \"logName\": \"projects/p/logs/events\",\n    \"jsonPayload\": {\"kind\": \"Event\"}\n  }\n]\n",
		"{\n    \"type\": \"DELETED\",\n    \"object\": {\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}}\n}\n",
		"# c\nkind: Service\napiVersion: v1\n---\n- 1\n",
		`{"protoPayload":{"methodName":"v1.compute.networkEndpointGroups.detachNetworkEndpoints"},"timestamp":"2025-03-04T18:15:04Z"}`,
	} {
		f.Add([]byte(seed), false)
	}
	f.Add([]byte("[\n  {\"a\": 1}\n]\n"), true)
	f.Fuzz(func(t *testing.T, in []byte, gz bool) {
		if len(in) > 16<<10 {
			return
		}

		if gz {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write(in)
			zw.Close()
			in = buf.Bytes()
		}
		c := newTestCollector()
		// A small buffer exercises lines and values longer than it.
		r := &run{opts: Options{Collector: c, MaxProblems: 5, MaxDocument: 4 << 10}, bufSize: 64}
		tl := &tally{path: "f", kind: KindUnreadable, max: 5}
		if err := r.stream(context.Background(), bytes.NewReader(in), tl); err != nil {
			t.Fatal(err)
		}
		ev := c.Evidence()
		added := ev.LBRequests + len(ev.Audit) + len(ev.Pods) + len(ev.Slices) + len(ev.Services) + len(ev.Events)
		if tl.records < added || tl.dups+tl.outside > tl.records {
			t.Errorf("records %d (dups %d, outside %d) but %d added to the collector", tl.records, tl.dups, tl.outside, added)
		}
		if len(tl.problems) > 5 || (tl.more > 0 && len(tl.problems) < 5) {
			t.Errorf("%d problems kept, %d more", len(tl.problems), tl.more)
		}
		if tl.skipped > 0 && len(tl.problems) == 0 {
			t.Errorf("%d skipped without a problem", tl.skipped)
		}
	})
}
