// Package state is negtrace's persistent state in live mode: an embedded
// SQLite database (modernc.org/sqlite, pure Go) holding the records the
// analysis needs — LB request log entries, NEG audit entries, Kubernetes
// events, pod and EndpointSlice versions, Services, backend service
// configuration — and each live source's checkpoint.
//
// Sources hand what they read to Apply as a Batch. One Batch is one
// transaction: its records and its checkpoint are stored together or not at
// all, and every record kind is deduplicated on a unique key (the same key
// analyzer.Collector uses), so a source that restarts from its checkpoint
// and reads some entries again counts none of them twice and loses none.
//
// Evidence rebuilds an analyzer.Evidence for a window from everything
// stored, through analyzer.Collector, so windowing and deduplication stay
// one implementation. Prune applies the retention setting.
//
// Storage: one table per record kind, with the key columns needed for
// deduplication, time-window queries and pruning, and the record itself as
// JSON (encoding/json of the Go record type). LB entries with a status
// below 500 count only towards traffic, so only their key and server IP are
// kept; entries with status >= 500 are kept in full. JSON strings are UTF-8:
// invalid bytes in a record's strings come back as U+FFFD (live records,
// from protobuf and Kubernetes JSON, are valid UTF-8).
package state
