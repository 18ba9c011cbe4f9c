package export

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/kube"
	"github.com/negtrace/negtrace/sources/lblog"
	"github.com/negtrace/negtrace/sources/negops"
)

// docClass is what the first usable document of an input was; it names
// the input's kind.
type docClass int

const (
	classNone docClass = iota
	classLogEntry
	classKube
	classNegtrace
)

// sink sends the documents of one input to the collector and tallies them.
type sink struct {
	c     *analyzer.Collector
	t     *tally
	class docClass // of the first usable document
	docs  int      // JSON documents seen
	watch bool     // a watch-event wrapper was seen
}

// note remembers the class of the first usable document.
func (s *sink) note(c docClass) {
	if s.class == classNone {
		s.class = c
	}
}

// document handles one JSON document (a LogEntry or a kubectl document)
// that starts at line. raw is only used during the call.
func (s *sink) document(raw []byte, line int) {
	s.docs++
	if p, ok := lblog.Peek(raw); ok && p.Status < 500 {
		s.note(classLogEntry)
		s.t.fast++
		s.lbEntry(p.InsertID, p.Time, p.ServerIP)
		return
	}
	s.classify(raw, line)
}

// lbEntry counts an LB entry that is not kept in full.
func (s *sink) lbEntry(insertID []byte, t time.Time, ip netip.Addr) {
	s.t.records++
	switch {
	case !s.c.InWindow(t):
		s.t.outside++
	case !s.c.AddLBEntry(insertID, t, ip):
		s.t.dups++
	}
}

// present records whether a JSON member is there and not null, without
// keeping its value.
type present bool

// UnmarshalJSON implements json.Unmarshaler.
func (p *present) UnmarshalJSON(b []byte) error {
	*p = string(b) != "null"
	return nil
}

// envelope is what classify reads of any document to decide what it is.
type envelope struct {
	Schema     string  `json:"schema"` // negtrace's own output
	APIVersion string  `json:"apiVersion"`
	Kind       string  `json:"kind"`
	Type       string  `json:"type"`   // watch event
	Object     present `json:"object"` // watch event
	LogName    string  `json:"logName"`
	Resource   struct {
		Type string `json:"type"`
	} `json:"resource"`
	ProtoPayload struct {
		MethodName string `json:"methodName"`
	} `json:"protoPayload"`
}

// classify decodes enough of a document to send it to the right parser.
func (s *sink) classify(raw []byte, line int) {
	if !isObject(raw) {
		s.t.skip(line, "not a JSON object: %s", excerpt(raw))
		return
	}
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			s.t.skip(line, "malformed JSON: %v", err)
			return
		}
		// A member of an unexpected type: the others are decoded; the
		// parser that gets the document reports what matters.
	}
	switch {
	case strings.HasPrefix(env.Schema, "negtrace.") && env.LogName == "" && env.Kind == "":
		s.note(classNegtrace)
	case env.APIVersion != "" && env.Kind != "", env.Kind == "List", env.Type != "" && bool(env.Object):
		s.kube(raw, line, env.Type != "" && bool(env.Object))
	case lblog.IsLBResource(env.Resource.Type):
		s.request(raw, line)
	default:
		if _, ok := negops.MethodKind(env.ProtoPayload.MethodName); ok {
			s.audit(raw, line, &env)
			return
		}
		if kube.IsEventsLog(env.LogName) {
			s.event(raw, line, &env)
			return
		}
		s.unknown(line, &env)
	}
}

// isObject reports whether raw starts (after whitespace) with '{'.
func isObject(raw []byte) bool {
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c == '{'
	}
	return false
}

// unknown skips a document no parser takes.
func (s *sink) unknown(line int, env *envelope) {
	if env.Resource.Type == "" && env.LogName == "" {
		s.t.skip(line, "unknown document: neither a Cloud Logging entry nor a Kubernetes object")
		return
	}
	what := fmt.Sprintf("resource.type=%s, logName=%s", printable(env.Resource.Type), printable(env.LogName))
	if m := env.ProtoPayload.MethodName; m != "" {
		what += ", methodName=" + printable(m)
	}
	s.t.skip(line, "unknown entry type (%s)", what)
}

// request handles an LB entry that needs full parsing.
func (s *sink) request(raw []byte, line int) {
	r, err := lblog.Parse(raw)
	if err != nil {
		s.t.skip(line, "%v", err)
		return
	}
	s.note(classLogEntry)
	s.t.records++
	switch {
	case !s.c.InWindow(r.Time):
		s.t.outside++
	case !s.c.AddRequest(r):
		s.t.dups++
	}
}

// audit handles a NEG attach/detach audit entry.
func (s *sink) audit(raw []byte, line int, env *envelope) {
	a, err := negops.ParseAuditEntry(raw)
	if errors.Is(err, negops.ErrNotNEG) {
		s.unknown(line, env)
		return
	}
	if err != nil {
		s.t.skip(line, "%v", err)
		return
	}
	s.note(classLogEntry)
	s.t.records++
	if !s.c.AddAudit(a) {
		s.t.dups++
	}
}

// event handles an entry of GKE's exported Kubernetes events.
func (s *sink) event(raw []byte, line int, env *envelope) {
	e, err := kube.EventFromLogEntry(raw)
	if errors.Is(err, kube.ErrNotEvent) {
		s.unknown(line, env)
		return
	}
	if err != nil {
		s.t.skip(line, "%v", err)
		return
	}
	s.note(classLogEntry)
	s.t.records++
	if !s.c.AddEvent(e) {
		s.t.dups++
	}
}

// kube handles a kubectl document: an object, a list or a watch event.
func (s *sink) kube(raw []byte, line int, watch bool) {
	objs, err := kube.DecodeDocument(raw)
	if err != nil {
		s.t.skip(line, "%v", err)
		return
	}
	s.note(classKube)
	if watch {
		s.watch = true
	}
	add := func(isNew bool) {
		s.t.records++
		if !isNew {
			s.t.dups++
		}
	}
	for _, p := range objs.Pods {
		add(s.c.AddPod(p))
	}
	for _, sl := range objs.Slices {
		add(s.c.AddSlice(sl))
	}
	for _, svc := range objs.Services {
		add(s.c.AddService(svc))
	}
	for _, e := range objs.Events {
		add(s.c.AddEvent(e))
	}
	for _, p := range objs.Problems {
		s.t.skip(line, "%s", printable(p))
	}
	if len(objs.Ignored) > 0 {
		s.t.skipped += len(objs.Ignored)
		s.t.problem(line, "ignored %s (kinds negtrace does not use)", countKinds(objs.Ignored))
	}
}

// countKinds summarises a list of kinds as "2 apps/v1 ReplicaSet, 1 v1 Node".
func countKinds(kinds []string) string {
	n := make(map[string]int)
	for _, k := range kinds {
		n[k]++
	}
	keys := make([]string, 0, len(n))
	for k := range n {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", n[k], printable(k))
	}
	return strings.Join(parts, ", ")
}
