// Package render writes an analyzer.Report in the formats negtrace offers:
// a terminal summary (text), the stable JSON contract (json), a
// postmortem-ready document (markdown) and a self-contained, offline HTML
// page with an SVG timeline (html).
//
// Every function only reads the report; none mutates it. Values that came
// from outside (URLs, user agents, pod names, problems) are escaped for the
// format they are written in.
package render

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/negtrace/negtrace/analyzer"
)

// Format names accepted by --format.
const (
	FormatText     = "text"
	FormatJSON     = "json"
	FormatMarkdown = "markdown"
	FormatHTML     = "html"
)

// Formats returns the accepted format names, the default first.
func Formats() []string {
	return []string{FormatText, FormatJSON, FormatMarkdown, FormatHTML}
}

// Options tune the human-readable formats. The zero value is valid.
type Options struct {
	// Color adds ANSI colours to the text format. Set it only when
	// writing to a terminal.
	Color bool
	// Width is the terminal width the text format wraps and truncates
	// to; 0 means 100.
	Width int
	// Generated is the time shown in the Markdown and HTML footers; the
	// zero time omits it, which keeps output reproducible.
	Generated time.Time
	// Version is the negtrace version shown in the Markdown and HTML
	// footers; empty omits it.
	Version string
}

// ErrUnknownFormat is returned by Write for a format not in Formats.
var ErrUnknownFormat = errors.New("unknown format")

// errNilReport is returned when a nil report is passed.
var errNilReport = errors.New("nil report")

// Write writes r to w in the named format.
func Write(w io.Writer, format string, r *analyzer.Report, opts Options) error {
	switch format {
	case FormatText:
		return Text(w, r, opts)
	case FormatJSON:
		return JSON(w, r)
	case FormatMarkdown:
		return Markdown(w, r, opts)
	case FormatHTML:
		return HTML(w, r, opts)
	}
	return fmt.Errorf("render: %w %q (want one of %v)", ErrUnknownFormat, format, Formats())
}
