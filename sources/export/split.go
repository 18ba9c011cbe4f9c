package export

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
)

// maxDepth bounds the nesting of a JSON value the splitter follows.
const maxDepth = 10000

// structural marks the bytes that matter to the splitter outside strings.
var structural = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true}

// splitter yields the top-level JSON values of a stream of JSON documents,
// pretty-printed or not, with the line each starts on. A top-level array
// is entered: its elements are yielded one by one, so a gcloud export (one
// array) and a kubectl watch stream (documents one after another) read
// alike.
//
// It tracks only strings, escapes and brackets; the parsers that get the
// values check the rest of the grammar. What cannot be a value is reported
// to the tally: text between values (skipped to the end of its line), a
// value that is malformed (a line ending inside a string, mismatched
// brackets, too deep or too large: skipped up to the next line that starts
// a value at the same indentation, or at column 0) and a value truncated by
// the end of the input.
type splitter struct {
	br      *bufio.Reader
	t       *tally
	yield   func(raw []byte, line int) // raw is only valid during the call
	maxSize int                        // largest value kept, in bytes

	line      int    // number of the line being scanned, 1-based
	lineStart bool   // the chunk being scanned begins a line
	skipLine  bool   // drop the rest of the current line
	garbage   []byte // start of the text being skipped, reported once long enough or at the end of its line

	// The value being read.
	buf      []byte
	start    int    // line of its first byte; 0 when between values
	startCol int    // column of its first byte; -1 when unknown
	stack    []byte // open brackets
	inString bool
	escaped  bool // inside a string, the next byte is escaped (a backslash ended the previous chunk)

	inArray   bool // inside a top-level array
	arrayLine int

	// Resynchronisation after a malformed value.
	resync    bool
	resyncCol int
	broken    brokenValue
}

// brokenValue is a malformed value whose problem is reported once the
// splitter knows where reading resumes.
type brokenValue struct {
	start, at int // where the value starts, where it broke
	why       string
}

// linesPerCheck is how often (in lines) run checks for cancellation.
const linesPerCheck = 4096

// run reads the whole stream. It returns only ctx's error.
func (s *splitter) run(ctx context.Context) error {
	s.lineStart = true
	for {
		chunk, err := s.br.ReadSlice('\n')
		if len(chunk) > 0 {
			if s.lineStart {
				s.line++
				if s.line%linesPerCheck == 0 && ctx.Err() != nil {
					return ctx.Err()
				}
			}
			s.scan(chunk)
			s.lineStart = chunk[len(chunk)-1] == '\n'
		}
		switch {
		case err == nil, errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			s.end(nil)
		default:
			s.end(err)
		}
		return nil
	}
}

// endsLine reports whether chunk is the end of a line.
func endsLine(chunk []byte) bool { return chunk[len(chunk)-1] == '\n' }

// scan processes one chunk: a whole line, or part of a long one.
func (s *splitter) scan(chunk []byte) {
	if s.skipLine {
		s.skipLine = !endsLine(chunk)
		s.skipText(chunk)
		return
	}
	i := 0
	if s.resync {
		if !s.lineStart {
			return
		}
		k, ok := s.resyncPoint(chunk)
		if !ok {
			return
		}
		s.endResync()
		i = k
	}
	for i < len(chunk) {
		if s.start == 0 {
			i = s.between(chunk, i)
		} else {
			i = s.value(chunk, i)
		}
	}
}

// between handles the byte at chunk[i] outside any value and returns where
// to go on.
func (s *splitter) between(chunk []byte, i int) int {
	switch c := chunk[i]; {
	case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',':
		return i + 1
	case c == '{' || c == '[' && s.inArray:
		s.start, s.startCol = s.line, -1
		if s.lineStart {
			s.startCol = i
		}
		return i // value consumes the bracket
	case c == '[':
		s.inArray, s.arrayLine = true, s.line
		return i + 1
	case c == ']' && s.inArray:
		s.inArray = false
		return i + 1
	}
	s.garbage = make([]byte, 0, maxExcerpt+1)
	s.skipLine = !endsLine(chunk)
	s.skipText(chunk[i:])
	return len(chunk)
}

// skipText gathers the start of text that is not JSON and reports it once
// there is enough of it for an excerpt, or its line ends.
func (s *splitter) skipText(chunk []byte) {
	if s.garbage == nil {
		return // already reported
	}
	s.garbage = append(s.garbage, chunk[:min(len(chunk), maxExcerpt+1-len(s.garbage))]...)
	if len(s.garbage) > maxExcerpt || !s.skipLine {
		s.reportText()
	}
}

// reportText reports the text gathered by skipText.
func (s *splitter) reportText() {
	s.t.skip(s.line, "not JSON: %s", excerpt(s.garbage))
	s.garbage = nil
}

