package cloudlog

import (
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/cloudlog/cloudlogtest"
)

// TestRunScenarios reads each simulated scenario through the real client
// and the fake server, in short pages: every LB 5xx, NEG audit entry and
// event of the filter arrives, parsed as the file parsers parse the
// exported entries, with checkpoints that never go back.
func TestRunScenarios(t *testing.T) {
	for _, name := range scenarios {
		t.Run(name, func(t *testing.T) {
			ctx := testCtx(t)
			want := expected(t, rawEntries(t, scenarioDir(name)))
			entries := loadScenario(t, name)
			srv := cloudlogtest.NewServer(t, entries...)
			srv.SetMaxPageSize(13)
			s := newSink()
			r, err := New(fastOptions(t, srv, s))
			if err != nil {
				t.Fatal(err)
			}
			stop := runReader(ctx, t, r)
			waitFor(ctx, t, "every record", func() bool { got, _ := s.snapshot(); return got.len() >= want.len() })
			// Let a few more passes re-read the overlap window.
			calls := len(srv.ListCalls())
			waitFor(ctx, t, "more passes", func() bool { return len(srv.ListCalls()) > calls+3 })
			stop()

			got, batches := s.snapshot()
			if diff := cmp.Diff(want, got, cmpRecords); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			var last string
			newest := time.Time{}
			for _, b := range batches {
				if b.Source != SourceName {
					t.Errorf("batch source %q", b.Source)
				}
				if b.Checkpoint == nil {
					t.Fatalf("List batch without checkpoint")
				}
				if *b.Checkpoint < last {
					t.Errorf("checkpoint went back from %s to %s", last, *b.Checkpoint)
				}
				last = *b.Checkpoint
			}
			q, err := cloudlogtest.ParseQuery(Filter(Options{}, time.Time{}, time.Time{}))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if q.Match(e) && e.GetTimestamp().AsTime().After(newest) {
					newest = e.GetTimestamp().AsTime()
				}
			}
			if len(batches) > 0 && last != formatCheckpoint(newest) {
				t.Errorf("last checkpoint %s, want the newest entry %s", last, formatCheckpoint(newest))
			}

			for _, c := range srv.ListCalls() {
				req := c.Request
				if req.GetPageSize() != 1000 || req.GetOrderBy() != "timestamp asc" || !cmp.Equal(req.GetResourceNames(), []string{"projects/shop-prod"}) {
					t.Fatalf("request %v", req)
				}
			}
			st := r.Status()
			if st.State != analyzer.SourceDown || st.Records < want.len() || st.Errors != 0 || st.Skipped != 0 || !st.LastSuccess.Equal(testNow) {
				t.Errorf("status after Run = %+v", st)
			}
		})
	}
}

// TestPassWindow checks the bounds of the passes: the first from
// Now-Backfill, the next ones from the checkpoint less Overlap, all up to
// Now; a restart resumes at its checkpoint less Overlap.
func TestPassWindow(t *testing.T) {
	ctx := testCtx(t)
	first := testNow.Add(-30 * time.Minute)
	srv := cloudlogtest.NewServer(t, lbEntry(t, "a", first, 502))
	s := newSink()
	opts := fastOptions(t, srv, s)
	opts.Backfill = time.Hour
	r, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	stop := runReader(ctx, t, r)
	waitFor(ctx, t, "two passes", func() bool { return len(srv.ListCalls()) >= 2 })
	stop()
	calls := srv.ListCalls()
	if want := Filter(opts, testNow.Add(-time.Hour), testNow); calls[0].Request.GetFilter() != want {
		t.Errorf("first filter:\n%s\nwant\n%s", calls[0].Request.GetFilter(), want)
	}
	if want := Filter(opts, first.Add(-DefaultOverlap), testNow); calls[1].Request.GetFilter() != want {
		t.Errorf("second filter:\n%s\nwant\n%s", calls[1].Request.GetFilter(), want)
	}

	// A restart from a stored checkpoint.
	srv2 := cloudlogtest.NewServer(t)
	opts2 := fastOptions(t, srv2, newSink())
	opts2.Checkpoint = "2025-03-04T18:40:00.5+01:00"
	opts2.Overlap = time.Minute
	r2, err := New(opts2)
	if err != nil {
		t.Fatal(err)
	}
	stop2 := runReader(ctx, t, r2)
	waitFor(ctx, t, "a pass", func() bool { return len(srv2.ListCalls()) >= 1 })
	stop2()
	if got := srv2.ListCalls()[0].Request.GetFilter(); !strings.HasPrefix(got, `timestamp>="2025-03-04T17:39:00.5Z"`+"\n"+`timestamp<"2025-03-04T19:00:00Z"`) {
		t.Errorf("filter after restart:\n%s", got)
	}
}

