package export

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// layout is how the documents of an input are laid out.
type layout int

const (
	layoutNone   layout = iota // not a supported format
	layoutNDJSON               // one JSON document per line
	layoutJSON                 // pretty-printed JSON documents, or an array of them
	layoutYAML                 // YAML documents separated by "---"
)

// detectSize is how much of an input detect looks at.
const detectSize = 64 << 10

// utf8BOM is the byte order mark some editors put first.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// gzipMagic starts every gzip stream.
var gzipMagic = []byte{0x1f, 0x8b}

// isGzip reports whether br starts with the gzip magic bytes.
func isGzip(br *bufio.Reader) bool {
	b, _ := br.Peek(len(gzipMagic))
	return bytes.Equal(b, gzipMagic)
}

// detect tells the layout of the stream from its first bytes, without
// consuming any but a leading byte order mark. When it is layoutNone, why
// says what the content looks like. err is a read error.
func detect(br *bufio.Reader) (l layout, why string, err error) {
	if b, _ := br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		br.Discard(len(utf8BOM))
	}
	b, err := br.Peek(min(detectSize, br.Size()))
	if err != nil && !errors.Is(err, io.EOF) && len(b) == 0 {
		return layoutNone, "", err
	}
	// b holds the whole input, or all that could be read before an error
	// the reader reports again later.
	whole := len(b) < min(detectSize, br.Size())
	if bytes.IndexByte(b, 0) >= 0 {
		return layoutNone, "binary data", nil
	}
	rest := trimSpace(b)
	if len(rest) == 0 {
		if whole {
			return layoutNone, "empty", nil
		}
		return layoutNone, "only blank space at the start", nil
	}
	switch rest[0] {
	case '[':
		return layoutJSON, "", nil
	case '{':
		// A sink writes a whole entry per line; pretty printers (gcloud,
		// kubectl, jq) spread a document over lines, the opening brace
		// alone on the first one. A first line longer than what is looked
		// at is taken for an entry.
		first, _, found := bytes.Cut(rest, []byte("\n"))
		if (!found && !whole) || completeObject(trimSpace(first)) {
			return layoutNDJSON, "", nil
		}
		return layoutJSON, "", nil
	}
	if looksYAML(rest) {
		return layoutYAML, "", nil
	}
	return layoutNone, "text that is neither JSON nor YAML: " + excerpt(firstLine(rest)), nil
}

// firstLine returns b up to its first newline.
func firstLine(b []byte) []byte {
	l, _, _ := bytes.Cut(b, []byte("\n"))
	return l
}

// looksYAML reports whether text starts like a YAML document: after blank
// and comment lines, a "---" marker, a directive, a list item or a mapping
// key ("name:" or "'@type':").
func looksYAML(text []byte) bool {
	for len(text) > 0 {
		var line []byte
		line, text, _ = bytes.Cut(text, []byte("\n"))
		t := trimSpace(line)
		switch {
		case len(t) == 0 || t[0] == '#':
			continue
		case bytes.HasPrefix(t, []byte("---")) || bytes.HasPrefix(t, []byte("%YAML")):
			return true
		case t[0] == '-' && (len(t) == 1 || t[1] == ' '):
			return true
		}
		return isMappingKey(t)
	}
	// Only comments: a YAML file with a license header and nothing else.
	return true
}

// isMappingKey reports whether line starts with a plain or quoted YAML key
// followed by ':' and a space or the end of the line.
func isMappingKey(line []byte) bool {
	key := line
	if q := line[0]; q == '\'' || q == '"' {
		end := bytes.IndexByte(line[1:], q)
		if end < 1 {
			return false
		}
		key, line = line[1:end+1], line[end+2:]
	} else {
		i := bytes.IndexByte(line, ':')
		if i < 1 {
			return false
		}
		key, line = line[:i], line[i:]
	}
	for _, c := range key {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || bytes.IndexByte([]byte("_-./@$"), c) >= 0) {
			return false
		}
	}
	return len(line) > 0 && line[0] == ':' && (len(line) == 1 || line[1] == ' ' || line[1] == '\r')
}
