// Package cloudlogtest is an in-process fake of the Cloud Logging API
// (google.logging.v2.LoggingServiceV2 over gRPC on 127.0.0.1) for tests of
// live readers: the real cloud.google.com/go/logging/apiv2 client talks to
// it over a real transport. It serves ListLogEntries (filter subset, order,
// page tokens) and TailLogEntries (buffer window, suppression), records the
// requests it receives, and fails on demand. It also loads the simulator's
// Cloud Logging exports (LoadScenario).
package cloudlogtest

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	logging "cloud.google.com/go/logging/apiv2"
	"cloud.google.com/go/logging/apiv2/loggingpb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// Limits enforced as the real API does.
const (
	MaxPageSize     = 1000  // largest pageSize accepted
	DefaultPageSize = 50    // pageSize when the request leaves it 0
	MaxFilterLen    = 20000 // longest filter accepted, in bytes
	// DefaultBufferWindow is the tail buffer window when the request sets none.
	DefaultBufferWindow = 2 * time.Second
)

// ListCall is one ListLogEntries request the server received, with how it
// was answered.
type ListCall struct {
	Request *loggingpb.ListLogEntriesRequest
	Code    codes.Code // codes.OK when served
	Entries int        // entries returned
	Next    string     // next page token returned
}

// Server is a fake Cloud Logging API on a loopback port. Its methods are
// safe for concurrent use. Create it with NewServer.
type Server struct {
	loggingpb.UnimplementedLoggingServiceV2Server

	// Addr is the host:port the server listens on.
	Addr string

	mu         sync.Mutex
	entries    []*stored
	seq        int
	maxPage    int
	listFaults []*fault
	tailFaults []*fault
	calls      []ListCall
	tailReqs   []*loggingpb.TailLogEntriesRequest
	tokens     map[string]pageState
	sessions   map[*tailSession]struct{}
	changed    chan struct{} // closed and replaced at every change
}

// stored is an entry with what the server sorts and filters it by.
type stored struct {
	entry *loggingpb.LogEntry
	doc   map[string]any
	key   entryKey
}

// entryKey orders entries: timestamp, then insertId, then arrival.
type entryKey struct {
	ts  time.Time
	id  string
	seq int
}

func (a entryKey) compare(b entryKey) int {
	return cmp.Or(a.ts.Compare(b.ts), strings.Compare(a.id, b.id), cmp.Compare(a.seq, b.seq))
}

// pageState is what a page token stands for: the query it belongs to and
// the last entry already returned.
type pageState struct {
	query string // resource names, filter and order, which must not change
	after entryKey
	desc  bool
}

type fault struct {
	code  codes.Code
	times int
	match func(*loggingpb.ListLogEntriesRequest) bool
}

// NewServer starts a fake Cloud Logging server on 127.0.0.1:0 holding
// entries, and stops it when the test ends.
func NewServer(t testing.TB, entries ...*loggingpb.LogEntry) *Server {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("cloudlogtest: listen: %v", err)
	}
	s := &Server{
		Addr:     lis.Addr().String(),
		tokens:   make(map[string]pageState),
		sessions: make(map[*tailSession]struct{}),
		changed:  make(chan struct{}),
	}
	s.Add(entries...)
	gs := grpc.NewServer()
	loggingpb.RegisterLoggingServiceV2Server(gs, s)
	go gs.Serve(lis) //nolint:errcheck // Serve returns when Stop closes the listener.
	t.Cleanup(gs.Stop)
	return s
}

// ClientOptions are the options that point a real Google client at the
// server: its endpoint, no authentication, no TLS.
func (s *Server) ClientOptions() []option.ClientOption {
	return []option.ClientOption{
		option.WithEndpoint(s.Addr),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
	}
}