// TestQuotaRetriesSamePage makes the second page's call fail with
// ResourceExhausted: the reader waits and asks for the same page again,
// with the same filter, and loses nothing.
func TestQuotaRetriesSamePage(t *testing.T) {
	ctx := testCtx(t)
	entries := loadScenario(t, "rollout-race")
	want := expected(t, rawEntries(t, scenarioDir("rollout-race")))
	srv := cloudlogtest.NewServer(t, entries...)
	srv.SetMaxPageSize(10)
	srv.FailList(codes.ResourceExhausted, 1, func(r *loggingpb.ListLogEntriesRequest) bool { return r.GetPageToken() != "" })
	s := newSink()
	opts := fastOptions(t, srv, s)
	opts.Poll = time.Hour // one pass
	var mu sync.Mutex
	var waits []int
	var statuses []analyzer.SourceStatus
	var r *Reader
	opts.Backoff = func(attempt int) time.Duration {
		mu.Lock()
		defer mu.Unlock()
		waits = append(waits, attempt)
		statuses = append(statuses, r.Status())
		return 10 * time.Millisecond
	}
	r, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	runReader(ctx, t, r)
	waitFor(ctx, t, "every record", func() bool { got, _ := s.snapshot(); return got.len() >= want.len() })

	calls := srv.ListCalls()
	var failed int
	for i, c := range calls {
		if c.Code == codes.ResourceExhausted {
			failed = i
		}
	}
	if failed == 0 || failed+1 >= len(calls) {
		t.Fatalf("no quota failure followed by a retry in %d calls", len(calls))
	}
	retry, bad := calls[failed+1].Request, calls[failed].Request
	if retry.GetPageToken() == "" || retry.GetPageToken() != bad.GetPageToken() || retry.GetFilter() != bad.GetFilter() {
		t.Errorf("retry asked for token %q (filter same: %v), want %q", retry.GetPageToken(), retry.GetFilter() == bad.GetFilter(), bad.GetPageToken())
	}
	if calls[failed+1].Code != codes.OK {
		t.Errorf("retry failed: %v", calls[failed+1].Code)
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff([]int{1}, waits); diff != "" {
		t.Errorf("backoff attempts (-want +got):\n%s", diff)
	}
	if st := statuses[0]; st.State != analyzer.SourceDegraded || !strings.Contains(st.Message, "quota") || st.Errors != 1 {
		t.Errorf("status during the quota backoff = %+v", st)
	}
	got, _ := s.snapshot()
	if diff := cmp.Diff(want, got, cmpRecords); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if st := r.Status(); st.State != analyzer.SourceOK || st.Message != "" {
		t.Errorf("status after the retry = %+v", st)
	}
}

// TestPermissionDenied: while Cloud Logging denies access the reader is
// degraded and says which role to grant and how; once access is granted
// it recovers and reads everything.
func TestPermissionDenied(t *testing.T) {
	for _, code := range []codes.Code{codes.PermissionDenied, codes.Unauthenticated} {
		t.Run(code.String(), func(t *testing.T) {
			ctx := testCtx(t)
			want := expected(t, rawEntries(t, scenarioDir("scale-down-drain")))
			srv := cloudlogtest.NewServer(t, loadScenario(t, "scale-down-drain")...)
			srv.FailList(code, 3, nil)
			s := newSink()
			opts := fastOptions(t, srv, s)
			var mu sync.Mutex
			var statuses []analyzer.SourceStatus
			var attempts []int
			var r *Reader
			opts.Backoff = func(attempt int) time.Duration {
				mu.Lock()
				defer mu.Unlock()
				attempts = append(attempts, attempt)
				statuses = append(statuses, r.Status())
				return 5 * time.Millisecond
			}
			r, err := New(opts)
			if err != nil {
				t.Fatal(err)
			}
			runReader(ctx, t, r)
			waitFor(ctx, t, "every record", func() bool { got, _ := s.snapshot(); return got.len() >= want.len() })

			mu.Lock()
			defer mu.Unlock()
			if diff := cmp.Diff([]int{1, 2, 3}, attempts); diff != "" {
				t.Errorf("backoff attempts (-want +got):\n%s", diff)
			}
			for i, st := range statuses {
				if st.State != analyzer.SourceDegraded || st.Errors != i+1 || st.Records != 0 {
					t.Errorf("status %d = %+v", i, st)
				}
				for _, w := range []string{code.String(), "roles/logging.viewer", "roles/logging.privateLogViewer",
					"gcloud projects add-iam-policy-binding shop-prod", "--role=roles/logging.viewer"} {
					if !strings.Contains(st.Message, w) {
						t.Errorf("status %d message lacks %q: %s", i, w, st.Message)
					}
				}
			}
			got, _ := s.snapshot()
			if diff := cmp.Diff(want, got, cmpRecords); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			st := r.Status()
			if st.State != analyzer.SourceOK || st.Message != "" || st.Errors != 3 || !st.LastSuccess.Equal(testNow) {
				t.Errorf("status after recovery = %+v", st)
			}
		})
	}
}

// TestTransientErrors: Unavailable is retried by the client itself; a
// failing Apply leaves the checkpoint where it was, and the entries are
// read again.
func TestTransientErrors(t *testing.T) {
	ctx := testCtx(t)
	want := expected(t, rawEntries(t, scenarioDir("rollout-race")))
	srv := cloudlogtest.NewServer(t, loadScenario(t, "rollout-race")...)
	srv.SetMaxPageSize(20)
	srv.FailList(codes.Unavailable, 2, nil)
	s := newSink()
	s.failures = 2
	opts := fastOptions(t, srv, s)
	var mu sync.Mutex
	var statuses []analyzer.SourceStatus
	var r *Reader
	opts.Backoff = func(attempt int) time.Duration {
		mu.Lock()
		defer mu.Unlock()
		statuses = append(statuses, r.Status())
		return 5 * time.Millisecond
	}
	r, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	runReader(ctx, t, r)
	waitFor(ctx, t, "every record", func() bool { got, _ := s.snapshot(); return got.len() >= want.len() })
	got, batches := s.snapshot()
	if diff := cmp.Diff(want, got, cmpRecords); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	// Unavailable twice (retried inside the client), then the first page
	// three times with the same filter: the checkpoint did not move while
	// Apply failed.
	calls := srv.ListCalls()
	if len(calls) < 5 {
		t.Fatalf("%d calls", len(calls))
	}
	for i, c := range calls[:5] {
		wantCode := codes.OK
		if i < 2 {
			wantCode = codes.Unavailable
		}
		if c.Code != wantCode || c.Request.GetPageToken() != "" || c.Request.GetFilter() != calls[0].Request.GetFilter() {
			t.Errorf("call %d: code %v, token %q, same filter %v; want %v, the first page, the same filter",
				i, c.Code, c.Request.GetPageToken(), c.Request.GetFilter() == calls[0].Request.GetFilter(), wantCode)
		}
	}
	if len(batches) == 0 || batches[0].Checkpoint == nil {
		t.Fatal("no first batch with a checkpoint")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(statuses) != 2 {
		t.Fatalf("%d backoffs, want 2 (Apply failures)", len(statuses))
	}
	for _, st := range statuses {
		if st.State != analyzer.SourceDegraded || !strings.Contains(st.Message, "disk full") {
			t.Errorf("status after an Apply failure = %+v", st)
		}
	}
}

// TestLateEntry adds entries behind the checkpoint: one within Overlap is
// read by the next pass, one further back is not.
func TestLateEntry(t *testing.T) {
	ctx := testCtx(t)
	want := expected(t, rawEntries(t, scenarioDir("rollout-race")))
	srv := cloudlogtest.NewServer(t, loadScenario(t, "rollout-race")...)
	s := newSink()
	r, err := New(fastOptions(t, srv, s))
	if err != nil {
		t.Fatal(err)
	}
	runReader(ctx, t, r)
	waitFor(ctx, t, "every record", func() bool { got, _ := s.snapshot(); return got.len() >= want.len() })
	_, batches := s.snapshot()
	cp, err := parseCheckpoint(*batches[len(batches)-1].Checkpoint)
	if err != nil {
		t.Fatal(err)
	}

	srv.Add(lbEntry(t, "too-late", cp.Add(-DefaultOverlap-time.Second), 502), lbEntry(t, "late", cp.Add(-time.Minute), 503))
	waitFor(ctx, t, "the late entry", func() bool { return s.has("late") })
	calls := len(srv.ListCalls())
	waitFor(ctx, t, "more passes", func() bool { return len(srv.ListCalls()) > calls+3 })
	if s.has("too-late") {
		t.Error("an entry older than checkpoint-Overlap was read")
	}
	b, _ := s.batchOf("late")
	if b.Checkpoint == nil || *b.Checkpoint != formatCheckpoint(cp) {
		t.Errorf("batch of the late entry has checkpoint %v, want %s (unchanged)", b.Checkpoint, cp)
	}
}

// TestSkipped: an entry the parsers cannot use is counted once, however
// often the overlap re-reads it, and the reader goes on.
func TestSkipped(t *testing.T) {
	ctx := testCtx(t)
	bad, err := cloudlogtest.DecodeEntry([]byte(`{"insertId":"weird","logName":"projects/shop-prod/logs/events",
		"timestamp":"2025-03-04T18:50:00Z","resource":{"type":"k8s_cluster","labels":{"cluster_name":"prod"}},
		"jsonPayload":{"kind":"Event","apiVersion":"example.com/v9","reason":"Killing"}}`))
	if err != nil {
		t.Fatal(err)
	}
	srv := cloudlogtest.NewServer(t, bad, lbEntry(t, "good", testNow.Add(-time.Minute), 502))
	s := newSink()
	r, err := New(fastOptions(t, srv, s))
	if err != nil {
		t.Fatal(err)
	}
	runReader(ctx, t, r)
	waitFor(ctx, t, "the good entry", func() bool { return s.has("good") })
	calls := len(srv.ListCalls())
	waitFor(ctx, t, "more passes", func() bool { return len(srv.ListCalls()) > calls+3 })
	if st := r.Status(); st.Skipped != 1 || st.State != analyzer.SourceOK {
		t.Errorf("status = %+v, want 1 skipped and ok", st)
	}
}

func TestStatusLifecycle(t *testing.T) {
	srv := cloudlogtest.NewServer(t)
	r, err := New(fastOptions(t, srv, newSink()))
	if err != nil {
		t.Fatal(err)
	}
	if st := r.Status(); st.Name != "cloud-logging" || st.State != analyzer.SourceDown || st.Message != "not started" {
		t.Errorf("before Run: %+v", st)
	}
	ctx := testCtx(t)
	stop := runReader(ctx, t, r)
	waitFor(ctx, t, "a pass", func() bool { return len(srv.ListCalls()) > 0 && r.Status().State == analyzer.SourceOK })
	stop()
	if st := r.Status(); st.State != analyzer.SourceDown || st.Message != "stopped" {
		t.Errorf("after Run: %+v", st)
	}
}

func TestNewValidates(t *testing.T) {
	srv := cloudlogtest.NewServer(t)
	good := fastOptions(t, srv, newSink())
	tests := map[string]func(*Options){
		"no client":      func(o *Options) { o.Client = nil },
		"no project":     func(o *Options) { o.Project = "" },
		"bad project":    func(o *Options) { o.Project = "projects/a/b" },
		"no apply":       func(o *Options) { o.Apply = nil },
		"bad checkpoint": func(o *Options) { o.Checkpoint = "yesterday" },
		"negative poll":  func(o *Options) { o.Poll = -time.Second },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			o := good
			mutate(&o)
			if _, err := New(o); err == nil {
				t.Error("New succeeded")
			}
		})
	}
	o := good
	o.Project = "shop-prod"
	r, err := New(o)
	if err != nil || r.opts.Project != "projects/shop-prod" {
		t.Errorf("bare project ID: %v, %q", err, r.opts.Project)
	}
}
