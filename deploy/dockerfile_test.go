package deploy_test

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// A light hand check of the Dockerfile, in the main module without BuildKit
// (.ci/dockerlint runs BuildKit's full linter in its own module): the image
// is what the Deployment assumes.

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	line int    // where it starts
	cmd  string // upper case
	args string
}

// stage is a FROM and the instructions after it.
type stage struct {
	base, name string
	from       instruction
	body       []instruction
}

// parseDockerfile splits a Dockerfile into stages. It knows comments,
// parser directives (comments to it), line continuations with "\" and
// flags on FROM; that is all negtrace's Dockerfile uses.
func parseDockerfile(src string) ([]stage, error) {
	var (
		stages []stage
		cur    *instruction
		insts  []instruction
	)
	for i, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && cur == nil) {
			continue // comments are dropped even inside a continuation
		}
		if cur == nil {
			cmd, args, _ := strings.Cut(trimmed, " ")
			cur = &instruction{line: i + 1, cmd: strings.ToUpper(cmd)}
			trimmed = args
		}
		more := strings.HasSuffix(trimmed, `\`)
		cur.args = strings.TrimSpace(cur.args + " " + strings.TrimSuffix(trimmed, `\`))
		if !more {
			insts = append(insts, *cur)
			cur = nil
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("line %d: continuation at end of file", cur.line)
	}
	for _, in := range insts {
		if in.cmd == "FROM" {
			var words []string
			for _, w := range strings.Fields(in.args) {
				if !strings.HasPrefix(w, "--") {
					words = append(words, w)
				}
			}
			st := stage{from: in}
			switch {
			case len(words) == 1:
				st.base = words[0]
			case len(words) == 3 && strings.EqualFold(words[1], "AS"):
				st.base, st.name = words[0], words[2]
			default:
				return nil, fmt.Errorf("line %d: FROM %s", in.line, in.args)
			}
			stages = append(stages, st)
			continue
		}
		if len(stages) == 0 {
			if in.cmd != "ARG" {
				return nil, fmt.Errorf("line %d: %s before FROM", in.line, in.cmd)
			}
			continue
		}
		stages[len(stages)-1].body = append(stages[len(stages)-1].body, in)
	}
	if len(stages) == 0 {
		return nil, fmt.Errorf("no FROM")
	}
	return stages, nil
}

// find returns the stage's instructions of one kind.
func (s stage) find(cmd string) []instruction {
	var out []instruction
	for _, in := range s.body {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

// execForm decodes an exec-form (JSON array) argument list.
func execForm(in instruction) ([]string, error) {
	var v []string
	if err := json.Unmarshal([]byte(in.args), &v); err != nil {
		return nil, fmt.Errorf("line %d: %s %s is in shell form, want a JSON array: %w", in.line, in.cmd, in.args, err)
	}
	return v, nil
}

// checkDockerfile returns what is wrong with a Dockerfile for negtrace.
func checkDockerfile(src string) []string {
	stages, err := parseDockerfile(src)
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	if len(stages) < 2 {
		bad("%d stage(s), want a multi-stage build", len(stages))
		return problems
	}
	for _, st := range stages {
		if !strings.Contains(st.base, ":") || strings.HasSuffix(st.base, ":latest") {
			bad("line %d: base %s: pin a tag other than latest", st.from.line, st.base)
		}
	}

	// The build stage: a static, trimmed binary with the version compiled in.
	build := stages[0]
	if !strings.HasPrefix(build.base, "golang:") {
		bad("build stage base %s, want golang:", build.base)
	}
	if !slices.ContainsFunc(build.find("ARG"), func(in instruction) bool { return strings.HasPrefix(in.args, "VERSION=") || in.args == "VERSION" }) {
		bad("the build stage declares no ARG VERSION")
	}
	goBuild := slices.IndexFunc(build.find("RUN"), func(in instruction) bool { return strings.Contains(in.args, "go build") })
	if goBuild < 0 {
		bad("no RUN ... go build in the build stage")
	} else {
		run := build.find("RUN")[goBuild].args
		for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-s -w", "-X main.buildVersion=${VERSION}", "./cmd/negtrace"} {
			if !strings.Contains(run, want) {
				bad("go build lacks %s: %s", want, run)
			}
		}
	}

	// The final stage: no shell, a non-root numeric user, exec-form entry.
	final := stages[len(stages)-1]
	if !strings.HasPrefix(final.base, "gcr.io/distroless/") && final.base != "scratch" {
		bad("final stage base %s, want distroless or scratch", final.base)
	}
	if runs := final.find("RUN"); len(runs) > 0 || len(final.find("SHELL")) > 0 {
		bad("the final stage runs commands (line %d): it has no shell", final.from.line)
	}
	users := final.find("USER")
	if len(users) == 0 {
		bad("the final stage sets no USER: it would run as root")
	} else if u := users[len(users)-1].args; u != fmt.Sprintf("%d:%d", runtimeUID, runtimeUID) {
		bad("USER %s, want the numeric non-root %d:%d (runAsNonRoot can only verify a numeric user)", u, runtimeUID, runtimeUID)
	}
	entry, cmd := final.find("ENTRYPOINT"), final.find("CMD")
	if len(entry) != 1 {
		bad("%d ENTRYPOINT(s) in the final stage, want 1", len(entry))
	} else if v, err := execForm(entry[0]); err != nil {
		bad("%v", err)
	} else if !slices.Equal(v, []string{"/negtrace"}) {
		bad("ENTRYPOINT %v, want [/negtrace]", v)
	}
	if len(cmd) != 1 {
		bad("%d CMD(s) in the final stage, want 1", len(cmd))
	} else if v, err := execForm(cmd[0]); err != nil {
		bad("%v", err)
	} else if !slices.Equal(v, wantArgs[:3]) {
		bad("CMD %v, want %v", v, wantArgs[:3])
	}
	if !slices.ContainsFunc(final.find("EXPOSE"), func(in instruction) bool { return in.args == fmt.Sprint(listenPort) }) {
		bad("no EXPOSE %d", listenPort)
	}
	if !slices.ContainsFunc(final.find("VOLUME"), func(in instruction) bool { return strings.Contains(in.args, `"`+stateDir+`"`) }) {
		bad("no VOLUME [%q]", stateDir)
	}
	chown := regexp.MustCompile(fmt.Sprintf(`^--from=\S+ --chown=%d:%d \S+ %s$`, runtimeUID, runtimeUID, regexp.QuoteMeta(stateDir)))
	if !slices.ContainsFunc(final.find("COPY"), func(in instruction) bool { return chown.MatchString(in.args) }) {
		bad("%s is not created owned by %d (COPY --from=... --chown=%d:%d ... %s)", stateDir, runtimeUID, runtimeUID, runtimeUID, stateDir)
	}
	return problems
}

func TestDockerfile(t *testing.T) {
	src, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if problems := checkDockerfile(string(src)); len(problems) > 0 {
		t.Errorf("Dockerfile:\n%s", strings.Join(problems, "\n"))
	}
	// -X main.buildVersion=... sets nothing if the variable is renamed.
	version, err := os.ReadFile("../cmd/negtrace/version.go")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^var buildVersion = ""`).Match(version) {
		t.Error(`cmd/negtrace/version.go has no "var buildVersion", which the Dockerfile sets with -X main.buildVersion`)
	}
}

