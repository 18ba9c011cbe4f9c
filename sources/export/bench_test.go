package export

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
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

// benchRead reads the file at path b.N times; want is the number of LB
// entries it holds, 1 in 200 of them 5xx.
func benchRead(b *testing.B, path string, size int64, want int) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		c := analyzer.NewCollector(analyzer.Window{})
		if err := Read(context.Background(), []string{path}, Options{Collector: c, Logger: logger}); err != nil {
			b.Fatal(err)
		}
		if ev := c.Evidence(); ev.LBRequests != want || len(ev.Errors) != want/200 {
			b.Fatalf("read %d entries, %d errors, want %d and %d", ev.LBRequests, len(ev.Errors), want, want/200)
		}
	}
}

// BenchmarkReadGcloudJSON measures the same entries as
// BenchmarkReadNDJSON, pretty-printed in one array as gcloud writes them.
// MB/s count the bytes of the pretty-printed file.
func BenchmarkReadGcloudJSON(b *testing.B) {
	data, n := lbLines(50e6, 200)
	var buf bytes.Buffer
	buf.WriteString("[\n")
	for i, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		if i > 0 {
			buf.WriteString(",\n")
		}
		buf.WriteString("  ")
		if err := json.Indent(&buf, line, "  ", "  "); err != nil {
			b.Fatal(err)
		}
	}
	buf.WriteString("\n]\n")
	path := filepath.Join(b.TempDir(), "lb.json")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	benchRead(b, path, int64(buf.Len()), n)
}

// BenchmarkReadGzipNDJSON measures BenchmarkReadNDJSON's entries gzipped.
// MB/s count the uncompressed bytes.
func BenchmarkReadGzipNDJSON(b *testing.B) {
	data, n := lbLines(50e6, 200)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	path := filepath.Join(b.TempDir(), "lb.ndjson.gz")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	benchRead(b, path, int64(len(data)), n)
}
