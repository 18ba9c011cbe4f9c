package lblog

import (
	"os"
	"testing"
)

func benchEntry(b *testing.B, path string) []byte {
	raw, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

// BenchmarkPeek measures the fast path on a compact 2xx entry as a sink writes it.
func BenchmarkPeek(b *testing.B) {
	raw := benchEntry(b, "testdata/ok200-compact.json")
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Peek(raw); !ok {
			b.Fatal("Peek not ok")
		}
	}
}

// BenchmarkPeekPretty measures the fast path on a pretty-printed entry as gcloud prints it.
func BenchmarkPeekPretty(b *testing.B) {
	raw := benchEntry(b, "testdata/race502.json")
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Peek(raw); !ok {
			b.Fatal("Peek not ok")
		}
	}
}

// BenchmarkParse measures full parsing, used for 5xx entries.
func BenchmarkParse(b *testing.B) {
	raw := benchEntry(b, "testdata/ok200-compact.json")
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(raw); err != nil {
			b.Fatal(err)
		}
	}
}
