package negops

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseControllerEvent(t *testing.T) {
	const neg = "k8s1-ab12cd34-shop-web-80-9f8e7d6c"
	tests := []struct {
		name, reason, message string
		want                  ControllerEvent
		wantOK                bool
	}{
		{
			name: "attach", reason: "Attach",
			message: `Attach 3 network endpoint(s) (NEG "` + neg + `" in zone "us-central1-a")`,
			want:    ControllerEvent{Kind: Attach, Count: 3, NEG: neg, Zone: "us-central1-a"}, wantOK: true,
		},
		{
			name: "detach", reason: "Detach",
			message: `Detach 1 network endpoint(s) (NEG "` + neg + `" in zone "us-central1-b")`,
			want:    ControllerEvent{Kind: Detach, Count: 1, NEG: neg, Zone: "us-central1-b"}, wantOK: true,
		},
		{
			name: "detach failed", reason: "DetachFailed",
			message: `Failed to Detach 2 network endpoint(s) (NEG "` + neg + `" in zone "us-central1-a"): googleapi: Error 503: Backend Error, backendError`,
			want: ControllerEvent{Kind: Detach, Failed: true, Count: 2, NEG: neg, Zone: "us-central1-a",
				Error: "googleapi: Error 503: Backend Error, backendError"}, wantOK: true,
		},
		{
			name: "attach failed, combined", reason: "AttachFailed",
			message: `(combined from similar events): Failed to Attach 12 network endpoint(s) (NEG "` + neg + `" in zone "europe-west1-d"): googleapi: Error 400: Invalid value`,
			want: ControllerEvent{Kind: Attach, Failed: true, Count: 12, NEG: neg, Zone: "europe-west1-d",
				Error: "googleapi: Error 400: Invalid value"}, wantOK: true,
		},
		{
			name: "detach, combined", reason: "Detach",
			message: `(combined from similar events): Detach 4 network endpoint(s) (NEG "` + neg + `" in zone "us-central1-a")`,
			want:    ControllerEvent{Kind: Detach, Count: 4, NEG: neg, Zone: "us-central1-a"}, wantOK: true,
		},
		{
			name: "quoted escape in name", reason: "Detach",
			message: `Detach 1 network endpoint(s) (NEG "a\"b" in zone "z")`,
			want:    ControllerEvent{Kind: Detach, Count: 1, NEG: `a"b`, Zone: "z"}, wantOK: true,
		},
		{name: "reason and verb disagree", reason: "Detach", message: `Attach 1 network endpoint(s) (NEG "n" in zone "z")`},
		{name: "failed reason, success message", reason: "DetachFailed", message: `Detach 1 network endpoint(s) (NEG "n" in zone "z")`},
		{name: "success reason, failure message", reason: "Detach", message: `Failed to Detach 1 network endpoint(s) (NEG "n" in zone "z"): x`},
		{name: "other reason", reason: "Create", message: `Created NEG "n" for shop/web-80 in "z".`},
		{name: "bad count", reason: "Attach", message: `Attach x network endpoint(s) (NEG "n" in zone "z")`},
		{name: "negative count", reason: "Attach", message: `Attach -1 network endpoint(s) (NEG "n" in zone "z")`},
		{name: "truncated", reason: "Attach", message: `Attach 1 network endpoint(s) (NEG "n" in zo`},
		{name: "unterminated quote", reason: "Attach", message: `Attach 1 network endpoint(s) (NEG "n in zone "z")`},
		{name: "trailing text", reason: "Attach", message: `Attach 1 network endpoint(s) (NEG "n" in zone "z") extra`},
		{name: "empty", reason: "Attach", message: ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseControllerEvent(tt.reason, tt.message)
			if ok != tt.wantOK {
				t.Fatalf("ParseControllerEvent(%q, %q) ok = %v, want %v", tt.reason, tt.message, ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseControllerEvent(%q, %q) mismatch (-want +got):\n%s", tt.reason, tt.message, diff)
			}
		})
	}
}
