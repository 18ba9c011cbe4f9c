package state

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/lblog"
)

// TestConcurrentApplyAndEvidence runs writers (two pairs, each pair
// writing the same batches) against readers. Every snapshot a reader sees
// holds whole batches, and the writers together add every entry once.
func TestConcurrentApplyAndEvidence(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	const pairs, batches, size = 2, 40, 20
	batch := func(pair, i int) Batch {
		b := Batch{Source: fmt.Sprintf("source-%d", pair), Checkpoint: ptr(fmt.Sprint(i))}
		for j := range size {
			status := 200
			if j%5 == 0 {
				status = 502
			}
			b.Requests = append(b.Requests, request(fmt.Sprintf("%d-%d-%d", pair, i, j), t0.Add(time.Duration(i*size+j)*time.Millisecond), status, "10.0.0.1"))
		}
		return b
	}
	var added atomic.Int64
	var writers, readers sync.WaitGroup
	done := make(chan struct{})
	for w := range 2 * pairs {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := range batches {
				n, err := db.Apply(ctx, batch(w/2, i))
				if err != nil {
					t.Error(err)
					return
				}
				added.Add(int64(n))
			}
		}()
	}
	var snapshots atomic.Int64
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				ev, err := db.Evidence(ctx, analyzer.Window{})
				if err != nil {
					t.Error(err)
					return
				}
				if ev.LBRequests%size != 0 || len(ev.Errors) != ev.LBRequests/5 {
					t.Errorf("snapshot with %d LB entries, %d errors: not whole batches", ev.LBRequests, len(ev.Errors))
				}
				if _, err := db.Stats(ctx); err != nil {
					t.Error(err)
				}
				if _, _, err := db.Checkpoint(ctx, "source-0"); err != nil {
					t.Error(err)
				}
				snapshots.Add(1)
			}
		}()
	}
	writers.Wait()
	close(done)
	readers.Wait()
	if want := int64(pairs * batches * size); added.Load() != want {
		t.Errorf("added = %d, want %d", added.Load(), want)
	}
	checkStats(t, db, Stats{Requests: pairs * batches * size, Errors: pairs * batches * size / 5, Checkpoints: pairs})
	t.Logf("%d snapshots read while writing", snapshots.Load())
}

// streamBatch is batch i of a source's stream for the restart test: 100
// new entries, and the last 10 of batch i-1 again, as an overlapping
// re-read gives them.
func streamBatch(i int) Batch {
	const per, overlap = 100, 10
	b := Batch{Source: "cloud-logging", Checkpoint: ptr(fmt.Sprint(i))}
	from := i*per - overlap
	if from < 0 {
		from = 0
	}
	for k := from; k < (i+1)*per; k++ {
		status := 200
		if k%7 == 0 {
			status = 503
		}
		b.Requests = append(b.Requests, lblog.Request{InsertID: fmt.Sprintf("e%05d", k), Time: t0.Add(time.Duration(k) * time.Millisecond), Status: status})
	}
	return b
}
