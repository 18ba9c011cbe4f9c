// Package display holds the small pieces of presentation that the report
// renderers (package render) and the web UI (package web) share, so that a
// number, a window, a CSS class or the order of terminations reads the same
// in a downloaded report and on the page that offered it: thousands
// separators, percentages, seconds, the analysis window, the CSS classes
// of causes, verdicts and actions, and the display order of terminations.
//
// Every function returns raw text; the caller escapes it for its format.
package display
