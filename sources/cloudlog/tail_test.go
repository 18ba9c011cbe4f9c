package cloudlog

import (
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/cloudlog/cloudlogtest"
)

// tailOptions are fastOptions with a tail stream and List passes only when
// asked for (Poll of an hour).
func tailOptions(t *testing.T, srv *cloudlogtest.Server, s *sink) Options {
	opts := fastOptions(t, srv, s)
	opts.Tail = true
	opts.Poll = time.Hour
	return opts
}

// newTail returns a reader of opts.
func newTail(t *testing.T, opts Options) *Reader {
	t.Helper()
	r, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// startTail runs a tailing reader and waits for its first pass and its
// stream.
func startTail(t *testing.T, srv *cloudlogtest.Server, r *Reader) *Reader {
	t.Helper()
	ctx := testCtx(t)
	runReader(ctx, t, r)
	waitFor(ctx, t, "the first pass and the tail stream", func() bool {
		calls := srv.ListCalls()
		return len(calls) > 0 && calls[len(calls)-1].Next == "" && srv.OpenTails() == 1
	})
	return r
}

// TestTailDelivers: a new entry reaches Apply through the stream within
// its 2 s buffer window (plus slack), without a List call and without
// moving the checkpoint.
func TestTailDelivers(t *testing.T) {
	ctx := testCtx(t)
	srv := cloudlogtest.NewServer(t, lbEntry(t, "old", testNow.Add(-10*time.Minute), 502))
	s := newSink()
	startTail(t, srv, newTail(t, tailOptions(t, srv, s)))
	calls := len(srv.ListCalls())

	start := time.Now()
	srv.Add(lbEntry(t, "new", testNow.Add(-time.Second), 503))
	waitFor(ctx, t, "the tailed entry", func() bool { return s.has("new") })
	if d := time.Since(start); d > tailBufferWindow+1500*time.Millisecond {
		t.Errorf("tailed entry took %v, want about the %v buffer window", d, tailBufferWindow)
	}
	if n := len(srv.ListCalls()); n != calls {
		t.Errorf("%d List calls while tailing, want none", n-calls)
	}
	if b, _ := s.batchOf("new"); b.Checkpoint != nil || b.Source != SourceName {
		t.Errorf("tail batch: source %q, checkpoint %v; want no checkpoint", b.Source, b.Checkpoint)
	}
	req := srv.TailRequests()[0]
	if strings.Contains(req.GetFilter(), "timestamp") || req.GetFilter() != Filter(Options{}, time.Time{}, time.Time{}) ||
		req.GetBufferWindow().AsDuration() != tailBufferWindow || req.GetResourceNames()[0] != "projects/shop-prod" {
		t.Errorf("tail request = %v", req)
	}
}

// TestTailSuppressionBackfills: entries the stream drops are read at once
// by a List pass.
func TestTailSuppressionBackfills(t *testing.T) {
	ctx := testCtx(t)
	srv := cloudlogtest.NewServer(t, lbEntry(t, "old", testNow.Add(-10*time.Minute), 502))
	s := newSink()
	startTail(t, srv, newTail(t, tailOptions(t, srv, s)))
	calls := len(srv.ListCalls())

	srv.AddSuppressed(lbEntry(t, "dropped", testNow.Add(-time.Second), 502))
	waitFor(ctx, t, "the suppressed entry", func() bool { return s.has("dropped") })
	if len(srv.ListCalls()) == calls {
		t.Error("no List call after the suppression notice")
	}
	if b, _ := s.batchOf("dropped"); b.Checkpoint == nil {
		t.Error("the suppressed entry came without checkpoint: not from a List pass")
	}
}

// TestTailReconnects: a stream that fails shows as degraded, starts a List
// pass, and is opened again; then it delivers and the reader is ok.
func TestTailReconnects(t *testing.T) {
	ctx := testCtx(t)
	srv := cloudlogtest.NewServer(t)
	s := newSink()
	opts := tailOptions(t, srv, s)
	var mu sync.Mutex
	var statuses []analyzer.SourceStatus
	var r *Reader
	opts.Backoff = func(int) time.Duration {
		mu.Lock()
		defer mu.Unlock()
		statuses = append(statuses, r.Status())
		return 5 * time.Millisecond
	}
	srv.FailTail(codes.PermissionDenied, 2)
	r = newTail(t, opts)
	startTail(t, srv, r)
	calls := len(srv.ListCalls())

	srv.CloseTails(codes.Unavailable)
	waitFor(ctx, t, "a new stream", func() bool { return len(srv.TailRequests()) == 4 && srv.OpenTails() == 1 })
	waitFor(ctx, t, "a List pass", func() bool { return len(srv.ListCalls()) > calls })
	srv.Add(lbEntry(t, "after", testNow.Add(-time.Second), 502))
	waitFor(ctx, t, "the tailed entry", func() bool { return s.has("after") })
	if b, _ := s.batchOf("after"); b.Checkpoint != nil {
		t.Error("entry after reconnecting came from a List pass, not the stream")
	}
	if st := r.Status(); st.State != analyzer.SourceOK || st.Errors != 3 {
		t.Errorf("status after reconnecting = %+v", st)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(statuses) != 3 {
		t.Fatalf("%d backoffs, want 3", len(statuses))
	}
	for i, st := range statuses {
		want := "roles/logging.viewer"
		if i == 2 {
			want = "Unavailable"
		}
		if st.State != analyzer.SourceDegraded || !strings.HasPrefix(st.Message, "Tail stream: ") || !strings.Contains(st.Message, want) ||
			!strings.Contains(st.Message, "every 1h0m0s") {
			t.Errorf("status %d = %+v", i, st)
		}
	}
}

// TestTailPollCadence: passes run every Poll while the stream is down and
// TailPollFactor times less often once it is open.
func TestTailPollCadence(t *testing.T) {
	ctx := testCtx(t)
	srv := cloudlogtest.NewServer(t)
	srv.FailTail(codes.Unavailable, 1000)
	opts := tailOptions(t, srv, newSink())
	opts.Poll = 10 * time.Millisecond
	opts.Backoff = func(int) time.Duration { return time.Hour } // the stream stays down
	r, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	runReader(ctx, t, r)
	waitFor(ctx, t, "passes every Poll while the stream is down", func() bool { return len(srv.ListCalls()) >= 5 })

	srv2 := cloudlogtest.NewServer(t)
	opts2 := tailOptions(t, srv2, newSink())
	opts2.Poll = 10 * time.Millisecond
	r2, err := New(opts2)
	if err != nil {
		t.Fatal(err)
	}
	runReader(ctx, t, r2)
	// Settled once it has stayed open tailSettle; then passes every 100 ms.
	waitFor(ctx, t, "the stream to settle", func() bool { return r2.health.tailOpen() })
	before := len(srv2.ListCalls())
	time.Sleep(500 * time.Millisecond)
	if n := len(srv2.ListCalls()) - before; n > 7 {
		t.Errorf("%d passes in 500ms with the stream open, want about 5", n)
	}
}
