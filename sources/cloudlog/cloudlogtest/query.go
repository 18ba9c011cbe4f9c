package cloudlogtest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"google.golang.org/protobuf/encoding/protojson"
)

// Query is a parsed filter in the subset of the Logging query language
// that the fake server understands:
//
//   - comparisons FIELD OP VALUE with OP one of = != : < <= > >= =~ !~,
//     FIELD a dotted path into the entry's JSON form (resource.labels.x,
//     httpRequest.status, protoPayload.methodName, jsonPayload.reason,
//     timestamp, ...) and VALUE a quoted string, a bare word or number, or a
//     parenthesised list `("a" OR "b")` that matches when any item does;
//   - log_id("ID"), true when logName is projects/P/logs/<ID URL-escaped>;
//   - AND, OR, NOT (or a leading -), parentheses, and implicit AND between
//     terms (a space or a newline).
//
// As in Cloud Logging, NOT binds tightest, then OR, then AND: `a OR b AND c`
// is `(a OR b) AND c`. String comparisons ignore case; = on a string is
// equality and : is substring ("has"). Ordering comparisons are numeric for
// numbers and chronological for RFC 3339 timestamps. A comparison on a
// missing field is false (true for != and !~). Global restrictions (a bare
// value), other functions and SEARCH are not supported and fail to parse.
type Query struct {
	root node
	text string
}

// String returns the filter text the query was parsed from.
func (q *Query) String() string { return q.text }

// ParseQuery parses filter; the empty filter matches every entry.
func ParseQuery(filter string) (*Query, error) {
	toks, err := lex(filter)
	if err != nil {
		return nil, fmt.Errorf("parse filter: %w", err)
	}
	p := &parser{toks: toks}
	q := &Query{text: filter}
	if len(toks) == 0 {
		q.root = trueNode{}
		return q, nil
	}
	if q.root, err = p.conj(); err != nil {
		return nil, fmt.Errorf("parse filter: %w", err)
	}
	if !p.done() {
		return nil, fmt.Errorf("parse filter: unexpected %q at offset %d", p.peek().text, p.peek().pos)
	}
	return q, nil
}

// Match reports whether entry matches the query.
func (q *Query) Match(entry *loggingpb.LogEntry) bool {
	doc, err := Document(entry)
	if err != nil {
		return false
	}
	return q.root.eval(doc)
}

// MatchDocument is Match for an entry already converted by Document, for
// evaluating many queries on one entry.
func (q *Query) MatchDocument(doc map[string]any) bool { return q.root.eval(doc) }

// Document is the generic JSON form of entry (what the REST API returns)
// that queries are evaluated on.
func Document(entry *loggingpb.LogEntry) (map[string]any, error) {
	raw, err := protojson.Marshal(entry)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// Tokens.

type tokKind int

const (
	tokWord   tokKind = iota // field path, bare value, keyword or function name
	tokString                // "quoted"
	tokOp                    // comparison operator
	tokLParen
	tokRParen
	tokMinus // leading - (NOT)
)

type token struct {
	kind tokKind
	text string
	pos  int
}

var ops = []string{"!=", ">=", "<=", "=~", "!~", "=", ":", "<", ">"}

func lex(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			toks = append(toks, token{tokLParen, "(", i})
			i++
		case c == ')':
			toks = append(toks, token{tokRParen, ")", i})
			i++
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated string at offset %d", i)
			}
			toks = append(toks, token{tokString, b.String(), i})
			i = j + 1
		case c == '-' && (len(toks) == 0 || toks[len(toks)-1].kind != tokOp):
			toks = append(toks, token{tokMinus, "-", i})
			i++
		default:
			if op := opAt(s[i:]); op != "" {
				toks = append(toks, token{tokOp, op, i})
				i += len(op)
				continue
			}
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("unexpected %q at offset %d", c, i)
			}
			toks = append(toks, token{tokWord, s[i:j], i})
			i = j
		}
	}
	return toks, nil
}

