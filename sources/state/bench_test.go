package state

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/kube"
	"github.com/negtrace/negtrace/sources/lblog"
	"github.com/negtrace/negtrace/sources/negops"
)

// lbBatch is n LB entries starting at entry first, one in fifty an error,
// spread over 20 endpoints, 1ms apart.
func lbBatch(first, n int) Batch {
	b := Batch{Source: "cloud-logging", Requests: make([]lblog.Request, n), Checkpoint: ptr(fmt.Sprint(first + n))}
	for i := range n {
		k := first + i
		r := lblog.Request{
			InsertID: fmt.Sprintf("%014x", k), Time: t0.Add(time.Duration(k) * time.Millisecond), Status: 200,
			ServerIP: netip.AddrFrom4([4]byte{10, 8, 1, byte(k % 20)}), ServerPort: 8080,
			BackendService: "k8s1-web-80", ResourceType: lblog.ResourceGlobal, Method: "GET", URL: "https://example.com/",
		}
		if k%50 == 0 {
			r.Status, r.StatusDetails = 502, lblog.FailedToConnect
		}
		b.Requests[i] = r
	}
	return b
}

// BenchmarkApply10kLB stores batches of 10,000 new LB entries.
func BenchmarkApply10kLB(b *testing.B) {
	ctx := context.Background()
	db := openTest(b, Options{})
	const n = 10_000
	i := 0
	for b.Loop() {
		b.StopTimer()
		batch := lbBatch(i*n, n)
		b.StartTimer()
		if added, err := db.Apply(ctx, batch); err != nil || added != n {
			b.Fatalf("Apply = %d, %v", added, err)
		}
		i++
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkApply10kLBDuplicates re-applies 10,000 stored LB entries (an
// overlapping re-read).
func BenchmarkApply10kLBDuplicates(b *testing.B) {
	ctx := context.Background()
	db := openTest(b, Options{})
	batch := lbBatch(0, 10_000)
	if _, err := db.Apply(ctx, batch); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if added, err := db.Apply(ctx, batch); err != nil || added != 0 {
			b.Fatalf("Apply = %d, %v", added, err)
		}
	}
}

// BenchmarkEvidence100k builds the evidence of a database holding 100,000
// records: 90,000 LB entries (1,800 errors), 5,000 audit entries, 3,000
// events, 1,500 pod versions and 500 EndpointSlice versions.
func BenchmarkEvidence100k(b *testing.B) {
	ctx := context.Background()
	db := openTest(b, Options{})
	for i := range 9 {
		if _, err := db.Apply(ctx, lbBatch(i*10_000, 10_000)); err != nil {
			b.Fatal(err)
		}
	}
	k := Batch{Source: "kubernetes"}
	for i := range 5000 {
		a := fullAudit()
		a.InsertID = fmt.Sprint("a", i)
		k.Audit = append(k.Audit, a)
	}
	for i := range 3000 {
		e := fullEvent()
		e.Name = fmt.Sprint("e", i)
		k.Events = append(k.Events, e)
	}
	for i := range 1500 {
		p := fullPod()
		p.UID, p.ResourceVersion = fmt.Sprint("u", i/3), fmt.Sprint(i)
		k.Pods = append(k.Pods, p)
	}
	for i := range 500 {
		s := fullSlice()
		s.Name, s.ResourceVersion = fmt.Sprint("s", i/10), fmt.Sprint(i)
		k.Slices = append(k.Slices, s)
	}
	k.Services = []kube.Service{fullService()}
	k.Audit = append(k.Audit, negops.AuditEntry{})
	if _, err := db.Apply(ctx, k); err != nil {
		b.Fatal(err)
	}
	st, err := db.Stats(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if total := st.Requests + st.Audit + st.Events + st.Pods + st.Slices; total < 100_000 {
		b.Fatalf("%d records stored", total)
	}
	for b.Loop() {
		ev, err := db.Evidence(ctx, analyzer.Window{})
		if err != nil || ev.LBRequests != 90_000 || len(ev.Errors) != 1800 {
			b.Fatalf("Evidence: %v (%d entries, %d errors)", err, ev.LBRequests, len(ev.Errors))
		}
	}
}

// BenchmarkEvidence100kWindow builds the evidence of a tenth of the LB
// entries (a window) from the same 90,000.
func BenchmarkEvidence100kWindow(b *testing.B) {
	ctx := context.Background()
	db := openTest(b, Options{})
	for i := range 9 {
		if _, err := db.Apply(ctx, lbBatch(i*10_000, 10_000)); err != nil {
			b.Fatal(err)
		}
	}
	w := analyzer.Window{Start: t0.Add(40 * time.Second), End: t0.Add(49 * time.Second)}
	for b.Loop() {
		ev, err := db.Evidence(ctx, w)
		if err != nil || ev.LBRequests != 9000 {
			b.Fatalf("Evidence: %v (%d entries)", err, ev.LBRequests)
		}
	}
}

// BenchmarkApplyOnePod stores batches of one pod version with a
// checkpoint: the fixed cost of a batch (transaction, fsync).
func BenchmarkApplyOnePod(b *testing.B) {
	ctx := context.Background()
	db := openTest(b, Options{})
	p := fullPod()
	i := 0
	for b.Loop() {
		p.ResourceVersion = fmt.Sprint(i)
		if added, err := db.Apply(ctx, Batch{Source: "kubernetes", Pods: []kube.Pod{p}, Checkpoint: &p.ResourceVersion}); err != nil || added != 1 {
			b.Fatalf("Apply = %d, %v", added, err)
		}
		i++
	}
}