// value scans chunk[i:] inside a value, yields the value when it ends and
// returns where to go on.
func (s *splitter) value(chunk []byte, i int) int {
	j, n := i, len(chunk)
	lo := i // backslashes before a quote are counted from here
	for j < n {
		if s.inString {
			if s.escaped {
				s.escaped = false
				j++
				lo = j
				continue
			}
			k := bytes.IndexByte(chunk[j:], '"')
			if k < 0 {
				if endsLine(chunk) {
					s.fail("a line ends inside a string")
					return n
				}
				// The string goes on in the next chunk.
				s.escaped = trailingBackslashes(chunk[j:])%2 == 1
				j = n
				break
			}
			q := j + k
			j = q + 1
			if trailingBackslashes(chunk[lo:q])%2 == 0 {
				s.inString = false
			}
			continue
		}
		for j < n && !structural[chunk[j]] {
			j++
		}
		if j == n {
			break
		}
		switch c := chunk[j]; c {
		case '"':
			s.inString = true
		case '{', '[':
			if len(s.stack) == maxDepth {
				s.fail("nested too deep")
				return n
			}
			s.stack = append(s.stack, c)
		default: // '}', ']'
			open := byte('{')
			if c == ']' {
				open = '['
			}
			if len(s.stack) == 0 || s.stack[len(s.stack)-1] != open {
				s.fail("mismatched " + string(c))
				return n
			}
			s.stack = s.stack[:len(s.stack)-1]
			if len(s.stack) == 0 {
				s.buf = append(s.buf, chunk[i:j+1]...)
				s.emit()
				return j + 1
			}
		}
		j++
	}
	if len(s.buf)+j-i > s.maxSize {
		s.fail("larger than the limit of " + sizeString(s.maxSize))
		return n
	}
	s.buf = append(s.buf, chunk[i:j]...)
	return n
}

// trailingBackslashes counts the backslashes that end b.
func trailingBackslashes(b []byte) int {
	n := 0
	for k := len(b) - 1; k >= 0 && b[k] == '\\'; k-- {
		n++
	}
	return n
}

// maxKeptBuffer is the largest buffer kept for the next value.
const maxKeptBuffer = 4 << 20

// emit yields the complete value in buf and resets for the next one.
func (s *splitter) emit() {
	if len(s.buf) > s.maxSize {
		s.fail("larger than the limit of " + sizeString(s.maxSize))
		return
	}
	s.yield(s.buf, s.start)
	s.start = 0
	s.buf = s.buf[:0]
	if cap(s.buf) > maxKeptBuffer {
		s.buf = nil
	}
}

// fail drops the value being read and starts resynchronising.
func (s *splitter) fail(why string) {
	s.t.skipped++
	s.broken = brokenValue{start: s.start, at: s.line, why: why}
	s.resync, s.resyncCol = true, max(s.startCol, 0)
	s.start, s.stack, s.inString, s.escaped = 0, s.stack[:0], false, false
	s.buf = s.buf[:0]
	if cap(s.buf) > maxKeptBuffer {
		s.buf = nil
	}
}

// resyncPoint reports whether the line in chunk can start a value again
// after a malformed one, and at which byte: a '{' at the indentation the
// malformed value had, or a '{', '[' or (in an array) ']' at column 0.
func (s *splitter) resyncPoint(chunk []byte) (int, bool) {
	k := 0
	for k < len(chunk) && (chunk[k] == ' ' || chunk[k] == '\t') {
		k++
	}
	if k == len(chunk) {
		return 0, false
	}
	switch c := chunk[k]; {
	case c == '{' && k == s.resyncCol:
		return k, true
	case k == 0 && (c == '{' || c == '['):
		s.inArray = false
		return 0, true
	case k == 0 && c == ']' && s.inArray:
		return 0, true
	}
	return 0, false
}

// endResync reports the malformed value now that reading resumes.
func (s *splitter) endResync() {
	s.resync = false
	b := s.broken
	s.t.problem(b.start, "malformed JSON value (%s at line %d); skipped to line %d", b.why, b.at, s.line)
}

// end reports what the end of the input (or a read error) cut short.
func (s *splitter) end(readErr error) {
	if s.skipLine && s.garbage != nil {
		s.reportText()
	}
	if s.resync {
		b := s.broken
		s.t.problem(b.start, "malformed JSON value (%s at line %d); skipped to the end of the input", b.why, b.at)
	}
	switch {
	case s.start != 0:
		s.t.skip(s.start, "truncated JSON value: the input ends at line %d before the value does", s.line)
	case s.inArray && !s.resync:
		s.t.problem(s.arrayLine, "truncated: the array that starts here is not closed at the end of the input")
	}
	if readErr != nil {
		s.t.problem(s.line, "read: %v", readErr)
	}
}
