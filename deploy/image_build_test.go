package deploy_test

import (
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// dockerfileGoBuild returns the shell command of the Dockerfile's "RUN ...
// go build" step, without its --mount flags.
func dockerfileGoBuild(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	stages, err := parseDockerfile(string(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range stages[0].find("RUN") {
		if !strings.Contains(in.args, "go build") {
			continue
		}
		return regexp.MustCompile(`^(--mount=\S+\s+)+`).ReplaceAllString(in.args, "")
	}
	t.Fatal("the Dockerfile's build stage has no RUN ... go build")
	return ""
}

// TestImageBinary runs the Dockerfile's own build step outside Docker
// (there is no engine on CI machines), with the build arguments a release
// passes, and checks what the final image relies on: the binary is static
// (distroless/static has no libc or loader) and "negtrace version" prints
// the VERSION build argument (negtrace_build_info reports the same value).
func TestImageBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the whole binary: not with -short")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to run the Dockerfile's RUN step")
	}
	cmdline := dockerfileGoBuild(t)
	out := filepath.Join(t.TempDir(), "negtrace")
	if !strings.Contains(cmdline, "-o /out/negtrace") {
		t.Fatalf("the build step writes elsewhere than /out/negtrace, the path the final stage copies: %s", cmdline)
	}
	cmdline = strings.Replace(cmdline, "-o /out/negtrace", "-o "+out, 1)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	const release = "v9.8.7-test"
	build := exec.CommandContext(ctx, sh, "-c", cmdline)
	build.Dir = ".." // the build context's root
	build.Env = append(os.Environ(), "VERSION="+release, "TARGETOS=linux", "TARGETARCH="+runtime.GOARCH)
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the Dockerfile's build step (%s): %v\n%s", cmdline, err, b)
	}

	f, err := elf.Open(out)
	if err != nil {
		t.Fatalf("the binary is not a Linux ELF file: %v", err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("the binary is dynamically linked (program header %v): it would not start on distroless/static", p.Type)
		}
	}
	if runtime.GOOS != "linux" {
		return
	}
	got, err := exec.CommandContext(ctx, out, "version").Output()
	if err != nil {
		t.Fatalf("negtrace version: %v", err)
	}
	if !strings.Contains(string(got), release) {
		t.Errorf("negtrace version printed %q, want the VERSION build argument %q", got, release)
	}
}
