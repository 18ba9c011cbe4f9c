package computewatch

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/negtrace/negtrace/sources/state"
)

func TestNewValidatesOptions(t *testing.T) {
	apply := func(context.Context, state.Batch) error { return nil }
	tests := []struct {
		name string
		opts Options
		want string // in the error; "" for valid
	}{
		{name: "minimal", opts: Options{Project: "p", Apply: apply}},
		{name: "no project", opts: Options{Apply: apply}, want: `project "": want a project ID`},
		{name: "project path", opts: Options{Project: "projects/p", Apply: apply}, want: `project "projects/p"`},
		{name: "no apply", opts: Options{Project: "p"}, want: "apply is required"},
		{name: "empty name", opts: Options{Project: "p", Apply: apply, BackendServices: []string{""}}, want: `backend service ""`},
		{name: "URL as region", opts: Options{Project: "p", Apply: apply, Regions: []string{"regions/us-east1"}}, want: `region "regions/us-east1"`},
		{name: "negative interval", opts: Options{Project: "p", Apply: apply, Interval: -time.Second}, want: "must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("validate: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("validate = %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	o := Options{Project: "p", Apply: func(context.Context, state.Batch) error { return nil }}
	if err := o.validate(); err != nil {
		t.Fatal(err)
	}
	if o.Interval != 5*time.Minute || o.Timeout != 2*time.Minute || o.Logger == nil || o.Now == nil {
		t.Errorf("defaults not filled: %+v", o)
	}
	for attempt, want := range map[int]time.Duration{-1: 5 * time.Second, 1: 5 * time.Second, 2: 10 * time.Second, 6: 160 * time.Second, 7: 5 * time.Minute, 1000: 5 * time.Minute} {
		got := o.Backoff(attempt)
		if got > want || got < want*4/5 {
			t.Errorf("Backoff(%d) = %v, want %v less up to 20%% jitter", attempt, got, want)
		}
	}
	short := Options{Project: "p", Apply: o.Apply, Interval: 30 * time.Second}
	if err := short.validate(); err != nil {
		t.Fatal(err)
	}
	if got := short.Backoff(10); got > 30*time.Second {
		t.Errorf("Backoff(10) = %v, want at most the 30s interval", got)
	}
}

func TestValidateDropsRepeats(t *testing.T) {
	o := Options{Project: "p", Apply: func(context.Context, state.Batch) error { return nil },
		BackendServices: []string{"a", "b", "a"}, Regions: []string{"r1", "r1", "r2"}}
	if err := o.validate(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.BackendServices, []string{"a", "b"}) || !slices.Equal(o.Regions, []string{"r1", "r2"}) {
		t.Errorf("after validate: services %v, regions %v", o.BackendServices, o.Regions)
	}
}
