package export

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// splitResult is what the splitter made of an input.
type splitResult struct {
	Values   []string // compacted when valid JSON, else verbatim
	Lines    []int
	Skipped  int
	Problems []string
}

// split runs the splitter over in with a read buffer of bufSize bytes.
func split(t testing.TB, in string, bufSize, maxSize int) splitResult {
	t.Helper()
	tl := &tally{path: "f", max: 100}
	var got splitResult
	sp := &splitter{
		br:      bufio.NewReaderSize(strings.NewReader(in), bufSize),
		t:       tl,
		maxSize: maxSize,
		yield: func(raw []byte, line int) {
			v := string(raw)
			var c bytes.Buffer
			if json.Compact(&c, raw) == nil {
				v = c.String()
			}
			got.Values = append(got.Values, v)
			got.Lines = append(got.Lines, line)
		},
	}
	if err := sp.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	got.Skipped, got.Problems = tl.skipped, tl.problems
	return got
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want splitResult
	}{
		{
			name: "gcloud array",
			in:   "[\n  {\n    \"a\": 1,\n    \"b\": [1, {\"c\": \"]}\"}]\n  },\n  {\n    \"a\": 2\n  }\n]\n",
			want: splitResult{Values: []string{`{"a":1,"b":[1,{"c":"]}"}]}`, `{"a":2}`}, Lines: []int{2, 6}},
		},
		{
			name: "empty array",
			in:   "[]\n",
			want: splitResult{},
		},
		{
			name: "kubectl watch stream",
			in:   "{\n    \"type\": \"ADDED\"\n}\n{\n    \"type\": \"DELETED\"\n}\n",
			want: splitResult{Values: []string{`{"type":"ADDED"}`, `{"type":"DELETED"}`}, Lines: []int{1, 4}},
		},
		{
			name: "compact values on one line",
			in:   `[{"a":1},{"b":2}] {"c":3}` + "\n" + `[[1,2],{"d":"x"}]`,
			want: splitResult{Values: []string{`{"a":1}`, `{"b":2}`, `{"c":3}`, `[1,2]`, `{"d":"x"}`}, Lines: []int{1, 1, 1, 2, 2}},
		},
		{
			name: "escapes",
			in:   `{"a":"\"}\\","b":"\\\"{["}` + "\n" + `{"c":"\\\\"}`,
			want: splitResult{Values: []string{`{"a":"\"}\\","b":"\\\"{["}`, `{"c":"\\\\"}`}, Lines: []int{1, 2}},
		},
		{
			name: "text between documents",
			in:   "WARNING: partial results\n{\n  \"a\": 1\n}\nerror: watch closed\n{\"b\": 2}\n",
			want: splitResult{
				Values: []string{`{"a":1}`, `{"b":2}`}, Lines: []int{2, 6}, Skipped: 2,
				Problems: []string{`f:1: not JSON: "WARNING: partial results"`, `f:5: not JSON: "error: watch closed"`},
			},
		},
		{
			name: "truncated array",
			in:   "[\n  {\n    \"a\": 1\n  },\n  {\n    \"a\": \"cut",
			want: splitResult{
				Values: []string{`{"a":1}`}, Lines: []int{2}, Skipped: 1,
				Problems: []string{"f:5: truncated JSON value: the input ends at line 6 before the value does"},
			},
		},
		{
			name: "array not closed",
			in:   "[\n  {\n    \"a\": 1\n  }\n",
			want: splitResult{
				Values: []string{`{"a":1}`}, Lines: []int{2},
				Problems: []string{"f:1: truncated: the array that starts here is not closed at the end of the input"},
			},
		},
		{
			name: "newline inside a string resyncs at the same indentation",
			in:   "[\n  {\n    \"a\": \"x\n    y\",\n    \"b\": {\n  }\n  },\n  {\n    \"a\": 3\n  }\n]\n",
			want: splitResult{
				Values: []string{`{"a":3}`}, Lines: []int{8}, Skipped: 1,
				Problems: []string{"f:2: malformed JSON value (a line ends inside a string at line 3); skipped to line 8"},
			},
		},
		{
			name: "mismatched bracket resyncs at column 0",
			in:   "{\n  \"a\": [1, 2}\n}\n{\n  \"b\": 2\n}\n",
			want: splitResult{
				Values: []string{`{"b":2}`}, Lines: []int{4}, Skipped: 1,
				Problems: []string{"f:1: malformed JSON value (mismatched } at line 2); skipped to line 4"},
			},
		},
		{
			name: "malformed to the end",
			in:   "{\n  \"a\": \"x\n",
			want: splitResult{
				Skipped:  1,
				Problems: []string{"f:1: malformed JSON value (a line ends inside a string at line 2); skipped to the end of the input"},
			},
		},
		{
			name: "too large",
			in:   `{"a":"` + strings.Repeat("x", 100) + `"}` + "\n" + `{"b":1}`,
			want: splitResult{
				Values: []string{`{"b":1}`}, Lines: []int{2}, Skipped: 1,
				Problems: []string{"f:1: malformed JSON value (larger than the limit of 64 bytes at line 1); skipped to line 2"},
			},
		},
		{
			name: "invalid inside is passed on",
			in:   `{"a" 1, tru}`,
			want: splitResult{Values: []string{`{"a" 1, tru}`}, Lines: []int{1}},
		},
		{
			name: "CRLF",
			in:   "[\r\n  {\r\n    \"a\": 1\r\n  }\r\n]\r\n",
			want: splitResult{Values: []string{`{"a":1}`}, Lines: []int{2}},
		},
	}
	for _, tt := range tests {
		for _, bufSize := range []int{16, 4096} {
			t.Run(tt.name, func(t *testing.T) {
				maxSize := 1 << 20
				if tt.name == "too large" {
					maxSize = 64
				}
				got := split(t, tt.in, bufSize, maxSize)
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("split with a %d-byte buffer (-want +got):\n%s", bufSize, diff)
				}
			})
		}
	}
}

