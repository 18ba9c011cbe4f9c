package main

import (
	"bufio"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/cloudlog/cloudlogtest"
	"github.com/negtrace/negtrace/sources/computecfg/computecfgtest"
)

// lbErrorsTotal sums negtrace_lb_errors_total over its series.
func lbErrorsTotal(tb testing.TB, base string) float64 {
	_, _, body := get(tb, base+"/metrics")
	var sum float64
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "negtrace_lb_errors_total{") {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			tb.Fatalf("bad sample %q", line)
		}
		sum += v
	}
	return sum
}

// BenchmarkErrorToMetricLatency measures, in live mode, the delay from an
// LB 5xx entering the (fake) Cloud Logging server to
// negtrace_lb_errors_total counting it on /metrics. The Logging tail
// stream's 2 s buffer window dominates it.
//
//	go test -run '^$' -bench ErrorToMetric -benchtime 10x ./cmd/negtrace
func BenchmarkErrorToMetricLatency(b *testing.B) {
	entries, err := cloudlogtest.LoadScenario(filepath.Join("..", "..", "testdata", "scenarios", "rollout-race"))
	if err != nil {
		b.Fatal(err)
	}
	var template *loggingpb.LogEntry
	for _, e := range entries {
		if e.GetHttpRequest().GetStatus() == 502 {
			template = e
			break
		}
	}
	fake := cloudlogtest.NewServer(b)
	compute := computecfgtest.NewServer(b, nil, nil)
	cfg := serveConfig{analysis: analyzer.DefaultOptions(), live: liveConfig{
		project: "shop-prod", noKubernetes: true, db: filepath.Join(b.TempDir(), "negtrace.db"),
		loggingEndpoint: fake.Addr, computeEndpoint: compute.URL, insecureEndpoints: true,
		backfill: time.Minute, poll: 30 * time.Second, tail: true, retention: time.Hour,
	}}
	base, _ := startServe(b, cfg)
	if err := fake.Wait(b.Context(), func() bool { return fake.OpenTails() > 0 }); err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	b.ResetTimer()
	for i := range b.N {
		before := lbErrorsTotal(b, base)
		e := proto.Clone(template).(*loggingpb.LogEntry)
		e.InsertId = fmt.Sprintf("latency%08d", i)
		e.Timestamp = timestamppb.Now()
		start := time.Now()
		fake.Add(e)
		for lbErrorsTotal(b, base) == before {
			if time.Since(start) > time.Minute {
				b.Fatal("the metric did not change within a minute")
			}
			time.Sleep(10 * time.Millisecond)
		}
		total += time.Since(start)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/error")
}
