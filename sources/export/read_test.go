package export

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/negtrace/negtrace/analyzer"
)

func readTestdata(name string) ([]byte, error) { return os.ReadFile(filepath.Join("testdata", name)) }

func newTestCollector() *analyzer.Collector { return analyzer.NewCollector(analyzer.Window{}) }

// counts summarises what reached the collector.
type counts struct {
	LB, Errors, Audit, Pods, Slices, Services, Events int
}

func countsOf(ev *analyzer.Evidence) counts {
	return counts{ev.LBRequests, len(ev.Errors), len(ev.Audit), len(ev.Pods), len(ev.Slices), len(ev.Services), len(ev.Events)}
}

// readAll reads paths into a fresh collector and returns the evidence and
// the log output.
func readAll(t *testing.T, opts Options, paths ...string) (*analyzer.Evidence, string) {
	t.Helper()
	var log bytes.Buffer
	if opts.Collector == nil {
		opts.Collector = newTestCollector()
	}
	opts.Logger = slog.New(slog.NewTextHandler(&log, nil))
	if err := Read(context.Background(), paths, opts); err != nil {
		t.Fatalf("Read: %v", err)
	}
	return opts.Collector.Evidence(), log.String()
}

// gzipTo writes a gzip copy of the file at src into dir and returns its path.
func gzipTo(t *testing.T, src, dir string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	// The name hides that it is compressed: detection goes by content.
	dst := filepath.Join(dir, filepath.Base(src))
	if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestReadFixtures(t *testing.T) {
	tests := []struct {
		file   string
		kind   string
		rec    int
		skip   int
		probs  []string // with "F" standing for the path
		counts counts
	}{
		{file: "gcloud-array.json", kind: KindCloudLoggingJSON, rec: 6, counts: counts{LB: 4, Errors: 1, Audit: 1, Events: 1}},
		{file: "sink.ndjson", kind: KindCloudLoggingNDJSON, rec: 6, counts: counts{LB: 5, Errors: 2, Audit: 1}},
		{file: "pods-watch-events.json", kind: KindKubectlWatch, rec: 3, counts: counts{Pods: 3}},
		{file: "pods-watch.json", kind: KindKubectlWatch, rec: 2, counts: counts{Pods: 2}},
		{
			file: "kubectl-list.json", kind: KindKubectlJSON, rec: 3, skip: 1,
			probs:  []string{"F:1: ignored 1 apps/v1 ReplicaSet (kinds negtrace does not use)"},
			counts: counts{Pods: 1, Slices: 1, Services: 1},
		},
		{file: "mixed.yaml", kind: KindYAML, rec: 3, counts: counts{LB: 1, Errors: 1, Pods: 1, Events: 1}},
		{
			file: "truncated-array.json", kind: KindCloudLoggingJSON, rec: 3, skip: 1,
			probs:  []string{"F:116: truncated JSON value: the input ends at line 127 before the value does"},
			counts: counts{LB: 2, Errors: 1, Events: 1},
		},
		{
			file: "truncated.ndjson", kind: KindCloudLoggingNDJSON, rec: 3, skip: 1,
			probs:  []string{"F:4: truncated entry: the input ends inside it"},
			counts: counts{LB: 3},
		},
		{
			file: "notes.txt", kind: KindUnreadable, skip: 1,
			probs: []string{`F: not a supported format (text that is neither JSON nor YAML: "Incident notes")`},
		},
		{
			file: "garbage-lines.ndjson", kind: KindCloudLoggingNDJSON, rec: 5, skip: 5,
			probs: []string{
				`F:3: not a JSON object: "WARNING: some entries could not be expor"...`,
				"F:4: malformed JSON: unexpected end of JSON input",
				`F:5: not a JSON object: "Broken\",\"remoteIp\":\"203.0.113.45\",\"laten"...`,
				`F:9: not a JSON object: "[1, 2, 3]"`,
				"F:10: malformed JSON: unexpected end of JSON input",
			},
			counts: counts{LB: 4, Errors: 2, Audit: 1},
		},
		{
			file: "unknown-kinds.ndjson", kind: KindCloudLoggingNDJSON, rec: 1, skip: 6,
			probs: []string{
				"F:1: unknown entry type (resource.type=cloud_run_revision, logName=projects/shop-prod/logs/run.googleapis.com%2Frequests)",
				"F:2: unknown entry type (resource.type=k8s_cluster, logName=projects/shop-prod/logs/cloudaudit.googleapis.com%2Factivity, methodName=io.k8s.core.v1.pods.delete)",
				"F:3: unknown entry type (resource.type=k8s_node, logName=projects/shop-prod/logs/kubelet)",
				"F:4: unknown entry type (resource.type=gce_network, logName=projects/shop-prod/logs/cloudaudit.googleapis.com%2Factivity, methodName=v1.compute.instances.insert)",
				"F:5: unknown entry type (resource.type=k8s_cluster, logName=projects/shop-prod/logs/events)",
				"F:6: unknown document: neither a Cloud Logging entry nor a Kubernetes object",
			},
			counts: counts{LB: 1},
		},
		{
			file: "broken-watch.json", kind: KindKubectlWatch, rec: 2, skip: 2,
			probs: []string{
				`F:62: not JSON: "error: watch closed, retrying"`,
				"F:63: malformed JSON value (a line ends inside a string at line 97); skipped to line 127",
			},
			counts: counts{Pods: 2},
		},
	}
	gzDir := t.TempDir()
	for _, tt := range tests {
		for _, gz := range []bool{false, true} {
			name := tt.file
			path := filepath.Join("testdata", tt.file)
			if gz {
				name += ".gz"
				path = gzipTo(t, path, gzDir)
			}
			t.Run(name, func(t *testing.T) {
				ev, log := readAll(t, Options{}, path)
				probs := []string{}
				for _, p := range tt.probs {
					probs = append(probs, strings.Replace(p, "F", path, 1))
				}
				want := []analyzer.Input{{Path: path, Kind: tt.kind, Records: tt.rec, Skipped: tt.skip, Problems: probs}}
				if diff := cmp.Diff(want, ev.Inputs); diff != "" {
					t.Errorf("inputs (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tt.counts, countsOf(ev)); diff != "" {
					t.Errorf("collected (-want +got):\n%s", diff)
				}
				if !strings.Contains(log, "kind="+tt.kind) || !strings.Contains(log, "path="+path) {
					t.Errorf("log line lacks path or kind:\n%s", log)
				}
			})
		}
	}
}

// TestReadErrorsKeptInFull checks what the 5xx entries carry after the
// whole read path: the fast path must not swallow them.
func TestReadErrorsKeptInFull(t *testing.T) {
	ev, _ := readAll(t, Options{}, "testdata/sink.ndjson")
	var got []string
	for _, r := range ev.Errors {
		got = append(got, r.InsertID+" "+string(r.StatusDetails)+" "+r.ServerIP.String())
	}
	want := []string{
		"lb-502-b backend_connection_closed_before_data_sent_to_client 10.52.3.17",
		"lb-503-c failed_to_pick_backend invalid IP",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if got := ev.Traffic.IPs(); got != 2 {
		t.Errorf("traffic to %d IPs, want 2", got)
	}
}

func TestReadDuplicatesAcrossFiles(t *testing.T) {
	ev, log := readAll(t, Options{}, "testdata/dup-a.ndjson", "testdata/dup-b.json")
	if diff := cmp.Diff(counts{LB: 7, Errors: 1}, countsOf(ev)); diff != "" {
		t.Errorf("collected (-want +got):\n%s", diff)
	}
	if ev.Inputs[1].Records != 5 || ev.Inputs[1].Skipped != 0 {
		t.Errorf("second input: %+v, want 5 records (duplicates included), 0 skipped", ev.Inputs[1])
	}
	if !strings.Contains(log, "path=testdata/dup-b.json kind=cloud-logging-json records=5 skipped=0 duplicates=4") {
		t.Errorf("log does not count the duplicates:\n%s", log)
	}
}

func TestReadWindow(t *testing.T) {
	c := analyzer.NewCollector(analyzer.Window{
		Start: time.Date(2025, 3, 4, 18, 15, 1, 100e6, time.UTC),
		End:   time.Date(2025, 3, 4, 18, 15, 5, 500e6, time.UTC),
	})
	ev, log := readAll(t, Options{Collector: c}, "testdata/sink.ndjson")
	// In the window: lb-200-d, lb-304-e, lb-502-b.
	if diff := cmp.Diff(counts{LB: 3, Errors: 1, Audit: 1}, countsOf(ev)); diff != "" {
		t.Errorf("collected (-want +got):\n%s", diff)
	}
	if ev.Inputs[0].Records != 6 || ev.Inputs[0].Skipped != 0 {
		t.Errorf("input %+v: entries outside the window are read, not skipped", ev.Inputs[0])
	}
	if !strings.Contains(log, "outside_window=2") {
		t.Errorf("log does not count entries outside the window:\n%s", log)
	}
}

func TestReadFolder(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sink, err := readTestdata("sink.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	write("b/lb.log", string(sink))
	write("a.json", "[]\n")
	write(".hidden.json", string(sink))
	write(".git/objects/x", string(sink))
	write("b/.cache/y", string(sink))
	write("c/empty", "")
	ev, _ := readAll(t, Options{}, dir, filepath.Join(dir, "a.json"), filepath.Join(dir, "missing.json"))
	var got []string
	for _, in := range ev.Inputs {
		got = append(got, strings.TrimPrefix(in.Path, dir)+" "+in.Kind+" "+strings.Join(in.Problems, "; "))
	}
	want := []string{
		"/a.json cloud-logging-json ",
		"/b/lb.log cloud-logging-ndjson ",
		"/c/empty unreadable " + filepath.Join(dir, "c/empty") + ": empty file",
		"/missing.json unreadable " + filepath.Join(dir, "missing.json") + ": stat: no such file or directory",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("inputs (-want +got):\n%s", diff)
	}
	if ev.LBRequests != 5 {
		t.Errorf("LBRequests = %d, want 5 (hidden files are skipped)", ev.LBRequests)
	}
}

// TestReadEdgeCases covers inputs made on the fly.
func TestReadEdgeCases(t *testing.T) {
	sink, err := readTestdata("sink.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	entry := string(bytes.SplitN(sink, []byte("\n"), 2)[0])
	hugeUA := strings.Replace(entry, `"Mozilla/5.0"`, `"`+strings.Repeat("M", 3<<20)+`"`, 1)
	var gzTruncated bytes.Buffer
	zw := gzip.NewWriter(&gzTruncated)
	zw.Write(sink)
	zw.Close()
	truncated := gzTruncated.Bytes()[:gzTruncated.Len()*2/3]
	// What a reader gets out of it before the error: whole lines, then part of one.
	zr, err := gzip.NewReader(bytes.NewReader(truncated))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("truncated gzip: %v", err)
	}
	whole := bytes.Count(out, []byte("\n"))
	cut := strconv.Itoa(whole + 1)
	many := strings.Repeat("garbage\n", 25) + entry + "\n"
	tests := []struct {
		name    string
		content string
		opts    Options
		want    analyzer.Input // Path filled in by the test; "F" in problems stands for it
		lb      int
	}{
		{name: "negtrace report", content: "{\n  \"schema\": \"negtrace.report/v1\",\n  \"errors\": []\n}\n", want: analyzer.Input{Kind: KindNegtrace, Problems: []string{}}},
		{name: "empty", content: "", want: analyzer.Input{Kind: KindUnreadable, Problems: []string{"F: empty file"}}},
		{name: "blank", content: "\n \n", want: analyzer.Input{Kind: KindUnreadable, Problems: []string{"F: empty file"}}},
		{name: "binary", content: "\x00\x01\x02garbage", want: analyzer.Input{Kind: KindUnreadable, Skipped: 1, Problems: []string{"F: not a supported format (binary data)"}}},
		{name: "BOM and CRLF", content: "\uFEFF" + strings.ReplaceAll(string(sink), "\n", "\r\n"), want: analyzer.Input{Kind: KindCloudLoggingNDJSON, Records: 6, Problems: []string{}}, lb: 5},
		{name: "no final newline", content: strings.TrimSuffix(string(sink), "\n"), want: analyzer.Input{Kind: KindCloudLoggingNDJSON, Records: 6, Problems: []string{}}, lb: 5},
		{name: "line longer than the buffer", content: hugeUA + "\n" + entry, want: analyzer.Input{Kind: KindCloudLoggingNDJSON, Records: 2, Problems: []string{}}, lb: 1},
		{
			name: "line longer than the limit", content: hugeUA + "\n" + entry + "\n", opts: Options{MaxDocument: 1 << 20},
			want: analyzer.Input{Kind: KindCloudLoggingNDJSON, Records: 1, Skipped: 1, Problems: []string{"F:1: line of 3 MiB is larger than the limit of 1 MiB"}}, lb: 1,
		},
		{
			name: "problems past the limit", content: many, opts: Options{MaxProblems: 3},
			want: analyzer.Input{Kind: KindUnreadable, Records: 0, Skipped: 1, Problems: []string{`F: not a supported format (text that is neither JSON nor YAML: "garbage")`}},
		},
		{
			name: "many problems", content: entry + "\n" + many, opts: Options{MaxProblems: 3},
			want: analyzer.Input{Kind: KindCloudLoggingNDJSON, Records: 2, Skipped: 25, Problems: []string{
				`F:2: not a JSON object: "garbage"`, `F:3: not a JSON object: "garbage"`, `F:4: not a JSON object: "garbage" ... and 22 more`,
			}},
			lb: 1,
		},
		{
			name: "truncated gzip", content: string(truncated),
			want: analyzer.Input{Kind: KindCloudLoggingNDJSON, Records: whole, Skipped: 1, Problems: []string{
				"F:" + cut + ": truncated entry: the input ends inside it", "F:" + cut + ": read: unexpected EOF",
			}},
			lb: whole,
		},
		{
			name: "List without apiVersion", content: `{"kind":"List","items":[{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"shop"}}]}`,
			want: analyzer.Input{Kind: KindKubectlJSON, Records: 1, Problems: []string{}},
		},
		{
			name: "watch bookmark", content: "{\n    \"type\": \"BOOKMARK\",\n    \"object\": {\"kind\": \"Pod\", \"apiVersion\": \"v1\", \"metadata\": {\"resourceVersion\": \"12\"}}\n}\n",
			want: analyzer.Input{Kind: KindKubectlWatch, Problems: []string{}},
		},
		{
			name: "malformed YAML", content: "# header\nkind: Pod\napiVersion: v1\n---\na: [1, 2\n---\n",
			want: analyzer.Input{Kind: KindYAML, Records: 1, Skipped: 1, Problems: []string{
				"F:5: malformed YAML: yaml: line 1: did not find expected ',' or ']'",
			}},
		},
		{
			name: "YAML too large", content: "a: " + strings.Repeat("x", 2000) + "\n---\nb: 1\n", opts: Options{MaxDocument: 1024},
			want: analyzer.Input{Kind: KindYAML, Skipped: 2, Problems: []string{
				"F:1: YAML document larger than the limit of 1 KiB",
				"F:3: unknown document: neither a Cloud Logging entry nor a Kubernetes object",
			}},
		},
	}
	dir := t.TempDir()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, string(rune('a'+i)))
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			ev, _ := readAll(t, tt.opts, path)
			want := tt.want
			want.Path = path
			for i, p := range want.Problems {
				want.Problems[i] = strings.Replace(p, "F", path, 1)
			}
			if want.Problems == nil {
				want.Problems = []string{}
			}
			if diff := cmp.Diff([]analyzer.Input{want}, ev.Inputs); diff != "" {
				t.Errorf("inputs (-want +got):\n%s", diff)
			}
			if ev.LBRequests != tt.lb {
				t.Errorf("LBRequests = %d, want %d", ev.LBRequests, tt.lb)
			}
		})
	}
}

