package deploy_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/negtrace/negtrace/sources/computecfg/computewatch"
)

// installSection is the README's "Install on GKE" section, its
// subsections (Upgrade, Uninstall, Troubleshooting) included.
func installSection(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\n## Install on GKE\n")
	if i < 0 {
		t.Fatal(`README.md has no "## Install on GKE" section`)
	}
	s = s[i+1:]
	if j := strings.Index(s[3:], "\n## "); j >= 0 {
		s = s[:j+3]
	}
	for _, sub := range []string{"### Upgrade", "### Uninstall", "### Troubleshooting"} {
		if !strings.Contains(s, "\n"+sub+"\n") {
			t.Errorf("the install section has no %q", sub)
		}
	}
	return s
}

// TestReadmeInstallMatchesManifests checks that the README's install
// commands name what the manifests and the code define: a renamed
// namespace, service account, Deployment, Service or port, or a new IAM
// role, must show up in the README too.
func TestReadmeInstallMatchesManifests(t *testing.T) {
	readme := installSection(t)
	d := decodeAll(t, kustomizeBuild(t, exampleDir, nil))
	sa, dep, svc := d.serviceAccounts[0], theDeployment(t, d), d.services[0]

	// Workload Identity: the member is the Kubernetes service account.
	m := regexp.MustCompile(`svc\.id\.goog\[([^/\]]+)/([^\]]+)\]`).FindStringSubmatch(readme)
	if m == nil || m[1] != sa.Namespace || m[2] != sa.Name {
		t.Errorf("the workloadIdentityUser member names %v, want [%s/%s]", m, sa.Namespace, sa.Name)
	}
	if want := "/ns/" + sa.Namespace + "/sa/" + sa.Name; !strings.Contains(readme, want) {
		t.Errorf("the Workload Identity principal lacks %q", want)
	}

	// The roles granted are those the sources ask for in their messages.
	var granted []string
	for _, g := range regexp.MustCompile(`add-iam-policy-binding \$PROJECT [^\n]*--role=(\S+)`).FindAllStringSubmatch(readme, -1) {
		granted = append(granted, g[1])
	}
	for _, role := range []string{"roles/logging.viewer", computewatch.Role} {
		if !slices.Contains(granted, role) {
			t.Errorf("the install grants %v, not %s", granted, role)
		}
		if !strings.Contains(readme, "remove-iam-policy-binding $PROJECT --member=serviceAccount:$SA --role="+role) {
			t.Errorf("the uninstall does not remove %s", role)
		}
	}

	// kubectl commands name the real objects.
	for _, want := range []string{
		"kubectl -n " + dep.Namespace + " rollout status deploy/" + dep.Name,
		"kubectl -n " + svc.Namespace + " port-forward svc/" + svc.Name,
	} {
		if !strings.Contains(readme, want) {
			t.Errorf("the install section lacks %q", want)
		}
	}
	if pf := regexp.MustCompile(`port-forward svc/\S+ (\d+):(\d+)`).FindStringSubmatch(readme); pf == nil ||
		pf[2] != strconv.Itoa(int(svc.Spec.Ports[0].Port)) {
		t.Errorf("port-forward %v, want the Service's port %d", pf, svc.Spec.Ports[0].Port)
	}

	// Every path under deploy/ it names exists (deploy/overlays/prod is the copy
	// the reader makes).
	for _, p := range regexp.MustCompile(`deploy/[\w.-]+/[\w./-]*\w`).FindAllString(readme, -1) {
		if strings.HasPrefix(p, "deploy/overlays/prod") {
			continue
		}
		if _, err := os.Stat(filepath.Join("..", p)); err != nil {
			t.Errorf("the README names %s: %v", p, err)
		}
	}

	// The image build: the Dockerfile's version argument.
	df, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(df), "ARG VERSION") || !strings.Contains(readme, "--build-arg VERSION=") {
		t.Error("the README's build command and the Dockerfile disagree on the VERSION build argument")
	}
}
