package export

import (
	"bufio"
	"strings"
	"testing"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name, in string
		want     layout
		why      string
	}{
		{name: "gcloud array", in: "[\n  {\n", want: layoutJSON},
		{name: "kubectl pretty", in: "{\n    \"apiVersion\": \"v1\",\n", want: layoutJSON},
		{name: "pretty with content on the first line", in: "{\"apiVersion\": \"v1\",\n  \"kind\": \"List\"\n}\n", want: layoutJSON},
		{name: "ndjson", in: "{\"a\":1}\n{\"a\":2}\n", want: layoutNDJSON},
		{name: "ndjson one line without newline", in: "{\"a\":\"}\"}", want: layoutNDJSON},
		{name: "leading blank lines", in: "\n\n  {\"a\":1}\n", want: layoutNDJSON},
		{name: "BOM", in: "\uFEFF[]", want: layoutJSON},
		{name: "yaml with license header", in: "# Copyright\n#\n\ninsertId: abc\n", want: layoutYAML},
		{name: "yaml quoted key", in: "'@type': x\n", want: layoutYAML},
		{name: "yaml document marker", in: "---\napiVersion: v1\n", want: layoutYAML},
		{name: "yaml only comments", in: "# nothing here\n", want: layoutYAML},
		{name: "yaml list", in: "- a\n- b\n", want: layoutYAML},
		{name: "plain text", in: "Incident notes: 502s\n", why: `text that is neither JSON nor YAML: "Incident notes: 502s"`},
		{name: "url is not a key", in: "http://example.com\n", why: `text that is neither JSON nor YAML: "http://example.com"`},
		{name: "markdown", in: "# Title\n\nSome text.\n", why: `text that is neither JSON nor YAML: "# Title"`},
		{name: "binary", in: "PK\x03\x04\x00\x00", why: "binary data"},
		{name: "empty", in: "", why: "empty"},
		{name: "blank", in: " \n\t\n", why: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why, err := detect(bufio.NewReaderSize(strings.NewReader(tt.in), 4096))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || why != tt.why {
				t.Errorf("detect = %v %q, want %v %q", got, why, tt.want, tt.why)
			}
		})
	}
}
