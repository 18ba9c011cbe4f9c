package lblog

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"time"
)

// Peeked is what Peek reads from an LB request entry: enough to count it
// and to decide whether it needs full parsing.
type Peeked struct {
	Status   int       // httpRequest.status
	Time     time.Time // timestamp, UTC
	InsertID []byte    // insertId; a sub-slice of the raw entry
	ServerIP netip.Addr
}

// Peek is the fast path for the bulk of LB exports (2xx entries that only
// count towards traffic): it scans the raw bytes of one LogEntry JSON object
// without decoding it and reports ok only when it is certain that the entry
// is an LB request entry and could read its status, timestamp and insertId
// unambiguously. Otherwise ok is false and the caller falls back to Parse.
//
// Whenever Peek is ok and Parse succeeds on the same bytes, they agree on
// Status, Time, InsertID and ServerIP. To keep that promise Peek gives up on
// anything Parse could read differently: duplicate or case-variant keys,
// escaped or non-ASCII keys and values where it reads them, a status that is
// not a plain integer, a missing insertId, timestamp or status.
//
// Peek checks the JSON grammar of the whole entry as it scans (not the
// UTF-8 encoding of strings, which encoding/json does not check either), so
// an entry it accepts is valid JSON.
func Peek(raw []byte) (Peeked, bool) {
	s := scanner{b: raw}
	var p Peeked
	if !s.peekEntry(&p) {
		return Peeked{}, false
	}
	return p, true
}

// Top-level keys read by Peek, as bits of a seen set.
const (
	seenInsertID = 1 << iota
	seenTimestamp
	seenResource
	seenHTTPRequest
	seenStatus
	seenServerIP
	seenType

	seenAllTop = seenInsertID | seenTimestamp | seenResource | seenHTTPRequest | seenStatus
)

// scanner walks JSON bytes. Its methods return false when the input is not
// what the fast path can read with certainty.
type scanner struct {
	b []byte
	i int
}

// ws skips JSON whitespace.
func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\n', '\t', '\r':
			s.i++
		default:
			return
		}
	}
}

// next skips whitespace and consumes c.
func (s *scanner) next(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// object walks a JSON object, calling member for each key after consuming
// the colon; member must consume the value. Keys are returned raw; object
// fails on keys that are escaped or not ASCII, since encoding/json could
// decode them to (or fold them onto) a key Parse reads.
func (s *scanner) object(member func(key []byte) bool) bool {
	if !s.next('{') {
		return false
	}
	if s.next('}') {
		return true
	}
	for {
		s.ws()
		key, ok := s.plainString()
		if !ok || !s.next(':') {
			return false
		}
		s.ws()
		if !member(key) {
			return false
		}
		if s.next(',') {
			continue
		}
		return s.next('}')
	}
}

// plainString reads a string of printable ASCII without escapes and returns
// its contents.
func (s *scanner) plainString() ([]byte, bool) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false
	}
	start := s.i + 1
	for j := start; j < len(s.b); j++ {
		c := s.b[j]
		if c == '"' {
			s.i = j + 1
			return s.b[start:j], true
		}
		if c < 0x20 || c > 0x7e || c == '\\' {
			return nil, false
		}
	}
	return nil, false
}

// Word-at-a-time helpers: each reports whether any byte of x is zero, below
// 0x20, or equal to a given byte. They are exact, never just likely.
const (
	lows  = 0x0101010101010101
	highs = 0x8080808080808080
)

func hasZero(x uint64) bool { return (x-lows)&^x&highs != 0 }

// hasStringSpecial reports whether any byte of x is a quote, a backslash
// or a control character: the bytes a string scan must stop at.
func hasStringSpecial(x uint64) bool {
	return (x-0x20*lows)&^x&highs != 0 || hasZero(x^('"'*lows)) || hasZero(x^('\\'*lows))
}

// skipString skips a string, checking its escapes and that it holds no
// control characters, as the JSON grammar wants.
func (s *scanner) skipString() bool {
	b := s.b
	i := s.i + 1
	for {
		for i+8 <= len(b) && !hasStringSpecial(binary.LittleEndian.Uint64(b[i:])) {
			i += 8
		}
		if i >= len(b) {
			return false
		}
		switch c := b[i]; {
		case c == '"':
			s.i = i + 1
			return true
		case c == '\\':
			if i+1 >= len(b) {
				return false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
					return false
				}
				i += 6
			default:
				return false
			}
		case c < 0x20:
			return false
		default:
			i++
		}
	}
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// maxSkipDepth bounds the nesting skipValue follows; deeper entries are left to Parse.
const maxSkipDepth = 100

// skipValue skips any JSON value, checking the JSON grammar: when Peek is
// ok, the whole entry is valid JSON.
func (s *scanner) skipValue() bool { return s.skipValueDepth(0) }

