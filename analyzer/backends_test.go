package analyzer

import (
	"strings"
	"testing"

	"github.com/negtrace/negtrace/sources/computecfg"
)

func TestBackendConfigEntersRecommendations(t *testing.T) {
	ev := reuseEvidence()
	ev.Backends = []computecfg.Backend{{
		Name: "k8s1-neg", LogEnabled: true, SampleRate: 0.5, DrainingTimeoutSec: 30,
		NEGs:        []computecfg.NEGRef{{Zone: "us-central1-a", Name: "k8s1-neg"}},
		HealthCheck: &computecfg.HealthCheck{IntervalSec: 15, UnhealthyThreshold: 2},
	}, {Name: "other-bs", LogEnabled: false}}
	rep, err := Analyze(ev, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Recommendations[0]
	// 20s preStop + 30s draining + 0.5s shutdown + 5s margin → 60s.
	if r.TerminationGracePeriodSeconds != 60 {
		t.Errorf("grace = %d, want 60 (draining counted)\n%s", r.TerminationGracePeriodSeconds, r.Rationale)
	}
	if r.DrainingTimeoutSeconds == nil || *r.DrainingTimeoutSeconds != 30 || r.HealthCheckDetectionSeconds == nil || *r.HealthCheckDetectionSeconds != 30 {
		t.Errorf("draining %v, detection %v; want 30 and 30", r.DrainingTimeoutSeconds, r.HealthCheckDetectionSeconds)
	}
	// All 6 errors went through the sampled backend: ×2.
	if est := rep.Summary.LB5xxEstimated; est == nil || *est != 12 {
		t.Errorf("lb_5xx_estimated = %v, want 12", est)
	}
	notes := strings.Join(rep.Notes, "\n")
	for _, want := range []string{"logging is off for backend service other-bs", "k8s1-neg logs a 0.5 sample"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
}