func opAt(s string) string {
	for _, op := range ops {
		if strings.HasPrefix(s, op) {
			return op
		}
	}
	return ""
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '.' || c == '@' || c == '-' || c == '/' || c == '+'
}

// Parser.

type parser struct {
	toks []token
	i    int
}

func (p *parser) done() bool { return p.i >= len(p.toks) }

func (p *parser) peek() token {
	if p.done() {
		return token{kind: -1, text: "end of filter"}
	}
	return p.toks[p.i]
}

func (p *parser) isKeyword(kw string) bool {
	t := p.peek()
	return t.kind == tokWord && t.text == kw
}

// startsTerm reports whether the next token can begin a term (for
// implicit AND).
func (p *parser) startsTerm() bool {
	t := p.peek()
	switch t.kind {
	case tokLParen, tokMinus:
		return true
	case tokWord:
		return t.text != "OR" && t.text != "AND"
	}
	return false
}

func (p *parser) conj() (node, error) {
	n, err := p.disj()
	if err != nil {
		return nil, err
	}
	for {
		if p.isKeyword("AND") {
			p.i++
		} else if !p.startsTerm() {
			return n, nil
		}
		m, err := p.disj()
		if err != nil {
			return nil, err
		}
		n = andNode{n, m}
	}
}

func (p *parser) disj() (node, error) {
	n, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("OR") {
		p.i++
		m, err := p.unary()
		if err != nil {
			return nil, err
		}
		n = orNode{n, m}
	}
	return n, nil
}

func (p *parser) unary() (node, error) {
	if p.isKeyword("NOT") || p.peek().kind == tokMinus {
		p.i++
		n, err := p.primary()
		if err != nil {
			return nil, err
		}
		return notNode{n}, nil
	}
	return p.primary()
}

func (p *parser) primary() (node, error) {
	t := p.peek()
	switch t.kind {
	case tokLParen:
		p.i++
		n, err := p.conj()
		if err != nil {
			return nil, err
		}
		if p.peek().kind != tokRParen {
			return nil, fmt.Errorf("missing ) at offset %d", p.peek().pos)
		}
		p.i++
		return n, nil
	case tokWord:
		p.i++
		if p.peek().kind == tokLParen {
			return p.function(t)
		}
		op := p.peek()
		if op.kind != tokOp {
			return nil, fmt.Errorf("global restriction %q at offset %d is not supported", t.text, t.pos)
		}
		p.i++
		vals, err := p.values()
		if err != nil {
			return nil, err
		}
		c := cmpNode{path: strings.Split(t.text, "."), op: op.text, values: vals}
		if op.text == "=~" || op.text == "!~" {
			for _, v := range vals {
				re, err := regexp.Compile(v)
				if err != nil {
					return nil, fmt.Errorf("regular expression %q: %w", v, err)
				}
				c.res = append(c.res, re)
			}
		}
		return c, nil
	}
	return nil, fmt.Errorf("unexpected %q at offset %d", t.text, t.pos)
}

func (p *parser) function(name token) (node, error) {
	p.i++ // (
	arg := p.peek()
	if arg.kind != tokString {
		return nil, fmt.Errorf("%s: want a quoted argument at offset %d", name.text, arg.pos)
	}
	p.i++
	if p.peek().kind != tokRParen {
		return nil, fmt.Errorf("%s: missing ) at offset %d", name.text, p.peek().pos)
	}
	p.i++
	if name.text != "log_id" {
		return nil, fmt.Errorf("function %s is not supported", name.text)
	}
	return logIDNode{id: arg.text}, nil
}

