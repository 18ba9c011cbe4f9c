package cloudlogtest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"google.golang.org/protobuf/encoding/protojson"

	// Registers google.cloud.audit.AuditLog so that protoPayload decodes.
	_ "google.golang.org/genproto/googleapis/cloud/audit"
)

// ScenarioFiles are the Cloud Logging exports of a simulated scenario
// folder (see testdata/scenarios/README.md) that LoadScenario reads, in
// this order. Missing files are skipped.
var ScenarioFiles = []string{"lb-requests.jsonl.gz", "neg-audit.json", "events.json"}

// DecodeEntry decodes one LogEntry in its JSON form (the REST API's, which
// gcloud and log sinks write) into a loggingpb.LogEntry. Unknown fields are
// discarded.
func DecodeEntry(raw []byte) (*loggingpb.LogEntry, error) {
	e := new(loggingpb.LogEntry)
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(raw, e); err != nil {
		return nil, fmt.Errorf("decode log entry: %w", err)
	}
	return e, nil
}

// ReadEntries reads LogEntry JSON from r: a JSON array (`gcloud logging
// read --format=json`) or one object per line (a sink's NDJSON).
func ReadEntries(r io.Reader) ([]*loggingpb.LogEntry, error) {
	br := bufio.NewReader(r)
	first, err := peekNonSpace(br)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, fmt.Errorf("read entries: %w", err)
	}
	var raws []json.RawMessage
	if first == '[' {
		if err := json.NewDecoder(br).Decode(&raws); err != nil {
			return nil, fmt.Errorf("read entries: %w", err)
		}
	} else {
		dec := json.NewDecoder(br)
		for {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return nil, fmt.Errorf("read entries: %w", err)
			}
			raws = append(raws, raw)
		}
	}
	entries := make([]*loggingpb.LogEntry, 0, len(raws))
	for i, raw := range raws {
		e, err := DecodeEntry(raw)
		if err != nil {
			return nil, fmt.Errorf("read entries: entry %d: %w", i, err)
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// peekNonSpace returns the first byte of br that is not white space,
// leaving it unread.
func peekNonSpace(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		if !bytes.ContainsRune([]byte(" \t\r\n"), rune(b)) {
			return b, br.UnreadByte()
		}
	}
}

// LoadFile reads the entries of one export file (see ReadEntries); a name
// ending in .gz is decompressed first.
func LoadFile(path string) ([]*loggingpb.LogEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	entries, err := ReadEntries(r)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return entries, nil
}

// LoadScenario reads the Cloud Logging files (ScenarioFiles) of the
// simulated scenario in dir, such as testdata/scenarios/rollout-race.
func LoadScenario(dir string) ([]*loggingpb.LogEntry, error) {
	var all []*loggingpb.LogEntry
	for _, name := range ScenarioFiles {
		entries, err := LoadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		all = append(all, entries...)
	}
	return all, nil
}
