package cloudlogtest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/api/monitoredres"
	ltype "google.golang.org/genproto/googleapis/logging/type"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

var t0 = time.Date(2025, 3, 4, 18, 0, 0, 0, time.UTC)

// lbEntry is an LB entry with the given id, time offset from t0 and status.
func lbEntry(id string, at time.Duration, status int32) *loggingpb.LogEntry {
	return &loggingpb.LogEntry{
		InsertId:    id,
		LogName:     "projects/p/logs/requests",
		Timestamp:   timestamppb.New(t0.Add(at)),
		Resource:    &monitoredres.MonitoredResource{Type: "http_load_balancer"},
		HttpRequest: &ltype.HttpRequest{Status: status},
	}
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// listAll lists every page with the real client, one call per page.
func listAll(ctx context.Context, t *testing.T, s *Server, req *loggingpb.ListLogEntriesRequest) (ids []string, tokens []string, err error) {
	c := s.Client(t)
	tok := ""
	for {
		it := c.ListLogEntries(ctx, req)
		entries, next, err := it.InternalFetch(int(req.GetPageSize()), tok)
		if err != nil {
			return ids, tokens, err
		}
		for _, e := range entries {
			ids = append(ids, e.GetInsertId())
		}
		if next == "" {
			return ids, tokens, nil
		}
		tokens = append(tokens, next)
		tok = next
	}
}

func TestListPagesFilterAndOrder(t *testing.T) {
	ctx := testCtx(t)
	s := NewServer(t,
		lbEntry("c", 3*time.Second, 502),
		lbEntry("a", 1*time.Second, 503),
		lbEntry("ok", 2*time.Second, 200),
		lbEntry("b", 1*time.Second, 500), // same time as "a": insertId breaks the tie
		lbEntry("late", time.Hour, 502),
	)
	s.SetMaxPageSize(2)
	req := &loggingpb.ListLogEntriesRequest{
		ResourceNames: []string{"projects/p"},
		Filter:        `httpRequest.status>=500 timestamp<"2025-03-04T18:30:00Z"`,
		OrderBy:       "timestamp asc",
		PageSize:      1000,
	}
	ids, tokens, err := listAll(ctx, t, s, req)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "b", "c"}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	if len(tokens) != 1 {
		t.Errorf("tokens = %q, want one", tokens)
	}

	req.OrderBy = "timestamp desc"
	ids, _, err = listAll(ctx, t, s, req)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"c", "b", "a"}, ids); diff != "" {
		t.Errorf("desc ids (-want +got):\n%s", diff)
	}

	calls := s.ListCalls()
	if len(calls) != 4 || calls[1].Request.GetPageToken() != tokens[0] || calls[0].Entries != 2 || calls[1].Next != "" {
		t.Errorf("calls = %+v", calls)
	}
}

func TestListRejects(t *testing.T) {
	ctx := testCtx(t)
	s := NewServer(t, lbEntry("a", 0, 502), lbEntry("b", time.Second, 502))
	s.SetMaxPageSize(1)
	c := s.Client(t)
	good := &loggingpb.ListLogEntriesRequest{ResourceNames: []string{"projects/p"}, PageSize: 10}
	_, tok, err := c.ListLogEntries(ctx, good).InternalFetch(10, "")
	if err != nil || tok == "" {
		t.Fatalf("first page: token %q, err %v", tok, err)
	}
	long := make([]byte, MaxFilterLen+1)
	for i := range long {
		long[i] = ' '
	}
	tests := map[string]*loggingpb.ListLogEntriesRequest{
		"no resource":   {PageSize: 10},
		"bad resource":  {ResourceNames: []string{"p"}, PageSize: 10},
		"page size":     {ResourceNames: []string{"projects/p"}, PageSize: 1001},
		"filter syntax": {ResourceNames: []string{"projects/p"}, Filter: `a=`},
		"filter length": {ResourceNames: []string{"projects/p"}, Filter: string(long)},
		"order":         {ResourceNames: []string{"projects/p"}, OrderBy: "insertId"},
		"unknown token": {ResourceNames: []string{"projects/p"}, PageToken: "nope"},
		"token, other filter": {ResourceNames: []string{"projects/p"}, PageSize: 10, Filter: `httpRequest.status>=500`,
			PageToken: tok},
	}
	for name, req := range tests {
		t.Run(name, func(t *testing.T) {
			_, _, err := c.ListLogEntries(ctx, req).InternalFetch(int(req.GetPageSize()), req.GetPageToken())
			if status.Code(err) != codes.InvalidArgument {
				t.Errorf("err = %v, want InvalidArgument", err)
			}
		})
	}
	// The token stays valid with its own request.
	entries, _, err := c.ListLogEntries(ctx, good).InternalFetch(10, tok)
	if err != nil || len(entries) != 1 || entries[0].GetInsertId() != "b" {
		t.Errorf("second page = %v, %v; want entry b", entries, err)
	}
}

