// Package cloudlog is negtrace's live Cloud Logging reader. It reads, from
// one project, the three kinds of entries the analysis needs, and hands
// them to the state database (state.ApplyFunc) as batches:
//
//   - Application Load Balancer request log entries with status >= 500
//     (lblog.Request), of the NEG-backed backend services if given;
//   - the Compute Admin Activity audit entries of NEG attach/detach calls
//     (negops.AuditEntry), of the given NEGs if any;
//   - GKE's copy of the Kubernetes events the analysis uses (kube.Event):
//     Killing, FailedPreStopHook, Attach, Detach, AttachFailed,
//     DetachFailed, ScalingReplicaSet, SuccessfulRescale.
//
// The selection happens on the server, in one filter (see Filter). This
// package only fetches: each entry is written as the JSON the REST API and
// gcloud return (protojson, with the AuditLog type registered so that audit
// payloads resolve) and parsed by the same functions as exported files
// (lblog.Parse, negops.ParseAuditEntry, kube.EventFromLogEntry). Entries
// that do not parse are counted as skipped and logged at debug level.
//
// # Completeness: List passes and checkpoints
//
// ListLogEntries passes (apiv2 client, "timestamp asc", 1,000 entries a
// page) read from the checkpoint less Overlap to now. Each page is one
// batch whose Checkpoint is the newest entry timestamp read so far; the
// reader moves its checkpoint only after Apply stored the batch, in the
// same transaction as the records, so a restart resumes where the stored
// entries end. Re-reading the Overlap window picks up entries ingested up
// to Overlap late (the database drops the ones it has, on insertId and
// timestamp); entries ingested later than that are missed by the passes.
//
// # Latency: the tail stream
//
// With Options.Tail, a TailLogEntries stream (2 s buffer window) delivers
// new entries within seconds. They are applied at once without a
// checkpoint: only List passes move it, so the passes stay the guarantee
// of completeness and the tail only lowers latency. Entries the stream
// drops (a SuppressionInfo notice: rate limit or slow reader) and entries
// missed while it reconnects are read by a List pass started at once. While
// the stream is open, passes run TailPollFactor times less often.
//
// # Quota
//
// entries.list is rate-limited per project (about 60 calls a minute,
// shared by all readers). CallsPerHour is the steady-state cost: 120 calls
// an hour with the default 30 s Poll, 12 with a tail stream open. On
// ResourceExhausted a pass waits (Options.Backoff) and asks again for the
// same page token; page tokens stay valid for a day.
//
// # Faults and permissions
//
// Run never stops on errors. Failed calls are retried with backoff and the
// reader's Status turns degraded with a message saying what is wrong and how
// to fix it. Reading needs roles/logging.viewer on the project (LB request
// logs, GKE events and Admin Activity audit logs);
// roles/logging.privateLogViewer includes it.
package cloudlog
