package main

import "runtime/debug"

// buildVersion is set at build time with -ldflags "-X main.buildVersion=v1.2.3".
var buildVersion = ""

// version returns the release version, else the module version or VCS
// revision recorded by the Go toolchain.
func version() string {
	if buildVersion != "" {
		return buildVersion
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "devel-" + s.Value[:12]
		}
	}
	return "devel"
}
