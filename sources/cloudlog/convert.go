package cloudlog

import (
	"errors"
	"fmt"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"google.golang.org/protobuf/encoding/protojson"

	// Registers google.cloud.audit.AuditLog so that protojson can write the
	// protoPayload of audit entries (an Any) as JSON.
	_ "google.golang.org/genproto/googleapis/cloud/audit"

	"github.com/negtrace/negtrace/sources/kube"
	"github.com/negtrace/negtrace/sources/lblog"
	"github.com/negtrace/negtrace/sources/negops"
	"github.com/negtrace/negtrace/sources/state"
)

// SourceName is the reader's name in batches, checkpoints and status.
const SourceName = "cloud-logging"

// errUnexpected is wrapped by addEntry's error for an entry that is none of
// the three kinds the filter selects.
var errUnexpected = errors.New("neither an LB request, a NEG audit entry nor a Kubernetes event")

// converted is what a response's entries gave.
type converted struct {
	batch   state.Batch
	skipped []skippedEntry
	newest  time.Time // newest entry timestamp, skipped entries included
}

// skippedEntry is an entry that could not be used, and why.
type skippedEntry struct {
	key string // insertId and timestamp
	err error
}

// convert turns entries into a batch of records. The parsing is the same
// as for exported files: each entry is written as the JSON the REST API
// and gcloud return (protojson) and read by lblog.Parse,
// negops.ParseAuditEntry or kube.EventFromLogEntry.
func convert(entries []*loggingpb.LogEntry) converted {
	c := converted{batch: state.Batch{Source: SourceName}}
	for _, e := range entries {
		if ts := e.GetTimestamp(); ts != nil && ts.IsValid() && ts.AsTime().After(c.newest) {
			c.newest = ts.AsTime().UTC()
		}
		if err := addEntry(&c.batch, e); err != nil {
			c.skipped = append(c.skipped, skippedEntry{key: entryKey(e), err: err})
		}
	}
	return c
}

// addEntry parses e and adds its record to b.
func addEntry(b *state.Batch, e *loggingpb.LogEntry) error {
	raw, err := protojson.Marshal(e)
	if err != nil {
		return fmt.Errorf("entry %q: write as JSON: %w", e.GetInsertId(), err)
	}
	switch {
	case lblog.IsLBResource(e.GetResource().GetType()):
		r, err := lblog.Parse(raw)
		if err != nil {
			return err
		}
		b.Requests = append(b.Requests, r)
	case e.GetProtoPayload() != nil:
		a, err := negops.ParseAuditEntry(raw)
		if err != nil {
			return err
		}
		b.Audit = append(b.Audit, a)
	case kube.IsEventsLog(e.GetLogName()):
		ev, err := kube.EventFromLogEntry(raw)
		if err != nil {
			return err
		}
		b.Events = append(b.Events, ev)
	default:
		return fmt.Errorf("entry %q of log %q, resource.type %q: %w", e.GetInsertId(), e.GetLogName(), e.GetResource().GetType(), errUnexpected)
	}
	return nil
}

// entryKey identifies an entry as the state database does: insertId and
// timestamp.
func entryKey(e *loggingpb.LogEntry) string {
	ts := ""
	if t := e.GetTimestamp(); t != nil {
		ts = formatCheckpoint(t.AsTime())
	}
	return e.GetInsertId() + "|" + ts
}