func (s *scanner) skipValueDepth(depth int) bool {
	if s.i >= len(s.b) || depth > maxSkipDepth {
		return false
	}
	switch c := s.b[s.i]; c {
	case '"':
		return s.skipString()
	case '{':
		s.i++
		if s.next('}') {
			return true
		}
		for {
			s.ws()
			if s.i >= len(s.b) || s.b[s.i] != '"' || !s.skipString() || !s.next(':') {
				return false
			}
			s.ws()
			if !s.skipValueDepth(depth + 1) {
				return false
			}
			if s.next(',') {
				continue
			}
			return s.next('}')
		}
	case '[':
		s.i++
		if s.next(']') {
			return true
		}
		for {
			s.ws()
			if !s.skipValueDepth(depth + 1) {
				return false
			}
			if s.next(',') {
				continue
			}
			return s.next(']')
		}
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	}
	return s.number()
}

// literal consumes lit.
func (s *scanner) literal(lit string) bool {
	if !bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
		return false
	}
	s.i += len(lit)
	return true
}

// number consumes a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() bool {
	b := s.b
	i := s.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() int {
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i - start
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	s.i = i
	return true
}

// dup marks bit in seen and reports whether it was already set.
func dup(seen *uint8, bit uint8) bool {
	if *seen&bit != 0 {
		return true
	}
	*seen |= bit
	return false
}

// foldsTo reports whether key is a case variant of one of names (an exact
// match excluded). encoding/json matches keys case-insensitively, so such a
// key could be read by Parse where Peek would not look.
func foldsTo(key []byte, names ...string) bool {
	for _, n := range names {
		if len(key) == len(n) && bytes.EqualFold(key, []byte(n)) {
			return true
		}
	}
	return false
}

// peekEntry reads a whole LogEntry object into p.
func (s *scanner) peekEntry(p *Peeked) bool {
	var seen uint8
	ok := s.object(func(key []byte) bool {
		switch string(key) {
		case "insertId":
			v, ok := s.plainString()
			if !ok || dup(&seen, seenInsertID) {
				return false
			}
			p.InsertID = v
			return true
		case "timestamp":
			v, ok := s.plainString()
			if !ok || dup(&seen, seenTimestamp) {
				return false
			}
			t, err := parseTime(v)
			if err != nil {
				return false
			}
			p.Time = t
			return true
		case "resource":
			return !dup(&seen, seenResource) && s.peekResource()
		case "httpRequest":
			return !dup(&seen, seenHTTPRequest) && s.peekHTTPRequest(p, &seen)
		case "protoPayload", "textPayload", "apiVersion", "kind", "object":
			// Not an LB request entry: stop early.
			return false
		}
		if foldsTo(key, "insertId", "timestamp", "resource", "httpRequest") {
			return false
		}
		return s.skipValue()
	})
	if !ok || seen&seenAllTop != seenAllTop {
		return false
	}
	s.ws()
	return s.i == len(s.b)
}

// peekResource reads resource and checks its type is an LB type.
func (s *scanner) peekResource() bool {
	var seen uint8
	ok := s.object(func(key []byte) bool {
		switch {
		case string(key) == "type":
			v, ok := s.plainString()
			return ok && !dup(&seen, seenType) && IsLBResource(string(v))
		case foldsTo(key, "type"):
			return false
		}
		return s.skipValue()
	})
	return ok && seen&seenType != 0
}

// peekHTTPRequest reads httpRequest.status and httpRequest.serverIp.
func (s *scanner) peekHTTPRequest(p *Peeked, seen *uint8) bool {
	return s.object(func(key []byte) bool {
		switch string(key) {
		case "status":
			if dup(seen, seenStatus) {
				return false
			}
			n, ok := s.plainStatus()
			p.Status = n
			return ok
		case "serverIp":
			v, ok := s.plainString()
			if !ok || dup(seen, seenServerIP) {
				return false
			}
			p.ServerIP, _ = serverAddr(v)
			return true
		}
		if foldsTo(key, "status", "serverIp") {
			return false
		}
		return s.skipValue()
	})
}

// plainStatus reads a status written as a plain JSON integer of 1 to 3
// digits (leading zeros are not JSON).
func (s *scanner) plainStatus() (int, bool) {
	start, n := s.i, 0
	for s.i < len(s.b) && s.i-start < 4 {
		c := s.b[s.i]
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
		s.i++
	}
	l := s.i - start
	if l == 0 || l > 3 || (l > 1 && s.b[start] == '0') {
		return 0, false
	}
	// A fraction or exponent would make it another number.
	if s.i < len(s.b) {
		switch s.b[s.i] {
		case '.', 'e', 'E':
			return 0, false
		}
	}
	return n, true
}
