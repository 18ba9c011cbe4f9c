package export

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"

	"sigs.k8s.io/yaml"
)

// readYAML reads YAML documents separated by "---" lines (as gcloud
// --format=yaml and kubectl -o yaml print them), converts each to JSON and
// hands it to the sink. Each document is held in memory whole, up to
// maxSize.
func readYAML(ctx context.Context, br *bufio.Reader, s *sink, maxSize int) error {
	lr := lineReader{br: br, maxSize: maxSize}
	var (
		doc     []byte
		start   int  // first line of the document with content; 0 = none yet
		tooBig  bool // the document went over maxSize
		pending bool // doc holds lines
	)
	flush := func() {
		switch {
		case tooBig:
			s.t.skip(start, "YAML document larger than the limit of %s", sizeString(maxSize))
		case start > 0:
			s.yamlDocument(doc, start)
		}
		doc, start, tooBig, pending = doc[:0], 0, false, false
	}
	for {
		line, size, err := lr.next()
		if err != nil {
			if pending {
				flush()
			}
			if !errors.Is(err, io.EOF) {
				s.t.problem(lr.n, "read: %v", err)
			}
			return nil
		}
		n := lr.n
		if n%linesPerCheck == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if size <= maxSize {
			if rest, ok := separator(line); ok {
				flush()
				if len(rest) == 0 {
					continue
				}
				// "--- {inline: document}": the rest of the line is content.
				line = rest
			}
		}
		pending = true
		if start == 0 && hasContent(line) {
			start = n
		}
		if tooBig {
			continue
		}
		if size > maxSize || len(doc)+len(line) > maxSize {
			tooBig, doc = true, doc[:0]
			if start == 0 {
				start = n
			}
			continue
		}
		doc = append(doc, line...)
	}
}

// separator reports whether line starts a new YAML document ("---") or ends
// one ("..."), and returns what follows the marker on the line.
func separator(line []byte) (rest []byte, ok bool) {
	for _, m := range [][]byte{[]byte("---"), []byte("...")} {
		if r, found := bytes.CutPrefix(line, m); found && (len(r) == 0 || isSpace(r[0])) {
			return trimSpace(r), true
		}
	}
	return nil, false
}

// hasContent reports whether a YAML line is more than blank or a comment.
func hasContent(line []byte) bool {
	t := trimSpace(line)
	return len(t) > 0 && t[0] != '#'
}

// yamlDocument converts one YAML document and sends it on.
func (s *sink) yamlDocument(doc []byte, line int) {
	j, err := yaml.YAMLToJSON(doc)
	if err != nil {
		s.t.skip(line, "malformed YAML: %v", err)
		return
	}
	if j = trimSpace(j); len(j) == 0 || string(j) == "null" {
		return
	}
	s.document(j, line)
}