// Client returns a real apiv2 client connected to the server, closed when
// the test ends.
func (s *Server) Client(t testing.TB) *logging.Client {
	t.Helper()
	c, err := logging.NewClient(context.Background(), s.ClientOptions()...)
	if err != nil {
		t.Fatalf("cloudlogtest: new client: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Add stores entries, as if just ingested: later ListLogEntries calls see
// them, and open tail streams whose filter they match receive them after
// their buffer window. Entries without a timestamp are stored but match no
// timestamp bound.
func (s *Server) Add(entries ...*loggingpb.LogEntry) {
	s.add(false, entries)
}

// AddSuppressed stores entries like Add, but open tail streams whose filter
// they match are told that they were suppressed (SuppressionInfo with
// reason RATE_LIMIT and their count) instead of receiving them, as the
// real service does under its tail rate limit.
func (s *Server) AddSuppressed(entries ...*loggingpb.LogEntry) {
	s.add(true, entries)
}

func (s *Server) add(suppress bool, entries []*loggingpb.LogEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var docs []*stored
	for _, e := range entries {
		e = proto.CloneOf(e)
		doc, err := Document(e)
		if err != nil {
			doc = map[string]any{}
		}
		s.seq++
		st := &stored{entry: e, doc: doc, key: entryKey{id: e.GetInsertId(), seq: s.seq}}
		if e.GetTimestamp() != nil {
			st.key.ts = e.GetTimestamp().AsTime()
		}
		s.entries = append(s.entries, st)
		docs = append(docs, st)
	}
	for sess := range s.sessions {
		var matched []*loggingpb.LogEntry
		for _, st := range docs {
			if sess.q.MatchDocument(st.doc) {
				matched = append(matched, st.entry)
			}
		}
		if len(matched) == 0 {
			continue
		}
		if suppress {
			sess.suppressed = append(sess.suppressed, &loggingpb.TailLogEntriesResponse_SuppressionInfo{
				Reason:          loggingpb.TailLogEntriesResponse_SuppressionInfo_RATE_LIMIT,
				SuppressedCount: int32(len(matched)),
			})
		} else {
			sess.pending = append(sess.pending, matched...)
		}
		sess.wakeUp()
	}
	s.notifyLocked()
}

// Suppress tells every open tail stream that count entries were left out
// for reason (no entries are stored).
func (s *Server) Suppress(reason loggingpb.TailLogEntriesResponse_SuppressionInfo_Reason, count int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sess := range s.sessions {
		sess.suppressed = append(sess.suppressed, &loggingpb.TailLogEntriesResponse_SuppressionInfo{Reason: reason, SuppressedCount: int32(count)})
		sess.wakeUp()
	}
}

// SetMaxPageSize makes the server return at most n entries per page, with
// a next page token, whatever the request's pageSize (as the real service
// does when a search runs out of time). n <= 0 restores the default.
func (s *Server) SetMaxPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxPage = n
}

// FailList makes the next times ListLogEntries calls that match (every
// call if match is nil) fail with code. Faults queue in order.
func (s *Server) FailList(code codes.Code, times int, match func(*loggingpb.ListLogEntriesRequest) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listFaults = append(s.listFaults, &fault{code: code, times: times, match: match})
}

// FailTail makes the next times TailLogEntries streams fail with code
// right after their first request.
func (s *Server) FailTail(code codes.Code, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tailFaults = append(s.tailFaults, &fault{code: code, times: times})
}

// CloseTails ends every open tail stream with code, as a server restart
// or a network failure would.
func (s *Server) CloseTails(code codes.Code) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sess := range s.sessions {
		select {
		case sess.closed <- status.Error(code, "cloudlogtest: stream closed by the test"):
		default:
		}
	}
}

// ListCalls returns the ListLogEntries calls received so far, oldest first.
func (s *Server) ListCalls() []ListCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ListCall, len(s.calls))
	for i, c := range s.calls {
		c.Request = proto.CloneOf(c.Request)
		out[i] = c
	}
	return out
}

// TailRequests returns the first request of every TailLogEntries stream
// opened so far, oldest first.
func (s *Server) TailRequests() []*loggingpb.TailLogEntriesRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*loggingpb.TailLogEntriesRequest, len(s.tailReqs))
	for i, r := range s.tailReqs {
		out[i] = proto.CloneOf(r)
	}
	return out
}

// OpenTails is the number of tail streams open now (past their first
// request and not failed).
func (s *Server) OpenTails() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// Wait blocks until cond (called without any server lock held) returns
// true after some change on the server (an entry added, a call received, a
// stream opened or closed), or ctx is done.
func (s *Server) Wait(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cloudlogtest: wait: %w", ctx.Err())
		case <-ch:
		case <-time.After(50 * time.Millisecond): // cond may depend on more than the server
		}
	}
}