// TestDockerfileCheckCatches mutates the real Dockerfile and checks that
// each mistake is reported.
func TestDockerfileCheckCatches(t *testing.T) {
	raw, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	src := string(raw)
	tests := []struct {
		name, old, new, want string
	}{
		{"shell-form entrypoint", `ENTRYPOINT ["/negtrace"]`, `ENTRYPOINT /negtrace`, "shell form"},
		{"shell-form cmd", `CMD ["serve", "--listen", ":8080"]`, `CMD serve --listen :8080`, "shell form"},
		{"root user", "USER 65532:65532", "USER root", "USER root"},
		{"no user", "USER 65532:65532\n", "", "no USER"},
		{"debian base", "FROM gcr.io/distroless/static-debian12:nonroot", "FROM debian:12", "want distroless or scratch"},
		{"latest base", "FROM gcr.io/distroless/static-debian12:nonroot", "FROM gcr.io/distroless/static-debian12:latest", "other than latest"},
		{"a shell in the final stage", "USER 65532:65532", "RUN mkdir /x\nUSER 65532:65532", "no shell"},
		{"no version arg", "ARG VERSION=dev\nARG TARGETOS", "ARG TARGETOS", "no ARG VERSION"},
		{"cgo on", "CGO_ENABLED=0 GOOS", "CGO_ENABLED=1 GOOS", "lacks CGO_ENABLED=0"},
		{"version not compiled in", " -X main.buildVersion=${VERSION}", "", "lacks -X main.buildVersion"},
		{"single stage", "FROM gcr.io/distroless/static-debian12:nonroot", "", "want a multi-stage build"},
		{"unowned state folder", "--chown=65532:65532 ", "", "is not created owned"},
		{"no volume", `VOLUME ["/var/lib/negtrace"]`, "", "no VOLUME"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(src, tt.old) {
				t.Fatalf("the Dockerfile has no %q to mutate", tt.old)
			}
			problems := checkDockerfile(strings.Replace(src, tt.old, tt.new, 1))
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tt.want) }) {
				t.Errorf("problems %q, want one containing %q", problems, tt.want)
			}
		})
	}
}
