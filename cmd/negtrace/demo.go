package main

import (
	"embed"
	"io/fs"
)

// The bundled demo incident: the evidence files of the simulator's
// rollout-race scenario (testdata/scenarios/rollout-race, without its ground
// truth), copied here because go:embed cannot reach outside this folder.
// TestDemoMatchesScenario keeps the copy in step; refresh it with go generate.
//
//go:generate sh -c "rm -rf demo/rollout-race && mkdir -p demo/rollout-race && cd ../../testdata/scenarios/rollout-race && cp endpointslices.json events.json lb-requests.jsonl.gz neg-audit.json pods.json services.json ../../../cmd/negtrace/demo/rollout-race/"
//go:embed demo
var demoFiles embed.FS

// demoScenario names the bundled demo incident.
const demoScenario = "rollout-race"

// demoFS returns the demo incident's files, at the root of the returned FS
// under the folder demoScenario.
func demoFS() fs.FS {
	sub, err := fs.Sub(demoFiles, "demo")
	if err != nil {
		panic(err) // "demo" is a valid path inside an embed.FS by construction
	}
	return sub
}
