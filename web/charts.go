package web

import (
	"math"
	"time"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/analyzer/render/display"
)

// This file computes the data the two charts draw (5xx by cause over time,
// detach-latency histogram): the bucketing is data preparation; drawing,
// stacking and scales are Chart.js's.

// timeseriesView is /api/v1/timeseries: LB 5xx counts per time bucket,
// one series per cause (every known cause, in report order).
type timeseriesView struct {
	Start         time.Time     `json:"start"` // start of the first bucket
	End           time.Time     `json:"end"`   // end of the last bucket
	BucketSeconds int64         `json:"bucket_seconds"`
	Buckets       []time.Time   `json:"buckets"` // start of each bucket
	Labels        []string      `json:"labels"`  // bucket starts as the axis shows them (UTC)
	Series        []causeSeries `json:"series"`
	Total         int           `json:"total"` // errors counted, all buckets
}

// causeSeries is the counts of one cause, one per bucket.
type causeSeries struct {
	Cause  analyzer.Cause `json:"cause"`
	Counts []int          `json:"counts"`
	Total  int            `json:"total"`
}

// maxBuckets bounds an explicit bucket= so that a tiny bucket over a long
// window cannot make a huge answer.
const (
	autoBuckets = 60
	maxBuckets  = 5000
)

// niceBuckets are the bucket sizes chosen automatically.
var niceBuckets = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// timeseries counts the errors of r per bucket over r's window (or, when
// the window is open, the span of the errors). bucket 0 chooses a size
// giving at most autoBuckets buckets; that series, which the overview page
// and its chart's API call both ask for, is made once per report.
func (d *derived) timeseries(bucket time.Duration) (timeseriesView, error) {
	if bucket != 0 {
		return d.makeTimeseries(bucket)
	}
	d.autoSeries.once.Do(func() { d.autoSeries.v, d.autoSeries.err = d.makeTimeseries(0) })
	return d.autoSeries.v, d.autoSeries.err
}

// latency is latencyHistogram of the report, made once per report for the
// overview page and its chart's API call.
func (d *derived) latency() latencyView {
	d.latencyOnce.Do(func() { d.latencyView = latencyHistogram(d.report) })
	return d.latencyView
}

// makeTimeseries is timeseries, computed.
func (d *derived) makeTimeseries(bucket time.Duration) (timeseriesView, error) {
	r := d.report
	start, end := r.Window.Start.UTC(), r.Window.End.UTC()
	if !end.IsZero() {
		// A report's window ends at its last entry, inclusive.
		end = end.Add(time.Nanosecond)
	}
	for _, e := range r.Errors {
		ts := e.Timestamp.UTC()
		if r.Window.Start.IsZero() && (start.IsZero() || ts.Before(start)) {
			start = ts
		}
		if r.Window.End.IsZero() && (end.IsZero() || !ts.Before(end)) {
			end = ts.Add(time.Nanosecond)
		}
	}
	span := end.Sub(start)
	if start.IsZero() || end.IsZero() || span <= 0 {
		span = 0
	}
	if bucket == 0 {
		bucket = niceBuckets[len(niceBuckets)-1]
		for _, b := range niceBuckets {
			if span <= time.Duration(autoBuckets)*b {
				bucket = b
				break
			}
		}
	} else if span/bucket >= maxBuckets {
		return timeseriesView{}, badParam("bad bucket=%s: %d buckets over the %s window, at most %d", bucket, span/bucket+1, span, maxBuckets)
	}
	v := timeseriesView{BucketSeconds: int64(bucket / time.Second), Buckets: []time.Time{}, Labels: []string{}}
	n := 0
	if span > 0 {
		v.Start = start.Truncate(bucket)
		n = int((end.Sub(v.Start) + bucket - 1) / bucket)
		v.End = v.Start.Add(time.Duration(n) * bucket)
	}
	layout := bucketLayout(v.Start, v.End, bucket)
	for i := range n {
		b := v.Start.Add(time.Duration(i) * bucket)
		v.Buckets = append(v.Buckets, b)
		v.Labels = append(v.Labels, b.Format(layout))
	}
	index := map[analyzer.Cause]int{}
	for i, c := range d.causes {
		index[c] = i
		v.Series = append(v.Series, causeSeries{Cause: c, Counts: make([]int, n)})
	}
	for _, e := range r.Errors {
		ts := e.Timestamp.UTC()
		if n == 0 || ts.Before(v.Start) || !ts.Before(v.End) {
			continue
		}
		s := &v.Series[index[e.Cause]]
		s.Counts[int(ts.Sub(v.Start)/bucket)]++
		s.Total++
		v.Total++
	}
	return v, nil
}

// bucketLayout is how bucket starts are labelled: with the date only
// when the range spans days, with seconds only when buckets need them.
func bucketLayout(start, end time.Time, bucket time.Duration) string {
	clock := "15:04"
	if bucket%time.Minute != 0 {
		clock = "15:04:05"
	}
	// end is exclusive: the last bucket ends just before it. start is zero
	// when there are no buckets; otherwise end-1ns ≥ start is not zero.
	if display.SpansDays(analyzer.Window{Start: start, End: end.Add(-time.Nanosecond)}) {
		return "01-02 " + clock
	}
	return clock
}

// latencyView is /api/v1/latency: the histogram of the NEG detach
// latencies of the terminations (detach completed − deletion requested)
// and the analysis's percentiles, which the chart marks.
type latencyView struct {
	Measured   int          `json:"measured"` // terminations with a measured latency
	BinSeconds float64      `json:"bin_seconds"`
	Bins       []latencyBin `json:"bins"`
	P50        *float64     `json:"p50"`
	P90        *float64     `json:"p90"`
	P99        *float64     `json:"p99"`
	Max        *float64     `json:"max"`
}

// latencyBin counts the latencies in [From, To) seconds.
type latencyBin struct {
	From  float64 `json:"from"`
	To    float64 `json:"to"`
	Count int     `json:"count"`
}

// niceBins are the bin widths, in seconds, chosen for at most maxBins bins.
var niceBins = []float64{0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600}

const maxBins = 20

func latencyHistogram(r *analyzer.Report) latencyView {
	p := r.Summary.DetachLatencySeconds
	v := latencyView{Bins: []latencyBin{}, P50: p.P50, P90: p.P90, P99: p.P99, Max: p.Max}
	var xs []float64
	for _, t := range r.Terminations {
		if x := t.DetachLatencySeconds; x != nil && !math.IsNaN(*x) && !math.IsInf(*x, 0) {
			xs = append(xs, *x)
		}
	}
	v.Measured = len(xs)
	if len(xs) == 0 {
		return v
	}
	lo, hi := 0.0, 0.0
	for _, x := range xs {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	var from float64
	var n int
	for _, w := range niceBins {
		v.BinSeconds = w
		from = math.Floor(lo/w) * w
		n = binOf(hi, from, w) + 1
		if n <= maxBins {
			break
		}
	}
	n = min(n, 10*maxBins) // latencies beyond an hour of bins are clamped into the last
	w := v.BinSeconds
	for i := range n {
		v.Bins = append(v.Bins, latencyBin{From: round3(from + float64(i)*w), To: round3(from + float64(i+1)*w)})
	}
	for _, x := range xs {
		v.Bins[max(0, min(binOf(x, from, w), n-1))].Count++
	}
	return v
}

// binOf is the index of the bin of width w, from from, holding x; the
// epsilon keeps 0.3/0.1 = 2.9999999999999996 in bin 3.
func binOf(x, from, w float64) int { return int(math.Floor((x-from)/w + 1e-9)) }

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
