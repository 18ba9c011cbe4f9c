package metrics

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/negtrace/negtrace/analyzer"
)

// Label values for what the report leaves unknown or unbounded.
const (
	unknownWorkload = "(unknown)" // a termination the analyzer could not tie to any workload
	unownedWorkload = "(unowned)" // pods with no controller, collapsed per namespace: "ns/(unowned)"
	invalidStatus   = "invalid"   // an HTTP status outside 100-599
)

// clean makes s a valid label value: Prometheus rejects invalid UTF-8, and
// every value here comes from outside input.
func clean(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// statusLabel is the status code as a label value; codes outside the HTTP
// range (hostile or broken logs) share one value so they cannot multiply
// series.
func statusLabel(code int) string {
	if !validStatus(code) {
		return invalidStatus
	}
	return strconv.Itoa(code)
}

// workloads maps the analyzer's workload names to label values. The
// analyzer names a pod with no controller by itself ("ns/pod"), which would
// put pod names in labels; such pods share one value per namespace.
type workloads struct {
	unowned map[string]bool // workload names that are pod names
}

// newWorkloads learns which workload names are pod names from the report's
// terminations.
func newWorkloads(terms []analyzer.Termination) workloads {
	w := workloads{unowned: make(map[string]bool)}
	for _, t := range terms {
		if t.Workload != "" && t.Workload == t.Pod {
			w.unowned[t.Workload] = true
		}
	}
	return w
}

// label returns the label value for workload name.
func (w workloads) label(name string) string {
	switch {
	case name == "":
		return unknownWorkload
	case w.unowned[name]:
		ns, _, _ := strings.Cut(name, "/")
		return clean(ns) + "/" + unownedWorkload
	}
	return clean(name)
}

// isPod reports whether workload name is a pod's own name, whose settings
// cannot be patched into any template and have no series of their own.
func (w workloads) isPod(name string) bool {
	return w.unowned[name]
}

// validStatus reports whether code is in the HTTP status range.
func validStatus(code int) bool {
	return code >= 100 && code <= 599
}
