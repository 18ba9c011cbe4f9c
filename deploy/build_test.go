// Package deploy_test validates negtrace's Kubernetes manifests without a
// cluster: the kustomize base, components and example overlay build (with
// kustomize as a library), every object decodes strictly into client-go's
// types (custom resources into local structs), the RBAC is read-only, the
// pod is hardened, the alert rules in the PrometheusRule are those of
// deploy/prometheus/negtrace-rules.yaml, and the Dockerfile agrees with the
// Deployment. With a local kube-apiserver (sources/kube/kubetest) the
// objects are also created in dry-run mode, under Pod Security admission.
//
// go test ./deploy -update rewrites the rule custom resources from the
// rules file.
package deploy_test

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

var update = flag.Bool("update", false, "rewrite the rule custom resources from deploy/prometheus/negtrace-rules.yaml")

// Kustomizations, relative to this folder.
const (
	baseDir    = "base"
	exampleDir = "overlays/example"
	gmpDir     = "components/google-managed-prometheus"
	operDir    = "components/prometheus-operator"
)

// object is one object of a kustomize build.
type object struct {
	APIVersion, Kind, Name, Namespace string
	YAML                              []byte
}

// id names an object in messages.
func (o object) id() string {
	if o.Namespace == "" {
		return o.Kind + " " + o.Name
	}
	return o.Kind + " " + o.Namespace + "/" + o.Name
}

// deployFS is this folder's YAML files in memory, under /deploy, plus
// extra files (path relative to /deploy: content).
func deployFS(t *testing.T, extra map[string]string) filesys.FileSystem {
	t.Helper()
	fs := filesys.MakeFsInMemory()
	err := filepath.WalkDir(".", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".yaml" {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return fs.WriteFile(filepath.Join("/deploy", p), b)
	})
	if err != nil {
		t.Fatal(err)
	}
	for p, content := range extra {
		if err := fs.WriteFile(filepath.Join("/deploy", p), []byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	return fs
}

// kustomizeBuild runs "kustomize build dir" (dir relative to this folder)
// as a library, on this folder's files plus extra ones, and returns the
// objects it emits.
func kustomizeBuild(t *testing.T, dir string, extra map[string]string) []object {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	m, err := k.Run(deployFS(t, extra), filepath.Join("/deploy", dir))
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	var objs []object
	for _, r := range m.Resources() {
		y, err := r.AsYAML()
		if err != nil {
			t.Fatalf("kustomize build %s: %s %s: %v", dir, r.GetKind(), r.GetName(), err)
		}
		objs = append(objs, object{APIVersion: r.GetApiVersion(), Kind: r.GetKind(), Name: r.GetName(), Namespace: r.GetNamespace(), YAML: y})
	}
	return objs
}

// build is one kustomization under test and what it must emit.
type build struct {
	name  string
	dir   string            // relative to this folder
	extra map[string]string // extra files: a kustomization combining the others
	kinds []string          // kinds of the objects, sorted
}

// combine is a kustomization adding components to a base.
func combine(base string, components ...string) string {
	k := "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../" + base + "\ncomponents:\n"
	for _, c := range components {
		k += "  - ../../" + c + "\n"
	}
	return k
}

var coreKinds = []string{"ClusterRole", "ClusterRoleBinding", "ConfigMap", "Deployment", "Namespace", "PersistentVolumeClaim", "Service", "ServiceAccount"}

// builds are every way the manifests are meant to be built.
func builds() []build {
	plus := func(kinds ...string) []string {
		out := append(slices.Clone(coreKinds), kinds...)
		slices.Sort(out)
		return out
	}
	return []build{
		{name: "base", dir: baseDir, kinds: plus()},
		{name: "example overlay", dir: exampleDir, kinds: plus("PodMonitoring", "Rules")},
		{name: "base with Google Managed Prometheus", dir: "test/gmp", extra: map[string]string{"test/gmp/kustomization.yaml": combine(baseDir, gmpDir)}, kinds: plus("PodMonitoring", "Rules")},
		{name: "base with Prometheus Operator", dir: "test/oper", extra: map[string]string{"test/oper/kustomization.yaml": combine(baseDir, operDir)}, kinds: plus("PrometheusRule", "ServiceMonitor")},
		{name: "example overlay with both", dir: "test/both", extra: map[string]string{"test/both/kustomization.yaml": combine(exampleDir, operDir)}, kinds: plus("PodMonitoring", "PrometheusRule", "Rules", "ServiceMonitor")},
	}
}

// forEachBuild runs f on the objects of every build, in subtests.
func forEachBuild(t *testing.T, f func(t *testing.T, objs []object)) {
	for _, b := range builds() {
		t.Run(b.name, func(t *testing.T) { f(t, kustomizeBuild(t, b.dir, b.extra)) })
	}
}

func TestKustomizeBuild(t *testing.T) {
	for _, b := range builds() {
		t.Run(b.name, func(t *testing.T) {
			objs := kustomizeBuild(t, b.dir, b.extra)
			var kinds []string
			for _, o := range objs {
				kinds = append(kinds, o.Kind)
				// Everything namespaced lives in negtrace's namespace.
				if o.Namespace != "" && o.Namespace != "negtrace" {
					t.Errorf("%s: namespace %q, want negtrace", o.id(), o.Namespace)
				}
			}
			slices.Sort(kinds)
			if !slices.Equal(kinds, b.kinds) {
				t.Errorf("kinds = %v, want %v", kinds, b.kinds)
			}
		})
	}
}
