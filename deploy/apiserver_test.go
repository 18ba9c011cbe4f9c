package deploy_test

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/negtrace/negtrace/sources/kube/kubetest"
)

// resources maps the core kinds of the manifests to their API resources.
var resources = map[string]schema.GroupVersionResource{
	"Namespace":             {Version: "v1", Resource: "namespaces"},
	"ServiceAccount":        {Version: "v1", Resource: "serviceaccounts"},
	"ConfigMap":             {Version: "v1", Resource: "configmaps"},
	"PersistentVolumeClaim": {Version: "v1", Resource: "persistentvolumeclaims"},
	"Service":               {Version: "v1", Resource: "services"},
	"Deployment":            {Group: "apps", Version: "v1", Resource: "deployments"},
	"ClusterRole":           {Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterroles"},
	"ClusterRoleBinding":    {Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterrolebindings"},
}

// warnings collects the API server's warnings (e.g. Pod Security "warn").
type warnings struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnings) HandleWarningHeaderWithContext(_ context.Context, _ int, _ string, msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, msg)
}

func (w *warnings) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	m := w.msgs
	w.msgs = nil
	return m
}

// TestAPIServerAcceptsManifests sends the example overlay's core objects to
// a real kube-apiserver: the namespace is created (with its Pod Security
// labels), everything else in server-side dry-run, with no warning; then
// the Deployment's pod itself, which the namespace's "restricted" Pod
// Security admission must let in. The monitoring custom resources are
// checked by the other tests (the server has no CRDs for them).
func TestAPIServerAcceptsManifests(t *testing.T) {
	cfg := rest.CopyConfig(kubetest.StartAPIServer(t))
	warn := &warnings{}
	cfg.WarningHandlerWithContext = warn
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()

	objs := kustomizeBuild(t, exampleDir, nil)
	d := decodeAll(t, objs)
	// The namespace first, for real: namespaced objects need it.
	first := func(o object) int {
		if o.Kind == "Namespace" {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(objs, func(a, b object) int { return cmp.Compare(first(a), first(b)) })
	dryRun := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldValidation: "Strict"}
	for _, o := range objs {
		gvr, ok := resources[o.Kind]
		if !ok {
			if !strings.HasPrefix(o.APIVersion, "monitoring.") {
				t.Errorf("%s: no API resource known", o.id())
			}
			continue
		}
		var u unstructured.Unstructured
		if err := yaml.Unmarshal(o.YAML, &u.Object); err != nil {
			t.Fatalf("%s: %v", o.id(), err)
		}
		var ri dynamic.ResourceInterface = dyn.Resource(gvr)
		if o.Namespace != "" {
			ri = dyn.Resource(gvr).Namespace(o.Namespace)
		}
		opts := dryRun
		if o.Kind == "Namespace" {
			opts = metav1.CreateOptions{FieldValidation: "Strict"}
		}
		if _, err := ri.Create(ctx, &u, opts); err != nil {
			t.Errorf("create %s (dry run %v): %v", o.id(), opts.DryRun, err)
		}
		if w := warn.take(); len(w) > 0 {
			t.Errorf("create %s: API server warnings: %q", o.id(), w)
		}
	}

	// The pod the Deployment would create, under "restricted" enforcement.
	dep := d.deployments[0]
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: dep.Namespace, GenerateName: dep.Name + "-", Labels: dep.Spec.Template.Labels},
		Spec:       dep.Spec.Template.Spec,
	}
	if _, err := cs.CoreV1().Pods(pod.Namespace).Create(ctx, pod, dryRun); err != nil {
		t.Errorf("create the Deployment's pod (dry run): %v", err)
	}
	if w := warn.take(); len(w) > 0 {
		t.Errorf("create the Deployment's pod: API server warnings: %q", w)
	}

	// The checks are real: a pod that may escalate privileges is refused,
	// and a Deployment of such pods draws a warning.
	bad := pod.DeepCopy()
	bad.Spec.Containers[0].SecurityContext.AllowPrivilegeEscalation = new(true)
	_, err = cs.CoreV1().Pods(pod.Namespace).Create(ctx, bad, dryRun)
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "PodSecurity") {
		t.Errorf("a pod with allowPrivilegeEscalation: %v, want forbidden by PodSecurity", err)
	}
	badDep := dep.DeepCopy()
	badDep.Spec.Template.Spec = bad.Spec
	if _, err := cs.AppsV1().Deployments(dep.Namespace).Create(ctx, badDep, dryRun); err != nil {
		t.Errorf("a Deployment with allowPrivilegeEscalation: %v", err)
	}
	if w := warn.take(); !slices.ContainsFunc(w, func(m string) bool { return strings.Contains(m, "allowPrivilegeEscalation") }) {
		t.Errorf("a Deployment with allowPrivilegeEscalation: warnings %q, want one about it", w)
	}
}