func TestListFaults(t *testing.T) {
	ctx := testCtx(t)
	s := NewServer(t, lbEntry("a", 0, 502), lbEntry("b", time.Second, 502))
	s.SetMaxPageSize(1)
	s.FailList(codes.ResourceExhausted, 1, func(r *loggingpb.ListLogEntriesRequest) bool { return r.GetPageToken() != "" })
	s.FailList(codes.PermissionDenied, 2, nil)
	c := s.Client(t)
	req := &loggingpb.ListLogEntriesRequest{ResourceNames: []string{"projects/p"}, PageSize: 10}
	var got []codes.Code
	tok := ""
	for range 6 {
		_, next, err := c.ListLogEntries(ctx, req).InternalFetch(10, tok)
		got = append(got, status.Code(err))
		if err == nil {
			tok = next
		}
	}
	// The token fault waits for a request with a token; the others come first.
	want := []codes.Code{codes.PermissionDenied, codes.PermissionDenied, codes.OK, codes.ResourceExhausted, codes.OK, codes.OK}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("codes (-want +got):\n%s", diff)
	}
	calls := s.ListCalls()
	if calls[3].Request.GetPageToken() != calls[4].Request.GetPageToken() || calls[3].Code != codes.ResourceExhausted {
		t.Errorf("calls 3 and 4 = %+v, %+v; want the same token, the first failed", calls[3], calls[4])
	}
}

func TestTail(t *testing.T) {
	ctx := testCtx(t)
	s := NewServer(t, lbEntry("old", 0, 502))
	c := s.Client(t)
	stream, err := c.TailLogEntries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = stream.Send(&loggingpb.TailLogEntriesRequest{
		ResourceNames: []string{"projects/p"},
		Filter:        "httpRequest.status>=500",
		BufferWindow:  durationpb.New(100 * time.Millisecond),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(ctx, func() bool { return s.OpenTails() == 1 }); err != nil {
		t.Fatal(err)
	}
	s.Add(lbEntry("ok", 2*time.Second, 200), lbEntry("new2", 2*time.Second, 503), lbEntry("new1", time.Second, 502))
	resp, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range resp.GetEntries() {
		ids = append(ids, e.GetInsertId())
	}
	if diff := cmp.Diff([]string{"new1", "new2"}, ids); diff != "" {
		t.Errorf("tailed (-want +got):\n%s", diff)
	}

	s.AddSuppressed(lbEntry("dropped", 3*time.Second, 502))
	resp, err = stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	sup := resp.GetSuppressionInfo()
	if len(sup) != 1 || sup[0].GetSuppressedCount() != 1 || sup[0].GetReason() != loggingpb.TailLogEntriesResponse_SuppressionInfo_RATE_LIMIT || len(resp.GetEntries()) != 0 {
		t.Errorf("response after AddSuppressed = %v", resp)
	}

	s.CloseTails(codes.Unavailable)
	if _, err := stream.Recv(); status.Code(err) != codes.Unavailable {
		t.Errorf("Recv after CloseTails: %v, want Unavailable", err)
	}
	if got := s.TailRequests(); len(got) != 1 || got[0].GetFilter() != "httpRequest.status>=500" {
		t.Errorf("TailRequests = %v", got)
	}
}

func TestTailFault(t *testing.T) {
	ctx := testCtx(t)
	s := NewServer(t)
	s.FailTail(codes.PermissionDenied, 1)
	c := s.Client(t)
	for i, want := range []codes.Code{codes.PermissionDenied, codes.InvalidArgument} {
		stream, err := c.TailLogEntries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The second stream has no resource names.
		req := &loggingpb.TailLogEntriesRequest{ResourceNames: []string{"projects/p"}}
		if i == 1 {
			req.ResourceNames = nil
		}
		if err := stream.Send(req); err != nil {
			t.Fatal(err)
		}
		if _, err := stream.Recv(); status.Code(err) != want {
			t.Errorf("stream %d: %v, want %v", i, err, want)
		}
	}
}

func TestLoadScenario(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "testdata", "scenarios", "rollout-race")
	entries, err := LoadScenario(dir)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, e := range entries {
		switch {
		case e.GetHttpRequest() != nil:
			count["lb"]++
		case e.GetProtoPayload() != nil:
			count["audit"]++
		case e.GetJsonPayload() != nil:
			count["events"]++
		}
		if e.GetTimestamp() == nil || e.GetInsertId() == "" {
			t.Fatalf("entry without timestamp or insertId: %v", e)
		}
	}
	for _, k := range []string{"lb", "audit", "events"} {
		if count[k] == 0 {
			t.Errorf("no %s entries loaded: %v", k, count)
		}
	}
	if count["lb"]+count["audit"]+count["events"] != len(entries) {
		t.Errorf("entries of unknown kind: %v of %d", count, len(entries))
	}
	if _, err := LoadFile(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("LoadFile of a missing file succeeded")
	}
	if _, err := ReadEntries(strings.NewReader(`[{"timestamp": 5}]`)); err == nil {
		t.Error("ReadEntries of a bad entry succeeded")
	}
	got, err := ReadEntries(strings.NewReader("{\"insertId\":\"a\"}\n{\"insertId\":\"b\"}\n"))
	if err != nil || len(got) != 2 {
		t.Errorf("ReadEntries(NDJSON) = %v, %v", got, err)
	}
}