func TestReadOptions(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, opts := range []Options{
		{Logger: logger},
		{Collector: newTestCollector()},
		{Collector: newTestCollector(), Logger: logger, MaxProblems: -1},
	} {
		if err := Read(context.Background(), []string{"testdata"}, opts); err == nil {
			t.Errorf("Read with %+v: no error", opts)
		}
	}
}

func TestReadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := newTestCollector()
	err := Read(ctx, []string{"testdata"}, Options{Collector: c, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Read error = %v, want context.Canceled", err)
	}
	if n := len(c.Evidence().Inputs); n != 0 {
		t.Errorf("%d inputs read after cancellation", n)
	}
}

// TestReadGenerated reads a larger generated sink export: every entry is
// counted once and every 5xx is kept in full.
func TestReadGenerated(t *testing.T) {
	data, n := lbLines(2<<20, 200)
	path := filepath.Join(t.TempDir(), "lb.ndjson")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ev, _ := readAll(t, Options{}, path, path+"")
	if ev.LBRequests != n || len(ev.Errors) != n/200 {
		t.Errorf("read %d entries and %d errors, want %d and %d", ev.LBRequests, len(ev.Errors), n, n/200)
	}
	if len(ev.Inputs) != 1 || ev.Inputs[0].Records != n {
		t.Errorf("inputs %+v: want one with %d records", ev.Inputs, n)
	}
}
