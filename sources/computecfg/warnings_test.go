package computecfg

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWarnings(t *testing.T) {
	tests := []struct {
		name string
		in   []Backend
		want []string
	}{
		{name: "none"},
		{name: "full logging", in: []Backend{{Name: "a", LogEnabled: true, SampleRate: 1}}},
		{
			name: "off, sampled, zero, full",
			in: []Backend{
				{Name: "off"},
				{Name: "tenth", LogEnabled: true, SampleRate: 0.1},
				{Name: "third", LogEnabled: true, SampleRate: 0.3},
				{Name: "zero", LogEnabled: true},
				{Name: "full", LogEnabled: true, SampleRate: 1},
			},
			want: []string{
				"LB logging is off for backend service off: its 502/503s cannot be seen; enable BackendConfig spec.logging.enable: true (sampleRate: 1.0) on the Service that backs it",
				"LB logging of backend service tenth is sampled at 0.1: counts are scaled ×10 and are estimates; set BackendConfig spec.logging.sampleRate: 1.0 for exact counts",
				"LB logging of backend service third is sampled at 0.3: counts are scaled ×3.33 and are estimates; set BackendConfig spec.logging.sampleRate: 1.0 for exact counts",
				"LB logging of backend service zero is on but sampled at 0: no request is logged; set BackendConfig spec.logging.sampleRate: 1.0",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Warnings(tt.in)); diff != "" {
				t.Errorf("Warnings (-want +got):\n%s", diff)
			}
		})
	}
}