func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// takeFault returns the code of the first queued fault matching req, and
// consumes one use of it.
func takeFault(faults *[]*fault, req *loggingpb.ListLogEntriesRequest) codes.Code {
	for i, f := range *faults {
		if f.match != nil && !f.match(req) {
			continue
		}
		f.times--
		if f.times <= 0 {
			*faults = slices.Delete(*faults, i, i+1)
		}
		return f.code
	}
	return codes.OK
}

// faultError is the error the real service returns for code, more or less.
func faultError(code codes.Code) error {
	msg := "cloudlogtest: injected fault"
	switch code {
	case codes.PermissionDenied:
		msg = "Permission 'logging.logEntries.list' denied on resource (or it may not exist)."
	case codes.Unauthenticated:
		msg = "Request had invalid authentication credentials."
	case codes.ResourceExhausted:
		msg = "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute' of service 'logging.googleapis.com'."
	}
	return status.Error(code, msg)
}

// ListLogEntries serves pages of the stored entries that match the filter,
// ordered by timestamp (then insertId), with keyset page tokens. A token
// is only valid with the resource names, filter and order it was issued
// for, as with the real service.
func (s *Server) ListLogEntries(ctx context.Context, req *loggingpb.ListLogEntriesRequest) (*loggingpb.ListLogEntriesResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notifyLocked()
	call := ListCall{Request: proto.CloneOf(req)}
	resp, err := s.list(req)
	if err != nil {
		call.Code = status.Code(err)
	} else {
		call.Entries, call.Next = len(resp.Entries), resp.NextPageToken
	}
	s.calls = append(s.calls, call)
	return resp, err
}

func (s *Server) list(req *loggingpb.ListLogEntriesRequest) (*loggingpb.ListLogEntriesResponse, error) {
	if code := takeFault(&s.listFaults, req); code != codes.OK {
		return nil, faultError(code)
	}
	if len(req.GetResourceNames()) == 0 {
		return nil, status.Error(codes.InvalidArgument, "resource_names: at least one is required")
	}
	for _, rn := range req.GetResourceNames() {
		if !strings.HasPrefix(rn, "projects/") || strings.Count(rn, "/") != 1 {
			return nil, status.Errorf(codes.InvalidArgument, "resource_names: %q is not projects/PROJECT_ID", rn)
		}
	}
	if n := req.GetPageSize(); n < 0 || n > MaxPageSize {
		return nil, status.Errorf(codes.InvalidArgument, "page_size %d out of range [0, %d]", n, MaxPageSize)
	}
	if len(req.GetFilter()) > MaxFilterLen {
		return nil, status.Errorf(codes.InvalidArgument, "filter is %d characters long; the limit is %d", len(req.GetFilter()), MaxFilterLen)
	}
	var desc bool
	switch strings.Join(strings.Fields(req.GetOrderBy()), " ") {
	case "", "timestamp asc", "timestamp":
	case "timestamp desc":
		desc = true
	default:
		return nil, status.Errorf(codes.InvalidArgument, "order_by %q is not supported", req.GetOrderBy())
	}
	q, err := ParseQuery(req.GetFilter())
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	query := strings.Join(req.GetResourceNames(), ",") + "\x00" + req.GetFilter() + "\x00" + strconv.FormatBool(desc)
	var after *entryKey
	if tok := req.GetPageToken(); tok != "" {
		ps, ok := s.tokens[tok]
		if !ok {
			return nil, status.Errorf(codes.InvalidArgument, "page_token %q is not valid", tok)
		}
		if ps.query != query {
			return nil, status.Error(codes.InvalidArgument, "page_token was issued for another filter, order or resource set")
		}
		after = &ps.after
	}
	size := int(req.GetPageSize())
	if size == 0 {
		size = DefaultPageSize
	}
	if s.maxPage > 0 && size > s.maxPage {
		size = s.maxPage
	}

	sorted := slices.Clone(s.entries)
	slices.SortFunc(sorted, func(a, b *stored) int {
		if desc {
			return b.key.compare(a.key)
		}
		return a.key.compare(b.key)
	})
	resp := &loggingpb.ListLogEntriesResponse{}
	var last entryKey
	for _, st := range sorted {
		if after != nil {
			c := st.key.compare(*after)
			if (!desc && c <= 0) || (desc && c >= 0) {
				continue
			}
		}
		if !q.MatchDocument(st.doc) {
			continue
		}
		if len(resp.Entries) == size {
			tok := fmt.Sprintf("tok-%d", len(s.tokens)+1)
			s.tokens[tok] = pageState{query: query, after: last, desc: desc}
			resp.NextPageToken = tok
			break
		}
		resp.Entries = append(resp.Entries, proto.CloneOf(st.entry))
		last = st.key
	}
	return resp, nil
}

