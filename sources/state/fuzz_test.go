package state

import (
	"context"
	"net/netip"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/kube"
	"github.com/negtrace/negtrace/sources/lblog"
)

// FuzzApply stores records made of hostile values (NULs, invalid UTF-8,
// far years, odd addresses): Apply never fails on them, re-applying them
// adds nothing, and what valid UTF-8 can carry reads back unchanged.
func FuzzApply(f *testing.F) {
	f.Add("1abc", int64(1773482400), int64(123456789), 502, []byte{10, 8, 1, 7}, "https://example.com/a", "shop", "web-1.17")
	f.Add("", int64(0), int64(0), 0, []byte{}, "", "", "")
	f.Add("a\x00b", int64(-62135596800), int64(999999999), 200, []byte{0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7}, "\xff\xfe", "ns\x00", "\u2028")
	f.Add("x", int64(253402300800), int64(0), 599, []byte{1, 2, 3}, "u", "n", "e")
	f.Fuzz(func(t *testing.T, id string, sec, nsec int64, status int, ip []byte, url, ns, name string) {
		ctx := context.Background()
		db, err := Open(ctx, Options{Path: ":memory:"})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ts := time.Unix(sec, nsec).UTC()
		addr, _ := netip.AddrFromSlice(ip)
		r := lblog.Request{InsertID: id, Time: ts, Status: status, ServerIP: addr, URL: url}
		e := kube.Event{Namespace: ns, Name: name, Reason: url, Time: ts, Count: status}
		p := kube.Pod{UID: id, Namespace: ns, Name: name, IP: addr, Created: ts}
		b := Batch{Source: "fuzz", Requests: []lblog.Request{r, r}, Events: []kube.Event{e}, Pods: []kube.Pod{p}, Checkpoint: &url}
		n1, err := db.Apply(ctx, b)
		if err != nil {
			t.Fatalf("Apply: %v", err)
		}
		st, err := db.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Two copies of the LB entry: a skipped one counts twice.
		if n1+st.Skipped != 3 && n1+st.Skipped != 4 {
			t.Errorf("added %d + skipped %d, want 3 records", n1, st.Skipped)
		}
		n2, err := db.Apply(ctx, b)
		if err != nil || n2 != 0 {
			t.Fatalf("Apply again = %d, %v; want 0", n2, err)
		}
		if v, ok, err := db.Checkpoint(ctx, "fuzz"); err != nil || !ok || v != url {
			t.Errorf("Checkpoint = %q, %v, %v; want %q", v, ok, err, url)
		}
		ev, err := db.Evidence(ctx, analyzer.Window{})
		if err != nil {
			t.Fatal(err)
		}
		// JSON strings are UTF-8: invalid bytes come back as U+FFFD. Live
		// records are valid UTF-8 (protobuf strings and Kubernetes JSON).
		for _, s := range []string{id, url, ns, name} {
			if !utf8.ValidString(s) {
				return
			}
		}
		if st.Skipped > 0 {
			return
		}
		if ev.LBRequests != 1 || len(ev.Events) != 1 || len(ev.Pods) != 1 {
			t.Fatalf("evidence: %d LB entries, %d events, %d pods; want one each", ev.LBRequests, len(ev.Events), len(ev.Pods))
		}
		if status >= 500 {
			if d := cmp.Diff([]lblog.Request{r}, ev.Errors, cmpOpts); d != "" {
				t.Errorf("LB entry read back (-stored +read):\n%s", d)
			}
		}
		if d := cmp.Diff(e, ev.Events[0], cmpOpts); d != "" {
			t.Errorf("event read back (-stored +read):\n%s", d)
		}
		if d := cmp.Diff(p, ev.Pods[0], cmpOpts); d != "" {
			t.Errorf("pod read back (-stored +read):\n%s", d)
		}
	})
}
