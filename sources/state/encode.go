package state

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/negtrace/negtrace/sources/kube"
)

// rows are the statement arguments of one batch, per table. Each row's
// first argument is the source id, filled in inside the transaction.
type rows struct {
	requests, audit, events, pods, slices, services, backends [][]any
	skipped                                                   int    // records that could not be encoded
	problem                                                   string // why the first of them could not
}

// skip counts a record that cannot be stored.
func (r *rows) skip(kind string, i int, err error) {
	if r.skipped == 0 {
		r.problem = fmt.Sprintf("%s #%d not stored: %v", kind, i, err)
	}
	r.skipped++
}

// encode turns b into table rows. Records that cannot be encoded (a time
// outside years 0-9999, a NaN) are skipped and counted rather than failing
// the batch: a source would otherwise retry the same batch for ever.
func encode(b *Batch, now time.Time) *rows {
	r := &rows{}
	for i := range b.Requests {
		q := &b.Requests[i]
		ip, _ := q.ServerIP.MarshalBinary() // never fails
		var rec []byte
		if q.IsError() {
			var err error
			if rec, err = json.Marshal(q); err != nil {
				r.skip("LB entry", i, err)
				continue
			}
		}
		r.requests = append(r.requests, []any{nil, q.InsertID, q.Time.Unix(), int64(q.Time.Nanosecond()), ip, q.Status, rec})
	}
	for i := range b.Audit {
		e := &b.Audit[i]
		rec, err := json.Marshal(e)
		if err != nil {
			r.skip("audit entry", i, err)
			continue
		}
		r.audit = append(r.audit, []any{nil, e.InsertID, e.Time.Unix(), int64(e.Time.Nanosecond()), e.OperationID, rec})
	}
	for i := range b.Events {
		e := &b.Events[i]
		rec, err := json.Marshal(e)
		if err != nil {
			r.skip("event", i, err)
			continue
		}
		r.events = append(r.events, []any{nil, e.Namespace, e.Name, e.Reason, e.Count, e.Time.Unix(), int64(e.Time.Nanosecond()), e.ObjectName, rec})
	}
	for i := range b.Pods {
		p := &b.Pods[i]
		rec, err := json.Marshal(p)
		if err != nil {
			r.skip("pod", i, err)
			continue
		}
		ended, last := podEnd(p, now)
		r.pods = append(r.pods, []any{nil, p.Key(), p.UID, p.Namespace, p.Name, p.VersionKey(), p.Deleted, ended, last.Unix(), rec})
	}
	for i := range b.Slices {
		s := &b.Slices[i]
		rec, err := json.Marshal(s)
		if err != nil {
			r.skip("EndpointSlice", i, err)
			continue
		}
		version := s.ResourceVersion
		if version == "" {
			sum := sha256.Sum256(rec)
			version = "sha256:" + hex.EncodeToString(sum[:])
		}
		r.slices = append(r.slices, []any{nil, s.Namespace, s.Name, version, now.Unix(), rec})
	}
	for i := range b.Services {
		s := &b.Services[i]
		rec, err := json.Marshal(s)
		if err != nil {
			r.skip("Service", i, err)
			continue
		}
		r.services = append(r.services, []any{nil, s.Namespace, s.Name, rec})
	}
	for i := range b.Backends {
		be := &b.Backends[i]
		rec, err := json.Marshal(be)
		if err != nil {
			r.skip("backend service", i, err)
			continue
		}
		r.backends = append(r.backends, []any{nil, be.Project, be.Region, be.Name, rec})
	}
	return r
}

// podEnd reports whether the pod version shows the pod gone or going
// (deleted, being deleted, or finished) and the latest time it carries;
// seen stands in when it carries none.
func podEnd(p *kube.Pod, seen time.Time) (ended bool, last time.Time) {
	ended = p.Deleted || !p.Deletion.IsZero() || p.Phase == "Succeeded" || p.Phase == "Failed"
	for _, t := range []time.Time{p.Created, p.Started, p.ReadyAt, p.Deletion} {
		if t.After(last) {
			last = t
		}
	}
	for i := range p.Exits {
		for _, t := range []time.Time{p.Exits[i].StartedAt, p.Exits[i].FinishedAt} {
			if t.After(last) {
				last = t
			}
		}
	}
	if last.IsZero() {
		last = seen
	}
	return ended, last
}
