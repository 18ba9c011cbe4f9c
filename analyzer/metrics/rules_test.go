package metrics

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"sigs.k8s.io/yaml"
)

// rulesDir holds the alerting rules shipped with negtrace and their
// promtool unit tests.
var rulesDir = filepath.Join("..", "..", "deploy", "prometheus")

const (
	rulesFile     = "negtrace-rules.yaml"
	rulesTestFile = "negtrace-rules.test.yaml"
)

// ruleFile is the part of a Prometheus rule file the tests look at.
type ruleFile struct {
	Groups []struct {
		Name     string `json:"name"`
		Interval string `json:"interval,omitempty"`
		Rules    []struct {
			Alert         string            `json:"alert,omitempty"`
			Record        string            `json:"record,omitempty"`
			Expr          string            `json:"expr"`
			For           string            `json:"for,omitempty"`
			KeepFiringFor string            `json:"keep_firing_for,omitempty"`
			Labels        map[string]string `json:"labels,omitempty"`
			Annotations   map[string]string `json:"annotations,omitempty"`
		} `json:"rules"`
	} `json:"groups"`
}

// TestRulesPromtool checks the rule file and runs its unit tests with
// promtool.
func TestRulesPromtool(t *testing.T) {
	t.Run("check rules", func(t *testing.T) {
		runPromtool(t, rulesDir, nil, "check", "rules", rulesFile)
	})
	t.Run("test rules", func(t *testing.T) {
		runPromtool(t, rulesDir, nil, "test", "rules", rulesTestFile)
	})
}

// metricNameRE finds negtrace's metric names in PromQL expressions.
var metricNameRE = regexp.MustCompile(`\bnegtrace_[a-zA-Z0-9_]+`)

// TestRulesUseExportedMetrics checks that every negtrace metric the rules
// query is one that negtrace serves, so that renaming a metric cannot
// silently disable an alert, and that every alert carries what a receiver
// needs.
func TestRulesUseExportedMetrics(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(rulesDir, rulesFile))
	if err != nil {
		t.Fatal(err)
	}
	var rf ruleFile
	if err := yaml.UnmarshalStrict(data, &rf); err != nil {
		t.Fatalf("%s: %v", rulesFile, err)
	}
	exported := exportedNames(t)
	wantAlerts := []string{"NegtraceNEGDetachRaceErrors", "NegtracePreStopBelowNeed", "NegtraceSourceStale", "NegtraceSourceDown", "NegtraceDown"}
	var alerts []string
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			name := r.Alert + r.Record
			alerts = append(alerts, r.Alert)
			for _, m := range metricNameRE.FindAllString(r.Expr, -1) {
				if !exported[m] {
					t.Errorf("%s: %s is not a metric negtrace exports", name, m)
				}
			}
			if r.Alert == "" {
				continue
			}
			if r.Labels["severity"] == "" {
				t.Errorf("%s: no severity label", name)
			}
			for _, a := range []string{"summary", "description", "runbook_url"} {
				if r.Annotations[a] == "" {
					t.Errorf("%s: no %s annotation", name, a)
				}
			}
		}
	}
	for _, a := range wantAlerts {
		if !slices.Contains(alerts, a) {
			t.Errorf("alert %s missing from %s", a, rulesFile)
		}
	}
	if !strings.Contains(string(data), `up{job="negtrace"}`) {
		t.Errorf(`%s: no alert on up{job="negtrace"}, the scrape job name deploy/prometheus/README.md documents`, rulesFile)
	}
}

// exportedNames returns the names of every series /metrics serves for the
// test snapshot, histogram series (_bucket, _sum, _count) included.
func exportedNames(t *testing.T) map[string]bool {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	if err := Register(reg, testSnapshot, "test"); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := make(map[string]bool)
	for _, mf := range mfs {
		names[mf.GetName()] = true
		switch mf.GetType() {
		case dto.MetricType_HISTOGRAM:
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				names[mf.GetName()+s] = true
			}
		case dto.MetricType_SUMMARY:
			for _, s := range []string{"_sum", "_count"} {
				names[mf.GetName()+s] = true
			}
		}
	}
	return names
}
