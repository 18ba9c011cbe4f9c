package negops

import (
	"cmp"
	"fmt"
	"slices"
)

// opEntries holds the audit entries of one operation by role, keeping the
// earliest entry of each role when an export repeats one.
type opEntries struct {
	first, last, immediate *AuditEntry
	order                  int // index of the operation's first entry in the input, for stable output
}

// keepEarliest stores e in *slot unless *slot already holds an earlier entry.
func keepEarliest(slot **AuditEntry, e *AuditEntry) {
	if *slot == nil || e.Time.Before((*slot).Time) {
		*slot = e
	}
}

// Pair assembles operations from their audit entries, grouped by
// OperationID: the First entry gives RequestedAt, the Last entry
// CompletedAt. An entry with both flags or neither completed at once
// (RequestedAt = CompletedAt). Entries without an operation id are each an
// operation of their own. When an export repeats an entry, the earliest of
// each role is kept.
//
// Endpoints come from the first entry, else from whichever entry carries
// them. An operation is Failed when its completing entry has a non-zero
// status code, or, when no completing entry was seen, when its first entry
// has one (the request was rejected; CompletedAt is then the first entry's
// time). The result is sorted by RequestedAt (CompletedAt when only
// the completion was seen), then ID, NEG and zone.
func Pair(entries []AuditEntry) []Operation {
	groups := make(map[string]*opEntries)
	var keys []string
	var loose []*opEntries // entries without an operation id
	for i := range entries {
		e := &entries[i]
		g := groups[e.OperationID]
		if e.OperationID == "" {
			g = &opEntries{order: i}
			loose = append(loose, g)
		} else if g == nil {
			g = &opEntries{order: i}
			groups[e.OperationID] = g
			keys = append(keys, e.OperationID)
		}
		switch {
		case e.First && !e.Last:
			keepEarliest(&g.first, e)
		case e.Last && !e.First:
			keepEarliest(&g.last, e)
		default:
			keepEarliest(&g.immediate, e)
		}
	}

	type item struct {
		op    Operation
		order int
	}
	items := make([]item, 0, len(keys)+len(loose))
	for _, k := range keys {
		items = append(items, item{groups[k].operation(k), groups[k].order})
	}
	for _, g := range loose {
		items = append(items, item{g.operation(""), g.order})
	}
	slices.SortStableFunc(items, func(a, b item) int {
		if c := a.op.At().Compare(b.op.At()); c != 0 {
			return c
		}
		return cmp.Or(
			cmp.Compare(a.op.ID, b.op.ID),
			cmp.Compare(a.op.NEG, b.op.NEG),
			cmp.Compare(a.op.Zone, b.op.Zone),
			cmp.Compare(a.op.Kind, b.op.Kind),
			cmp.Compare(a.order, b.order),
		)
	})
	ops := make([]Operation, len(items))
	for i := range items {
		ops[i] = items[i].op
	}
	return ops
}

// operation builds the Operation with the given id from its entries.
func (g *opEntries) operation(id string) Operation {
	op := Operation{ID: id}
	// Identity and endpoints: the first entry wins, then the others in time order.
	var ordered []*AuditEntry
	for _, e := range []*AuditEntry{g.first, g.immediate, g.last} {
		if e != nil {
			ordered = append(ordered, e)
		}
	}
	for _, e := range ordered {
		op.Kind = cmp.Or(op.Kind, e.Kind)
		op.Project = cmp.Or(op.Project, e.Project)
		op.Zone = cmp.Or(op.Zone, e.Zone)
		op.NEG = cmp.Or(op.NEG, e.NEG)
		if len(op.Endpoints) == 0 && len(e.Endpoints) > 0 {
			op.Endpoints = slices.Clone(e.Endpoints)
		}
	}

	if g.first != nil {
		op.RequestedAt = g.first.Time
	}
	if g.last != nil {
		op.CompletedAt = g.last.Time
	}
	if g.immediate != nil {
		if op.RequestedAt.IsZero() {
			op.RequestedAt = g.immediate.Time
		}
		if op.CompletedAt.IsZero() {
			op.CompletedAt = g.immediate.Time
		}
	}

	// The completing entry decides success. Without one, a first entry
	// carrying an error means the request was rejected: nothing changed.
	decider := cmp.Or(g.last, g.immediate)
	if decider == nil && g.first != nil && g.first.StatusCode != 0 {
		decider = g.first
		op.CompletedAt = g.first.Time
	}
	if decider != nil && decider.StatusCode != 0 {
		op.Failed = true
		op.Error = statusText(decider)
	}
	return op
}

// statusText is the error text of a failed entry.
func statusText(e *AuditEntry) string {
	if e.StatusMessage != "" {
		return e.StatusMessage
	}
	return fmt.Sprintf("status code %d", e.StatusCode)
}
