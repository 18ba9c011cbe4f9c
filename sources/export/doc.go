// Package export reads evidence that users exported to files: Cloud Logging
// entries (LB request logs, NEG attach/detach audit entries, GKE's copy of
// Kubernetes events) and Kubernetes objects as kubectl prints them, and feeds
// them to an analyzer.Collector.
//
// The kind of each file is detected from its content, never its name, and
// files are streamed: memory grows with the largest single document, not
// with the file. Gzip is detected by its magic bytes, whatever the format
// inside. The bulk of LB exports (entries with a status below 500) takes a
// fast path (lblog.Peek) that counts them without decoding them.
//
// Outside input is hostile: nothing in a file stops the run. What cannot be
// used is counted as skipped and described in the input's problems, each
// "path:line: what".
package export

// Input kinds, as reported in analyzer.Input.Kind and in the report's
// inputs[].kind.
const (
	// KindCloudLoggingJSON is `gcloud logging read --format=json`: one
	// pretty-printed JSON array of LogEntries, newest first. Pretty-printed
	// LogEntry objects one after another are read the same way.
	KindCloudLoggingJSON = "cloud-logging-json"
	// KindCloudLoggingNDJSON is a log sink's export: one LogEntry per line.
	KindCloudLoggingNDJSON = "cloud-logging-ndjson"
	// KindKubectlJSON is `kubectl get -o json`: one object or one List.
	KindKubectlJSON = "kubectl-json"
	// KindKubectlWatch is `kubectl get --watch -o json` (with or without
	// --output-watch-events): a sequence of JSON documents, with or without
	// {"type":...,"object":...} wrappers.
	KindKubectlWatch = "kubectl-watch"
	// KindYAML is YAML documents separated by "---", such as
	// `gcloud logging read --format=yaml` or `kubectl get -o yaml` prints;
	// each document is read like the JSON document it converts to.
	KindYAML = "yaml"
	// KindNegtrace is negtrace's own output (a JSON report, or a
	// simulator's ground truth: a document whose "schema" starts with
	// "negtrace."), left in an evidence folder. It is recognised and
	// ignored: not evidence, and not skipped either.
	KindNegtrace = "negtrace-output"
	// KindUnreadable is an input that could not be opened or whose content
	// is none of the above (binary data, plain text, an empty file).
	KindUnreadable = "unreadable"
)
