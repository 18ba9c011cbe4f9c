package export

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
)

// lineReader yields the lines of a stream without copying those that fit
// in the bufio.Reader's buffer. Longer lines are gathered in a buffer of
// their own, up to maxSize; beyond that only their length is known.
type lineReader struct {
	br      *bufio.Reader
	maxSize int
	long    []byte
	n       int   // lines read
	err     error // returned by the call after the last line
}

// next returns the next line with its newline, if any, valid until the
// next call. size is its full length: it exceeds len(line) when the line
// was too long to keep. err is io.EOF after the last line, or a read error
// (the line before a read error is returned first).
func (l *lineReader) next() (line []byte, size int, err error) {
	if l.err != nil {
		return nil, 0, l.err
	}
	line, err = l.br.ReadSlice('\n')
	size = len(line)
	if errors.Is(err, bufio.ErrBufferFull) {
		l.long = append(l.long[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = l.br.ReadSlice('\n')
			size += len(line)
			if size <= l.maxSize {
				l.long = append(l.long, line...)
			}
		}
		line = l.long
		if size > l.maxSize {
			line = line[:0]
		}
		if cap(l.long) > maxKeptBuffer {
			l.long = nil
		}
	}
	if err != nil {
		l.err = err
	}
	if size == 0 {
		return nil, 0, l.err
	}
	l.n++
	return line, size, nil
}

// trimSpace trims JSON whitespace from both ends of b.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// readNDJSON reads a log sink export: one JSON document per line. A line
// that is not a complete object (a broken entry, text between entries) is
// skipped on its own: reading resumes at the next line.
func readNDJSON(ctx context.Context, br *bufio.Reader, s *sink, maxSize int) error {
	lr := lineReader{br: br, maxSize: maxSize}
	for {
		line, size, err := lr.next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.t.problem(lr.n, "read: %v", err)
			}
			return nil
		}
		n := lr.n
		if n%linesPerCheck == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if size > maxSize {
			s.t.skip(n, "line of %s is larger than the limit of %s", sizeString(size), sizeString(maxSize))
			continue
		}
		last := !endsLine(line)
		doc := trimSpace(line)
		switch {
		case len(doc) == 0:
		case doc[0] != '{':
			s.t.skip(n, "not a JSON object: %s", excerpt(doc))
		case last && !completeObject(doc):
			s.t.skip(n, "truncated entry: the input ends inside it")
		default:
			s.document(doc, n)
		}
	}
}

// completeObject reports whether doc, which starts with '{', closes all its
// brackets.
func completeObject(doc []byte) bool {
	depth, inString := 0, false
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		switch {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		}
	}
	return depth == 0 && !inString
}

// sizeString formats a byte count for problems.
func sizeString(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
