package deploy_test

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

const rulesFile = "prometheus/negtrace-rules.yaml"

// ruleCR is a custom resource holding Prometheus rule groups: the Prometheus
// Operator's PrometheusRule and Google Managed Prometheus' Rules.
type ruleCR struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   metav1.ObjectMeta `json:"metadata"`
	Spec       ruleFile          `json:"spec"`
}

// ruleFile is a Prometheus rules file; its fields are the ones both custom
// resources accept too.
type ruleFile struct {
	Groups []ruleGroup `json:"groups"`
}

type ruleGroup struct {
	Name     string `json:"name"`
	Interval string `json:"interval,omitempty"`
	Rules    []rule `json:"rules"`
}

type rule struct {
	Alert       string            `json:"alert,omitempty"`
	Record      string            `json:"record,omitempty"`
	Expr        string            `json:"expr"`
	For         string            `json:"for,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// ruleResources are the generated custom resources holding the rules file.
var ruleResources = []struct {
	path, apiVersion, kind, stack string
}{
	{"components/prometheus-operator/prometheusrule.yaml", "monitoring.coreos.com/v1", "PrometheusRule", "the Prometheus Operator"},
	{"components/google-managed-prometheus/rules.yaml", "monitoring.googleapis.com/v1", "Rules", "Google Cloud Managed Service for Prometheus"},
}

// renderRuleResource wraps the rules file in a custom resource: its groups,
// comments and formatting unchanged, indented under spec.
func renderRuleResource(apiVersion, kind, stack string, rules []byte) ([]byte, error) {
	i := bytes.Index(rules, []byte("\ngroups:\n"))
	if i < 0 {
		return nil, fmt.Errorf("%s: no top-level groups:", rulesFile)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# negtrace's alert rules for %s.\n", stack)
	fmt.Fprintf(&b, "# Generated from deploy/%s (see there and deploy/prometheus/README.md):\n", rulesFile)
	fmt.Fprintf(&b, "# edit that file, then run go test ./deploy -update.\n")
	fmt.Fprintf(&b, "apiVersion: %s\nkind: %s\nmetadata:\n  name: negtrace\n  namespace: negtrace\n", apiVersion, kind)
	b.WriteString("  labels:\n    app.kubernetes.io/name: negtrace\nspec:\n")
	for _, line := range bytes.SplitAfter(rules[i+1:], []byte("\n")) {
		if len(bytes.TrimSpace(line)) > 0 {
			b.WriteString("  ")
		}
		b.Write(line)
	}
	return b.Bytes(), nil
}

// TestRuleResourcesMatchRulesFile checks that the PrometheusRule and the
// Rules carry exactly the groups and rules of negtrace-rules.yaml (the file
// promtool tests).
func TestRuleResourcesMatchRulesFile(t *testing.T) {
	raw, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var want ruleFile
	if err := yaml.UnmarshalStrict(raw, &want); err != nil {
		t.Fatalf("%s: %v", rulesFile, err)
	}
	if len(want.Groups) == 0 || len(want.Groups[0].Rules) == 0 {
		t.Fatalf("%s: no rules", rulesFile)
	}
	for _, r := range ruleResources {
		t.Run(r.kind, func(t *testing.T) {
			rendered, err := renderRuleResource(r.apiVersion, r.kind, r.stack, raw)
			if err != nil {
				t.Fatal(err)
			}
			if *update {
				if err := os.WriteFile(r.path, rendered, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := os.ReadFile(r.path)
			if err != nil {
				t.Fatal(err)
			}
			var cr ruleCR
			if err := yaml.UnmarshalStrict(got, &cr); err != nil {
				t.Fatalf("%s: %v", r.path, err)
			}
			if cr.APIVersion != r.apiVersion || cr.Kind != r.kind {
				t.Errorf("%s: %s %s, want %s %s", r.path, cr.APIVersion, cr.Kind, r.apiVersion, r.kind)
			}
			if diff := cmp.Diff(want, cr.Spec); diff != "" {
				t.Errorf("%s: rule groups differ from %s (-file +resource); run go test ./deploy -update:\n%s", r.path, rulesFile, diff)
			}
			if !bytes.Equal(got, rendered) {
				t.Errorf("%s is not what %s renders to; run go test ./deploy -update", r.path, rulesFile)
			}
		})
	}
}
