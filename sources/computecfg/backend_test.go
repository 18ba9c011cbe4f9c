package computecfg

import "testing"

func TestBackendSampled(t *testing.T) {
	tests := []struct {
		b    Backend
		want bool
	}{
		{Backend{LogEnabled: true, SampleRate: 1}, false},
		{Backend{LogEnabled: true, SampleRate: 0.25}, true},
		{Backend{LogEnabled: true, SampleRate: 0}, false}, // nothing logged: not an estimate either
		{Backend{LogEnabled: false, SampleRate: 0.5}, false},
	}
	for _, tt := range tests {
		if got := tt.b.Sampled(); got != tt.want {
			t.Errorf("%+v.Sampled() = %v, want %v", tt.b, got, tt.want)
		}
	}
}