// FuzzSplit checks that the splitter never panics, that the size of its
// read buffer changes nothing, that every value it yields is valid JSON or
// reported as a problem by the sink that gets it, and that a valid array or
// object of objects is split exactly.
func FuzzSplit(f *testing.F) {
	for _, seed := range []string{
		"[\n  {\n    \"a\": 1\n  },\n  {\"b\": \"\\\"]\"}\n]\n",
		"{\n    \"type\": \"ADDED\",\n    \"object\": {}\n}\n{\n}\n",
		"[\n  {\n    \"a\": \"x\n  },\n  {}\n",
		"garbage\n{\"a\":[1,2}\n{}",
		`{"a":"\\\\\"\\"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Add([]byte("[\n  {\n    \"insertId\": \"a\",\n    \"timestamp\": \"2025-03-04T18:15:03Z\",\n    \"resource\": {\"type\": \"http_load_balancer\"},\n    \"httpRequest\": {\"status\": 200}\n  },\n  {\"apiVersion\": \"v1\", \"kind\": \"Pod\"}\n]\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 4096 {
			return // small inputs explore more; size is covered by the tests
		}
		small := split(t, string(in), 16, 1<<16)
		big := split(t, string(in), 4096, 1<<16)
		if diff := cmp.Diff(big, small); diff != "" {
			t.Fatalf("buffer size changes the result (-4096 +16):\n%s", diff)
		}
		lines := bytes.Count(in, []byte("\n")) + 1
		for i, v := range big.Values {
			if v == "" || (v[0] != '{' && v[0] != '[') {
				t.Errorf("value %q is not an object or array", v)
			}
			if l := big.Lines[i]; l < 1 || l > lines || (i > 0 && l < big.Lines[i-1]) {
				t.Errorf("value %d at line %d (lines %v, input has %d)", i, l, big.Lines, lines)
			}
			if !json.Valid([]byte(v)) {
				tl := &tally{path: "f", max: 10}
				s := &sink{c: newTestCollector(), t: tl}
				s.document([]byte(v), 1)
				if tl.skipped != 1 || len(tl.problems) != 1 || tl.records != 0 {
					t.Errorf("invalid value %q: sink counted %d skipped, %d records, problems %q", v, tl.skipped, tl.records, tl.problems)
				}
			}
		}
		if !json.Valid(in) || len(big.Problems) > 0 {
			return
		}
		// Valid input: an array of objects, or an object, is split exactly.
		var elems []json.RawMessage
		if err := json.Unmarshal(in, &elems); err != nil {
			var obj map[string]json.RawMessage
			if json.Unmarshal(in, &obj) != nil {
				return
			}
			elems = []json.RawMessage{bytes.TrimSpace(in)}
		}
		var want []string
		for _, e := range elems {
			var c bytes.Buffer
			if err := json.Compact(&c, e); err != nil {
				t.Fatal(err)
			}
			want = append(want, c.String())
		}
		if diff := cmp.Diff(want, big.Values); diff != "" && len(elems) > 0 {
			t.Errorf("valid input split wrongly (-want +got):\n%s", diff)
		}
	})
}