// tailSession is one open TailLogEntries stream. Its fields other than q,
// window, wake and closed are guarded by Server.mu.
type tailSession struct {
	q          *Query
	window     time.Duration
	pending    []*loggingpb.LogEntry
	suppressed []*loggingpb.TailLogEntriesResponse_SuppressionInfo
	wake       chan struct{} // capacity 1
	closed     chan error    // capacity 1
}

func (t *tailSession) wakeUp() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// TailLogEntries streams entries added (Add) after the stream's first
// request that match its filter. Entries are held for the request's buffer
// window (DefaultBufferWindow if unset), counted from the first held entry,
// then sent together in timestamp order. Suppression notices are sent at
// once. Later requests on the stream are read and ignored.
func (s *Server) TailLogEntries(stream loggingpb.LoggingServiceV2_TailLogEntriesServer) error {
	req, err := stream.Recv()
	if err != nil {
		return err
	}
	sess, err := s.openTail(req)
	if err != nil {
		return err
	}
	defer s.closeTail(sess)
	ctx := stream.Context()
	go func() { // drain further requests so that the client never blocks
		for {
			if _, err := stream.Recv(); err != nil {
				return
			}
		}
	}()
	var flush <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-sess.closed:
			return err
		case <-sess.wake:
			s.mu.Lock()
			sup := sess.suppressed
			sess.suppressed = nil
			havePending := len(sess.pending) > 0
			s.mu.Unlock()
			if len(sup) > 0 {
				if err := stream.Send(&loggingpb.TailLogEntriesResponse{SuppressionInfo: sup}); err != nil {
					return err
				}
			}
			if havePending && flush == nil {
				flush = time.After(sess.window)
			}
		case <-flush:
			flush = nil
			s.mu.Lock()
			batch := sess.pending
			sess.pending = nil
			s.mu.Unlock()
			slices.SortStableFunc(batch, func(a, b *loggingpb.LogEntry) int {
				return a.GetTimestamp().AsTime().Compare(b.GetTimestamp().AsTime())
			})
			if err := stream.Send(&loggingpb.TailLogEntriesResponse{Entries: batch}); err != nil {
				return err
			}
		}
	}
}

func (s *Server) openTail(req *loggingpb.TailLogEntriesRequest) (*tailSession, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notifyLocked()
	s.tailReqs = append(s.tailReqs, proto.CloneOf(req))
	if code := takeFault(&s.tailFaults, nil); code != codes.OK {
		return nil, faultError(code)
	}
	if len(req.GetResourceNames()) == 0 {
		return nil, status.Error(codes.InvalidArgument, "resource_names: at least one is required")
	}
	if len(req.GetFilter()) > MaxFilterLen {
		return nil, status.Errorf(codes.InvalidArgument, "filter is %d characters long; the limit is %d", len(req.GetFilter()), MaxFilterLen)
	}
	q, err := ParseQuery(req.GetFilter())
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	window := DefaultBufferWindow
	if bw := req.GetBufferWindow(); bw != nil {
		window = bw.AsDuration()
	}
	sess := &tailSession{q: q, window: window, wake: make(chan struct{}, 1), closed: make(chan error, 1)}
	s.sessions[sess] = struct{}{}
	return sess, nil
}

func (s *Server) closeTail(sess *tailSession) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, sess)
	s.notifyLocked()
}
