package render

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		format, file string
	}{
		{FormatText, "report.golden.txt"},
		{FormatJSON, "report.golden.json"},
		{FormatMarkdown, "report.golden.md"},
		{FormatHTML, "report.golden.html"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tc.format, fixtureReport(), goldenOptions); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tc.file, buf.Bytes())
			// Rendering twice gives the same bytes (no map order leaks).
			var again bytes.Buffer
			if err := Write(&again, tc.format, fixtureReport(), goldenOptions); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Error("second rendering differs from the first")
			}
		})
	}
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// TestTextColor checks colours are added only when asked, and that they
// do not disturb the alignment: without its escape sequences, the coloured
// output is the plain output.
func TestTextColor(t *testing.T) {
	var plain, color bytes.Buffer
	if err := Text(&plain, fixtureReport(), Options{}); err != nil {
		t.Fatal(err)
	}
	if err := Text(&color, fixtureReport(), Options{Color: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\x1b") {
		t.Error("plain text contains an escape character")
	}
	if !strings.Contains(color.String(), ansiRed+"race"+ansiReset) {
		t.Error("coloured text does not colour the race verdict")
	}
	if diff := ansi.ReplaceAllString(color.String(), ""); diff != plain.String() {
		t.Errorf("coloured text without escapes differs from plain text:\n%s", diff)
	}
}
