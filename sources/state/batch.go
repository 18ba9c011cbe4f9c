package state

import (
	"context"

	"github.com/negtrace/negtrace/sources/computecfg"
	"github.com/negtrace/negtrace/sources/kube"
	"github.com/negtrace/negtrace/sources/lblog"
	"github.com/negtrace/negtrace/sources/negops"
)

// Batch is what a live source read since its last batch, stored by Apply
// in one transaction together with the source's new checkpoint.
type Batch struct {
	Source     string               // Required. Bounded source name: "cloud-logging", "kubernetes", "compute".
	Requests   []lblog.Request      // LB entries, deduplicated by insertId + timestamp
	Audit      []negops.AuditEntry  // deduplicated by insertId + timestamp + operation id
	Events     []kube.Event         // deduplicated as analyzer.Collector.AddEvent does
	Pods       []kube.Pod           // one observed version each; deduplicated by uid, namespace/name, resourceVersion, deleted
	Slices     []kube.EndpointSlice // deduplicated by namespace/name + resourceVersion (content when it has none)
	Services   []kube.Service       // the latest per namespace/name wins
	Backends   []computecfg.Backend // the latest per project/region/name wins
	Checkpoint *string              // if non-nil, stored as Source's checkpoint in the same transaction
}

// ApplyFunc is how live sources hand over what they read. It returns once
// the batch is durable; on error nothing of the batch was stored and the
// source should retry it (or re-read from its previous checkpoint).
// DB.ApplyFunc returns the one of a DB.
type ApplyFunc func(ctx context.Context, b Batch) error

// Len is the number of records in b, the checkpoint not included.
func (b *Batch) Len() int {
	return len(b.Requests) + len(b.Audit) + len(b.Events) + len(b.Pods) + len(b.Slices) + len(b.Services) + len(b.Backends)
}
