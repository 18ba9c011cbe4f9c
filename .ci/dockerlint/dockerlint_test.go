package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// ruleNames extracts "line: Rule" from lintDockerfile's problems.
func ruleNames(problems []string) []string {
	re := regexp.MustCompile(`^[^:]*(:\d+)*: (\w+):`)
	var out []string
	for _, p := range problems {
		if m := re.FindStringSubmatch(p); m != nil {
			out = append(out, m[2])
		} else {
			out = append(out, p)
		}
	}
	return out
}

func TestLintDockerfile(t *testing.T) {
	tests := []struct {
		name       string
		dockerfile string
		want       []string // rule names, "error" for a build error
		wantBases  []string
	}{
		{
			name: "clean multi-stage",
			dockerfile: "FROM golang:1.26 AS build\nARG VERSION=dev\nRUN go build -ldflags \"-X main.v=${VERSION}\" -o /x .\n" +
				"FROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /x /x\nUSER 65532:65532\nENTRYPOINT [\"/x\"]\n",
			wantBases: []string{"docker.io/library/golang:1.26", "gcr.io/distroless/static-debian12:nonroot"},
		},
		{
			name:       "shell-form entrypoint and cmd",
			dockerfile: "FROM scratch\nENTRYPOINT /x\nCMD serve\n",
			want:       []string{"JSONArgsRecommended", "JSONArgsRecommended"},
		},
		{
			name:       "casing, legacy ENV, stage name casing",
			dockerfile: "FROM golang:1.26 as build\nenv A 1\nFROM scratch\nCOPY --from=build /x /x\n",
			want:       []string{"ConsistentInstructionCasing", "FromAsCasing", "LegacyKeyValueFormat"},
			wantBases:  []string{"docker.io/library/golang:1.26"},
		},
		{
			name:       "undefined variable",
			dockerfile: "FROM scratch\nCOPY $NOPE /x\n",
			want:       []string{"UndefinedVar"},
		},
		{
			name:       "unknown instruction",
			dockerfile: "FORM scratch\n",
			want:       []string{"error"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems, bases, err := lintDockerfile(context.Background(), "Dockerfile", []byte(tt.dockerfile))
			if err != nil {
				t.Fatal(err)
			}
			got := ruleNames(problems)
			if diff := cmp.Diff(tt.want, got, sortStrings); diff != "" {
				t.Errorf("rules (-want +got):\n%s\nproblems: %q", diff, problems)
			}
			if tt.wantBases != nil {
				if diff := cmp.Diff(tt.wantBases, bases, sortStrings); diff != "" {
					t.Errorf("base images (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestExcludedFromContext(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":                "module example.com/m\n\ngo 1.26\n",
		"go.sum":                "",
		"cmd/app/main.go":       "package main\n\nimport _ \"example.com/m/web\"\n\nfunc main() {}\n",
		"cmd/app/main_test.go":  "package main\n",
		"web/web.go":            "package web\n\nimport \"embed\"\n\n//go:embed static\nvar Static embed.FS\n",
		"web/static/app.js":     "",
		"web/static/LICENSE.md": "",
		"web/testdata/x.json":   "",
		"unused/unused.go":      "package unused\n",
		"README.md":             "",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, dockerignore string
		want               []string
	}{
		{"tests, testdata, top README and unused code", "**/*_test.go\n**/testdata\n/README.md\nunused\n", nil},
		{"every markdown file", "**/*.md\n", []string{"web/static/LICENSE.md"}},
		{"go.sum", "go.*\n", []string{"go.mod", "go.sum"}},
		{"a whole package, re-included in part", "web\n!web/web.go\n", []string{"web/static/LICENSE.md", "web/static/app.js"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte(tt.dockerignore), 0o644); err != nil {
				t.Fatal(err)
			}
			got, n, err := excludedFromContext(context.Background(), dir, "./cmd/app")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("excluded (-want +got):\n%s", diff)
			}
			if n != 6 { // go.mod, go.sum, main.go, web.go, app.js, LICENSE.md
				t.Errorf("files read by the build = %d, want 6", n)
			}
		})
	}
}

// TestRepository is the check CI runs: negtrace's own Dockerfile and
// .dockerignore pass.
func TestRepository(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), "../..", "./cmd/negtrace", &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
}

var sortStrings = cmpopts.SortSlices(func(a, b string) bool { return a < b })
