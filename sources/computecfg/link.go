package computecfg

import (
	"slices"
	"strings"
)

// Link is what a Compute resource URL says about the resource it names:
//
//	https://www.googleapis.com/compute/v1/projects/P/global/backendServices/N
//	https://www.googleapis.com/compute/v1/projects/P/regions/R/healthChecks/N
//	projects/P/zones/Z/networkEndpointGroups/N (partial URLs are accepted)
type Link struct {
	Project    string
	Region     string // empty unless the resource is regional
	Zone       string // empty unless the resource is zonal
	Collection string // backendServices, healthChecks, networkEndpointGroups, instanceGroups ...
	Name       string
}

// Global says the resource is neither regional nor zonal.
func (l Link) Global() bool { return l.Region == "" && l.Zone == "" }

// ParseLink reads a full or partial Compute resource URL. It reports false
// when the URL is not of the form [.../projects/P/](global|regions/R|zones/Z)/COLLECTION/NAME.
func ParseLink(u string) (Link, bool) {
	// Drop a query or fragment: self links carry neither, but a hostile or
	// hand-written URL might.
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	segs := strings.Split(strings.Trim(u, "/"), "/")
	var l Link
	if i := slices.Index(segs, "projects"); i >= 0 {
		if i+1 >= len(segs) || segs[i+1] == "" {
			return Link{}, false
		}
		l.Project, segs = segs[i+1], segs[i+2:]
	}
	// Resource names may be "zones" or "regions" themselves, so the scope is
	// read by position, never searched for.
	if len(segs) == 0 {
		return Link{}, false
	}
	segs0 := segs[0]
	switch {
	case len(segs) == 3 && segs[0] == "global":
		segs = segs[1:]
	case len(segs) == 4 && segs[0] == "regions":
		l.Region, segs = segs[1], segs[2:]
	case len(segs) == 4 && segs[0] == "zones":
		l.Zone, segs = segs[1], segs[2:]
	default:
		return Link{}, false
	}
	l.Collection, l.Name = segs[0], segs[1]
	if l.Collection == "" || l.Name == "" || (segs0 != "global" && l.Region == "" && l.Zone == "") {
		return Link{}, false
	}
	return l, true
}

// lastSegment is the part of a URL after its last slash.
func lastSegment(u string) string {
	if i := strings.LastIndexByte(u, '/'); i >= 0 {
		return u[i+1:]
	}
	return u
}
