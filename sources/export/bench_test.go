package export

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/negtrace/negtrace/analyzer"
)

// BenchmarkReadNDJSON measures the whole read path (file, line splitting,
// Peek, collector) on ~50 MB of a sink's http_load_balancer NDJSON with
// 0.5% 502s. The file is in the page cache after the first iteration.
func BenchmarkReadNDJSON(b *testing.B) {
	data, n := lbLines(50e6, 200)
	path := filepath.Join(b.TempDir(), "lb.ndjson")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		c := analyzer.NewCollector(analyzer.Window{})
		if err := Read(context.Background(), []string{path}, Options{Collector: c, Logger: logger}); err != nil {
			b.Fatal(err)
		}
		if ev := c.Evidence(); ev.LBRequests != n || len(ev.Errors) != n/200 {
			b.Fatalf("read %d entries, %d errors, want %d and %d", ev.LBRequests, len(ev.Errors), n, n/200)
		}
	}
	b.ReportMetric(float64(len(data))/float64(n), "bytes/line")
}
