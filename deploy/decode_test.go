package deploy_test

import (
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

// strictDecoder decodes YAML or JSON into client-go's registered types and
// fails on unknown and duplicate fields.
var strictDecoder = serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDeserializer()

// podMonitoring is the part of Google Managed Prometheus' PodMonitoring
// (monitoring.googleapis.com/v1) negtrace uses.
type podMonitoring struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   metav1.ObjectMeta `json:"metadata"`
	Spec       struct {
		Selector  metav1.LabelSelector `json:"selector"`
		Endpoints []struct {
			Port     intstr.IntOrString `json:"port"`
			Path     string             `json:"path,omitempty"`
			Interval string             `json:"interval,omitempty"`
			Timeout  string             `json:"timeout,omitempty"`
		} `json:"endpoints"`
	} `json:"spec"`
}

// serviceMonitor is the part of the Prometheus Operator's ServiceMonitor
// (monitoring.coreos.com/v1) negtrace uses.
type serviceMonitor struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   metav1.ObjectMeta `json:"metadata"`
	Spec       struct {
		JobLabel          string               `json:"jobLabel,omitempty"`
		Selector          metav1.LabelSelector `json:"selector"`
		NamespaceSelector struct {
			Any        bool     `json:"any,omitempty"`
			MatchNames []string `json:"matchNames,omitempty"`
		} `json:"namespaceSelector"`
		Endpoints []struct {
			Port          string `json:"port"`
			Path          string `json:"path,omitempty"`
			Interval      string `json:"interval,omitempty"`
			ScrapeTimeout string `json:"scrapeTimeout,omitempty"`
		} `json:"endpoints"`
	} `json:"spec"`
}

// decoded is a build's objects decoded strictly.
type decoded struct {
	namespaces      []*corev1.Namespace
	serviceAccounts []*corev1.ServiceAccount
	configMaps      []*corev1.ConfigMap
	pvcs            []*corev1.PersistentVolumeClaim
	services        []*corev1.Service
	deployments     []*appsv1.Deployment
	clusterRoles    []*rbacv1.ClusterRole
	clusterBindings []*rbacv1.ClusterRoleBinding
	roles           []*rbacv1.Role
	roleBindings    []*rbacv1.RoleBinding
	podMonitorings  []*podMonitoring
	serviceMonitors []*serviceMonitor
	ruleCRs         []*ruleCR
}

// decodeStrict decodes one object: core kinds into client-go's types, the
// monitoring custom resources into the local structs, both rejecting
// unknown and duplicate fields.
func decodeStrict(o object, into *decoded) error {
	crd := func(v any) error {
		if err := yaml.UnmarshalStrict(o.YAML, v); err != nil {
			return fmt.Errorf("%s: %w", o.id(), err)
		}
		return nil
	}
	switch o.APIVersion + " " + o.Kind {
	case "monitoring.googleapis.com/v1 PodMonitoring":
		var pm podMonitoring
		into.podMonitorings = append(into.podMonitorings, &pm)
		return crd(&pm)
	case "monitoring.coreos.com/v1 ServiceMonitor":
		var sm serviceMonitor
		into.serviceMonitors = append(into.serviceMonitors, &sm)
		return crd(&sm)
	case "monitoring.coreos.com/v1 PrometheusRule", "monitoring.googleapis.com/v1 Rules":
		var r ruleCR
		into.ruleCRs = append(into.ruleCRs, &r)
		return crd(&r)
	}
	obj, gvk, err := strictDecoder.Decode(o.YAML, nil, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", o.id(), err)
	}
	if gvk.GroupVersion().String() != o.APIVersion || gvk.Kind != o.Kind {
		return fmt.Errorf("%s: decoded as %s", o.id(), gvk)
	}
	switch v := obj.(type) {
	case *corev1.Namespace:
		into.namespaces = append(into.namespaces, v)
	case *corev1.ServiceAccount:
		into.serviceAccounts = append(into.serviceAccounts, v)
	case *corev1.ConfigMap:
		into.configMaps = append(into.configMaps, v)
	case *corev1.PersistentVolumeClaim:
		into.pvcs = append(into.pvcs, v)
	case *corev1.Service:
		into.services = append(into.services, v)
	case *appsv1.Deployment:
		into.deployments = append(into.deployments, v)
	case *rbacv1.ClusterRole:
		into.clusterRoles = append(into.clusterRoles, v)
	case *rbacv1.ClusterRoleBinding:
		into.clusterBindings = append(into.clusterBindings, v)
	case *rbacv1.Role:
		into.roles = append(into.roles, v)
	case *rbacv1.RoleBinding:
		into.roleBindings = append(into.roleBindings, v)
	default:
		return fmt.Errorf("%s: unexpected kind %T", o.id(), obj)
	}
	return nil
}

// decodeAll decodes a build strictly, failing the test on any error.
func decodeAll(t *testing.T, objs []object) *decoded {
	t.Helper()
	var d decoded
	for _, o := range objs {
		if err := decodeStrict(o, &d); err != nil {
			t.Error(err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return &d
}

func TestManifestsDecodeStrictly(t *testing.T) {
	forEachBuild(t, func(t *testing.T, objs []object) {
		d := decodeAll(t, objs)
		if len(d.deployments) != 1 || len(d.services) != 1 || len(d.serviceAccounts) != 1 || len(d.pvcs) != 1 || len(d.configMaps) != 1 {
			t.Errorf("want one each of Deployment, Service, ServiceAccount, PVC, ConfigMap; got %d, %d, %d, %d, %d",
				len(d.deployments), len(d.services), len(d.serviceAccounts), len(d.pvcs), len(d.configMaps))
		}
	})
}

// TestStrictDecoderRejects checks that the decoding above is strict: a
// misspelt or duplicated field, or a custom resource field the local
// structs do not know, fails.
func TestStrictDecoderRejects(t *testing.T) {
	tests := []struct {
		name string
		obj  object
		want string
	}{
		{"unknown field", object{APIVersion: "apps/v1", Kind: "Deployment", Name: "x", YAML: []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replica: 1\n")}, `unknown field "spec.replica"`},
		{"duplicate field", object{APIVersion: "v1", Kind: "Service", Name: "x", YAML: []byte("apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  type: ClusterIP\n  type: NodePort\n")}, `"type" already set`},
		{"misplaced field", object{APIVersion: "apps/v1", Kind: "Deployment", Name: "x", YAML: []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          runAsNonRoot: true\n")}, `unknown field "spec.template.spec.containers[0].runAsNonRoot"`},
		{"unknown kind", object{APIVersion: "example.com/v1", Kind: "Thing", Name: "x", YAML: []byte("apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: x}\n")}, "no kind"},
		{"custom resource", object{APIVersion: "monitoring.coreos.com/v1", Kind: "ServiceMonitor", Name: "x", YAML: []byte("apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: x}\nspec:\n  endpoints:\n    - port: http\n      intervall: 30s\n")}, `unknown field "intervall"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := decodeStrict(tt.obj, &decoded{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("decode: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