// values reads one value or a parenthesised OR list of values.
func (p *parser) values() ([]string, error) {
	t := p.peek()
	switch t.kind {
	case tokString, tokWord:
		p.i++
		return []string{t.text}, nil
	case tokMinus: // a negative number
		p.i++
		n := p.peek()
		if n.kind != tokWord {
			return nil, fmt.Errorf("unexpected - at offset %d", t.pos)
		}
		p.i++
		return []string{"-" + n.text}, nil
	case tokLParen:
		p.i++
		var vals []string
		for {
			v := p.peek()
			if v.kind != tokString && v.kind != tokWord {
				return nil, fmt.Errorf("want a value at offset %d, got %q", v.pos, v.text)
			}
			p.i++
			vals = append(vals, v.text)
			if p.isKeyword("OR") {
				p.i++
				continue
			}
			if p.peek().kind != tokRParen {
				return nil, fmt.Errorf("want OR or ) at offset %d, got %q", p.peek().pos, p.peek().text)
			}
			p.i++
			return vals, nil
		}
	}
	return nil, fmt.Errorf("want a value at offset %d, got %q", t.pos, t.text)
}

// Evaluation.

type node interface{ eval(doc map[string]any) bool }

type trueNode struct{}

func (trueNode) eval(map[string]any) bool { return true }

type andNode struct{ a, b node }

func (n andNode) eval(doc map[string]any) bool { return n.a.eval(doc) && n.b.eval(doc) }

type orNode struct{ a, b node }

func (n orNode) eval(doc map[string]any) bool { return n.a.eval(doc) || n.b.eval(doc) }

type notNode struct{ n node }

func (n notNode) eval(doc map[string]any) bool { return !n.n.eval(doc) }

type logIDNode struct{ id string }

func (n logIDNode) eval(doc map[string]any) bool {
	name, _ := doc["logName"].(string)
	_, log, ok := strings.Cut(name, "/logs/")
	if !ok {
		return false
	}
	if un, err := url.PathUnescape(log); err == nil {
		log = un
	}
	return log == n.id
}

type cmpNode struct {
	path   []string
	op     string
	values []string
	res    []*regexp.Regexp
}

func (n cmpNode) eval(doc map[string]any) bool {
	v, ok := lookup(doc, n.path)
	if !ok {
		return n.op == "!=" || n.op == "!~"
	}
	if n.op == "!=" {
		for _, want := range n.values {
			if compare(v, "=", want, nil) {
				return false
			}
		}
		return true
	}
	if n.op == "!~" {
		for _, re := range n.res {
			if compare(v, "=~", "", re) {
				return false
			}
		}
		return true
	}
	for i, want := range n.values {
		var re *regexp.Regexp
		if n.res != nil {
			re = n.res[i]
		}
		if compare(v, n.op, want, re) {
			return true
		}
	}
	return false
}

// lookup follows path through the JSON document.
func lookup(doc map[string]any, path []string) (any, bool) {
	var cur any = doc
	for _, k := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, cur != nil
}

// compare applies op (not != or !~) between the field value v and want.
func compare(v any, op, want string, re *regexp.Regexp) bool {
	switch v := v.(type) {
	case []any:
		for _, item := range v {
			if compare(item, op, want, re) {
				return true
			}
		}
		return false
	case map[string]any:
		if op != ":" {
			return false
		}
		for _, item := range v {
			if compare(item, op, want, re) {
				return true
			}
		}
		return false
	case float64:
		w, err := strconv.ParseFloat(want, 64)
		if err != nil {
			return op == ":" && strings.Contains(strconv.FormatFloat(v, 'f', -1, 64), want)
		}
		return order(op, cmpFloat(v, w))
	case bool:
		return (op == "=" || op == ":") && strings.EqualFold(strconv.FormatBool(v), want)
	case string:
		switch op {
		case "=":
			return strings.EqualFold(v, want)
		case ":":
			return strings.Contains(strings.ToLower(v), strings.ToLower(want))
		case "=~":
			return re.MatchString(v)
		}
		if a, err := time.Parse(time.RFC3339Nano, v); err == nil {
			if b, err := time.Parse(time.RFC3339Nano, want); err == nil {
				return order(op, a.Compare(b))
			}
		}
		if a, err := strconv.ParseFloat(v, 64); err == nil {
			if b, err := strconv.ParseFloat(want, 64); err == nil {
				return order(op, cmpFloat(a, b))
			}
		}
		return order(op, strings.Compare(strings.ToLower(v), strings.ToLower(want)))
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func order(op string, c int) bool {
	switch op {
	case "=", ":":
		return c == 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}
