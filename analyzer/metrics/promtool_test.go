package metrics

import (
	"bytes"
	"os"
	"os/exec"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

// promtool returns the path of Prometheus's promtool (Debian package
// "prometheus"). Without it the test fails in CI (CI=true), where the
// alert rules and the exposition must be checked, and is skipped elsewhere.
func promtool(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		// Debian's place for it, should PATH be minimal.
		path, err = exec.LookPath("/usr/bin/promtool")
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("promtool not found (apt-get install prometheus): %v", err)
		}
		t.Skipf("promtool not found (apt-get install prometheus): %v", err)
	}
	return path
}

// runPromtool runs promtool with args in dir, feeding it stdin, and fails
// the test with its output when it exits with an error.
func runPromtool(t *testing.T, dir string, stdin []byte, args ...string) string {
	t.Helper()
	cmd := exec.Command(promtool(t), args...)
	cmd.Dir = dir
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// TestPromtoolCheckMetrics lints the whole /metrics exposition, the Go,
// process and build-info collectors included, with promtool.
func TestPromtoolCheckMetrics(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	if err := Register(reg, testSnapshot, "v1.2.3"); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			t.Fatal(err)
		}
	}
	text := buf.Bytes()
	if !bytes.Contains(text, []byte(`negtrace_build_info{version="v1.2.3"} 1`)) || !bytes.Contains(text, []byte("go_build_info{")) {
		t.Errorf("build info missing from the exposition:\n%s", text)
	}
	if out := runPromtool(t, ".", text, "check", "metrics"); out != "" {
		t.Errorf("promtool check metrics:\n%s", out)
	}
}
