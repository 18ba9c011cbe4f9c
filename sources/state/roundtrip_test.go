package state

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/computecfg"
	"github.com/negtrace/negtrace/sources/kube"
	"github.com/negtrace/negtrace/sources/lblog"
	"github.com/negtrace/negtrace/sources/negops"
)

// fixtures are one fully populated record of each stored type.
func fixtures() map[string]any {
	return map[string]any{
		"lblog.Request":      fullRequest(),
		"negops.AuditEntry":  fullAudit(),
		"kube.Event":         fullEvent(),
		"kube.Pod":           fullPod(),
		"kube.EndpointSlice": fullSlice(),
		"kube.Service":       fullService(),
		"computecfg.Backend": fullBackend(),
	}
}

// zeroFields lists the fields of v (recursively through structs, pointers
// and the first element of slices and maps) that hold their zero value.
func zeroFields(v reflect.Value, path string) []string {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return []string{path}
		}
		return zeroFields(v.Elem(), path)
	case reflect.Slice, reflect.Map:
		if v.Len() == 0 {
			return []string{path}
		}
		if v.Kind() == reflect.Slice {
			return zeroFields(v.Index(0), path+"[0]")
		}
		return nil
	case reflect.Struct:
		if v.Type().PkgPath() != "github.com/negtrace/negtrace/sources/"+pkgOf(v.Type()) {
			// time.Time, netip.Addr: leaves.
			if v.IsZero() {
				return []string{path}
			}
			return nil
		}
		var out []string
		for i := range v.NumField() {
			out = append(out, zeroFields(v.Field(i), path+"."+v.Type().Field(i).Name)...)
		}
		return out
	}
	if v.IsZero() {
		return []string{path}
	}
	return nil
}

// pkgOf is the last element of t's package path.
func pkgOf(t reflect.Type) string {
	p := t.PkgPath()
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

// TestFixturesComplete keeps the round-trip tests meaningful: a field added
// to a record type must be set in its fixture.
func TestFixturesComplete(t *testing.T) {
	for name, f := range fixtures() {
		t.Run(name, func(t *testing.T) {
			if z := zeroFields(reflect.ValueOf(f), name); len(z) > 0 {
				t.Errorf("fixture fields left zero (set them so the round trip covers them): %v", z)
			}
		})
	}
}

// TestRecordJSONRoundTrip checks that the stored form loses nothing:
// addresses (v4, v6), UTC times to the nanosecond, pointers, maps.
func TestRecordJSONRoundTrip(t *testing.T) {
	for name, f := range fixtures() {
		t.Run(name, func(t *testing.T) {
			b, err := json.Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			got := reflect.New(reflect.TypeOf(f))
			if err := json.Unmarshal(b, got.Interface()); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(f, got.Elem().Interface(), cmpOpts); d != "" {
				t.Errorf("round trip (-want +got):\n%s", d)
			}
		})
	}
}

// TestRecordRoundTripThroughDB stores one record of each type and reads it
// back through Evidence and Backends, across a Close and Open.
func TestRecordRoundTripThroughDB(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	b := Batch{
		Source:   "test",
		Requests: []lblog.Request{fullRequest()}, Audit: []negops.AuditEntry{fullAudit()}, Events: []kube.Event{fullEvent()},
		Pods: []kube.Pod{fullPod()}, Slices: []kube.EndpointSlice{fullSlice()}, Services: []kube.Service{fullService()},
		Backends: []computecfg.Backend{fullBackend()},
	}
	if n, err := db.Apply(ctx, b); err != nil || n != 7 {
		t.Fatalf("Apply = %d, %v; want 7", n, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openTest(t, Options{Path: db.path})
	ev, err := db.Evidence(ctx, analyzer.Window{})
	if err != nil {
		t.Fatal(err)
	}
	got := Batch{Source: "test", Requests: ev.Errors, Audit: ev.Audit, Events: ev.Events, Pods: ev.Pods, Slices: ev.Slices, Services: ev.Services, Backends: ev.Backends}
	if d := cmp.Diff(b, got, cmpOpts); d != "" {
		t.Errorf("records read back (-stored +read):\n%s", d)
	}
	bs, err := db.Backends(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(b.Backends, bs, cmpOpts); d != "" {
		t.Errorf("Backends (-stored +read):\n%s", d)
	}
}
