package sim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// parseTruth decodes truth.json.
func parseTruth(t *testing.T, b []byte) Truth {
	t.Helper()
	var tr Truth
	if err := json.Unmarshal(b, &tr); err != nil {
		t.Fatalf("truth.json: %v", err)
	}
	return tr
}

// lbLine is the part of an LB entry the tests read.
type lbLine struct {
	InsertID    string `json:"insertId"`
	Timestamp   string `json:"timestamp"`
	HTTPRequest struct {
		Status   int    `json:"status"`
		ServerIP string `json:"serverIp"`
		Latency  string `json:"latency"`
	} `json:"httpRequest"`
	JSONPayload struct {
		StatusDetails string `json:"statusDetails"`
	} `json:"jsonPayload"`
}

// TestLBFileMatchesTruth reads lb-requests.jsonl.gz back: one compact entry
// per line, oldest first, unique insertIds, and exactly the 5xx entries of
// truth.json with the same status and details.
func TestLBFileMatchesTruth(t *testing.T) {
	for _, sc := range Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			dir := t.TempDir()
			generate(t, sc, dir)
			files := readFiles(t, dir)
			tr := parseTruth(t, files[FileTruth])
			byID := map[string]TruthError{}
			for _, e := range tr.Errors {
				byID[e.InsertID] = e
			}
			seen := map[string]bool{}
			var last time.Time
			n, n5xx := 0, 0
			sc := bufio.NewScanner(bytes.NewReader(files[FileLB]))
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for sc.Scan() {
				n++
				var e lbLine
				if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
					t.Fatalf("line %d: %v", n, err)
				}
				if seen[e.InsertID] {
					t.Errorf("line %d: duplicate insertId %s", n, e.InsertID)
				}
				seen[e.InsertID] = true
				ts, err := time.Parse(time.RFC3339Nano, e.Timestamp)
				if err != nil {
					t.Fatalf("line %d: %v", n, err)
				}
				if ts.Before(last) {
					t.Errorf("line %d: %s before the previous entry", n, e.Timestamp)
				}
				last = ts
				if !strings.HasSuffix(e.HTTPRequest.Latency, "s") {
					t.Errorf("line %d: latency %q", n, e.HTTPRequest.Latency)
				}
				if e.HTTPRequest.Status < 500 {
					continue
				}
				n5xx++
				te, ok := byID[e.InsertID]
				switch {
				case !ok:
					t.Errorf("line %d: 5xx %s not in truth", n, e.InsertID)
				case te.Status != e.HTTPRequest.Status || te.StatusDetails != e.JSONPayload.StatusDetails || !te.Timestamp.Equal(ts):
					t.Errorf("line %d: truth %+v does not match the entry", n, te)
				case (te.Pod == nil) != (e.HTTPRequest.ServerIP == ""):
					t.Errorf("line %d: pod %v with serverIp %q", n, te.Pod, e.HTTPRequest.ServerIP)
				}
			}
			if err := sc.Err(); err != nil {
				t.Fatal(err)
			}
			if n != tr.LBEntries || n5xx != tr.LB5xx || n5xx != len(tr.Errors) {
				t.Errorf("file has %d entries, %d 5xx; truth says %d, %d (%d errors)", n, n5xx, tr.LBEntries, tr.LB5xx, len(tr.Errors))
			}
			if o, ok := files[FileLBOverlap]; ok {
				main := string(files[FileLB])
				lines := strings.Split(strings.TrimSuffix(string(o), "\n"), "\n")
				for _, l := range lines {
					if !strings.Contains(main, l+"\n") {
						t.Fatalf("overlap line not in the main export: %.80s", l)
					}
				}
				if len(lines) < 50 {
					t.Errorf("overlap export has only %d lines", len(lines))
				}
			}
		})
	}
}

// TestGcloudFiles checks events.json and neg-audit.json: one array, newest
// first, and complete operation pairs.
func TestGcloudFiles(t *testing.T) {
	for _, sc := range Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			dir := t.TempDir()
			generate(t, sc, dir)
			files := readFiles(t, dir)
			for _, name := range []string{FileEvents, FileAudit} {
				b, ok := files[name]
				if !ok {
					if name == FileAudit && sc.Config.Evidence.OmitAudit {
						continue
					}
					t.Fatalf("no %s", name)
				}
				if !bytes.HasPrefix(b, []byte("[\n  {")) {
					t.Errorf("%s does not start as a 2-space indented array", name)
				}
				var entries []map[string]any
				if err := json.Unmarshal(b, &entries); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				var prev time.Time
				for i, e := range entries {
					ts, err := time.Parse(time.RFC3339Nano, e["timestamp"].(string))
					if err != nil {
						t.Fatalf("%s[%d]: %v", name, i, err)
					}
					if i > 0 && ts.After(prev) {
						t.Errorf("%s[%d]: %s newer than the entry before", name, i, ts)
					}
					prev = ts
				}
				if name == FileAudit {
					checkAuditPairs(t, entries)
				}
			}
		})
	}
}

// checkAuditPairs checks that every completion has its request, that only
// requests carry endpoints, and that failures carry a status.
func checkAuditPairs(t *testing.T, entries []map[string]any) {
	t.Helper()
	firsts := map[string]bool{}
	for _, e := range entries {
		op := e["operation"].(map[string]any)
		pp := e["protoPayload"].(map[string]any)
		if op["first"] == true {
			firsts[op["id"].(string)] = true
			req, ok := pp["request"].(map[string]any)
			if !ok || len(req["networkEndpoints"].([]any)) == 0 {
				t.Errorf("first entry of %s has no endpoints", op["id"])
			}
		}
	}
	for _, e := range entries {
		op := e["operation"].(map[string]any)
		pp := e["protoPayload"].(map[string]any)
		if op["last"] != true {
			continue
		}
		if !firsts[op["id"].(string)] {
			t.Errorf("completion of %s without its request", op["id"])
		}
		if _, ok := pp["request"]; ok {
			t.Errorf("completion of %s carries a request", op["id"])
		}
		if st, ok := pp["status"].(map[string]any); ok && (e["severity"] != "ERROR" || st["code"].(float64) == 0) {
			t.Errorf("failed completion of %s: severity %v status %v", op["id"], e["severity"], st)
		}
	}
}

// TestKubectlFiles checks pods.json (a watch stream with increasing
// resourceVersions, ending each pod with DELETED after its final status)
// and the List files.
func TestKubectlFiles(t *testing.T) {
	sc, _ := Lookup("rollout-race")
	dir := t.TempDir()
	generate(t, sc, dir)
	files := readFiles(t, dir)
	dec := json.NewDecoder(bytes.NewReader(files[FilePods]))
	lastRV := int64(-1)
	final := map[string]map[string]any{}
	deleted := 0
	for dec.More() {
		var doc struct {
			Type   string         `json:"type"`
			Object map[string]any `json:"object"`
		}
		if err := dec.Decode(&doc); err != nil {
			t.Fatal(err)
		}
		meta := doc.Object["metadata"].(map[string]any)
		rv, err := strconv.ParseInt(meta["resourceVersion"].(string), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		if rv <= lastRV {
			t.Errorf("resourceVersion %d after %d", rv, lastRV)
		}
		lastRV = rv
		name := meta["name"].(string)
		if doc.Type == "DELETED" {
			deleted++
			prev := final[name]
			cs := prev["status"].(map[string]any)["containerStatuses"].([]any)[0].(map[string]any)
			if _, ok := cs["state"].(map[string]any)["terminated"]; !ok {
				t.Errorf("%s deleted without a terminated state in its last update", name)
			}
			if _, ok := meta["deletionTimestamp"]; !ok {
				t.Errorf("%s deleted without deletionTimestamp", name)
			}
		}
		final[name] = doc.Object
	}
	if deleted == 0 {
		t.Error("no DELETED pods")
	}
	for _, name := range []string{FileSlices, FileServices} {
		var l struct {
			Kind  string           `json:"kind"`
			Items []map[string]any `json:"items"`
		}
		if err := json.Unmarshal(files[name], &l); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if l.Kind != "List" || len(l.Items) != len(sc.Config.Workloads) {
			t.Errorf("%s: kind %q with %d items", name, l.Kind, len(l.Items))
		}
	}
	var svcs struct {
		Items []struct {
			Metadata struct {
				Annotations map[string]string `json:"annotations"`
			} `json:"metadata"`
		} `json:"items"`
	}
	if err := json.Unmarshal(files[FileServices], &svcs); err != nil {
		t.Fatal(err)
	}
	var st negStatus
	if err := json.Unmarshal([]byte(svcs.Items[0].Metadata.Annotations["cloud.google.com/neg-status"]), &st); err != nil {
		t.Fatalf("neg-status: %v", err)
	}
	if len(st.Zones) != 3 || !strings.HasPrefix(st.NetworkEndpointGroups["80"], "k8s1-") {
		t.Errorf("neg-status = %+v", st)
	}
}

// TestMinSafePreStop replays every race error against the recommended
// sleep: with it, the pod would still have been serving.
func TestMinSafePreStop(t *testing.T) {
	for _, sc := range Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			dir := t.TempDir()
			generate(t, sc, dir)
			tr := parseTruth(t, readFiles(t, dir)[FileTruth])
			terms := map[string]TruthTermination{}
			for _, x := range tr.Terminations {
				terms[x.Pod] = x
			}
			wl := map[string]TruthWorkload{}
			for _, x := range tr.Workloads {
				wl[x.Workload] = x
			}
			for _, e := range tr.Errors {
				if e.Cause != CauseRace {
					continue
				}
				term, ok := terms[*e.Pod]
				if !ok || term.KillingAt == nil {
					t.Errorf("race error %s on %s without its termination", e.InsertID, *e.Pod)
					continue
				}
				w := wl[term.Workload]
				serve := 0.0
				if w.App.Kind == AppGraceful {
					serve = w.App.Seconds
				}
				stop := term.KillingAt.Add(time.Duration((float64(w.MinSafePreStopSeconds) + serve) * float64(time.Second)))
				if e.Timestamp.Add(maxServiceTime).After(stop) {
					t.Errorf("%s: error at %s would still hit %s with preStop %d s (stop %s)", w.Workload, e.Timestamp, *e.Pod, w.MinSafePreStopSeconds, stop)
				}
			}
			for _, w := range tr.Workloads {
				if w.MinSafePreStopSeconds > w.SafePreStopAllSeconds {
					t.Errorf("%s: min safe %d > all %d", w.Workload, w.MinSafePreStopSeconds, w.SafePreStopAllSeconds)
				}
				for _, l := range w.DetachLatencySeconds {
					if l <= 0 || math.IsNaN(l) {
						t.Errorf("%s: detach latency %v", w.Workload, l)
					}
				}
			}
		})
	}
}

// TestScenarioPromises checks what each bundled scenario is meant to show.
func TestScenarioPromises(t *testing.T) {
	count := func(tr Truth, cause, details string) int {
		n := 0
		for _, e := range tr.Errors {
			if e.Cause == cause && (details == "" || e.StatusDetails == details) {
				n++
			}
		}
		return n
	}
	workload := func(tr Truth, name string) TruthWorkload {
		for _, w := range tr.Workloads {
			if w.Workload == name {
				return w
			}
		}
		return TruthWorkload{}
	}
	tests := []struct {
		scenario string
		check    func(t *testing.T, tr Truth, files map[string][]byte)
	}{
		{"rollout-race", func(t *testing.T, tr Truth, _ map[string][]byte) {
			if n := count(tr, CauseRace, ""); n < 24 {
				t.Errorf("%d race errors, want dozens", n)
			}
			if count(tr, CauseAppError, "") < 2 || count(tr, CauseClosedConn, "") < 1 || count(tr, CauseNoBackend, detailsPick) < 1 {
				t.Errorf("look-alikes missing: %v", tr.ByCause)
			}
			if w := workload(tr, "shop/api"); w.Terminations != 3 || w.RaceErrors != 0 {
				t.Errorf("shop/api: %d terminations, %d race errors; want 3 clean", w.Terminations, w.RaceErrors)
			}
		}},
		{"scale-down-drain", func(t *testing.T, tr Truth, _ map[string][]byte) {
			failed := 0
			for _, x := range tr.Terminations {
				if x.FailedDetachOps > 0 && x.DetachCompletedAt != nil {
					failed++
				}
			}
			if failed == 0 {
				t.Error("no failed and retried detach")
			}
			if count(tr, CauseRace, detailsOK) == 0 || count(tr, CauseRace, detailsConnect) == 0 {
				t.Errorf("want drain 503s and refused connections: %v", tr.Errors)
			}
			if w := workload(tr, "payments/checkout"); w.Terminations != 6 || w.MinSafePreStopSeconds <= 5 {
				t.Errorf("checkout: %+v", w)
			}
		}},
		{"safe-prestop", func(t *testing.T, tr Truth, _ map[string][]byte) {
			w := workload(tr, "catalog/search")
			if w.RaceErrors != 0 || w.MinSafePreStopSeconds != 0 || w.SafePreStopAllSeconds >= 60 || w.Terminations != 3 {
				t.Errorf("search: %+v", w)
			}
		}},
		{"lookalikes", func(t *testing.T, tr Truth, _ map[string][]byte) {
			if count(tr, CauseRace, "") != 0 {
				t.Errorf("race errors in lookalikes: %v", tr.ByCause)
			}
			for _, c := range []string{CauseClosedConn, CauseAppError, CauseNoBackend, CauseOther} {
				if count(tr, c, "") == 0 {
					t.Errorf("no %s", c)
				}
			}
			if count(tr, CauseOther, detailsTimeout) == 0 || count(tr, CauseOther, detailsInternal) == 0 {
				t.Errorf("want backend_timeout and internal_error: %v", tr.ByCause)
			}
		}},
		{"lost-evidence", func(t *testing.T, tr Truth, files map[string][]byte) {
			if _, ok := files[FileAudit]; ok {
				t.Error("neg-audit.json written")
			}
			if _, ok := files[FileLBOverlap]; !ok {
				t.Error("no overlapping export")
			}
			if !bytes.Contains(files[FileEvents], []byte(`"FailedPreStopHook"`)) {
				t.Error("no FailedPreStopHook event")
			}
			workloadOf := map[string]string{}
			cross := false
			for _, l := range tr.IPLeases {
				ns, _, _ := strings.Cut(l.Pod, "-")
				if prev, ok := workloadOf[l.IP]; ok && prev != ns {
					cross = true
				}
				workloadOf[l.IP] = ns
			}
			if !cross {
				t.Error("no IP reused across workloads")
			}
			if count(tr, CauseRace, "") < 24 {
				t.Errorf("%d race errors", count(tr, CauseRace, ""))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			sc, ok := Lookup(tt.scenario)
			if !ok {
				t.Fatalf("no scenario %q", tt.scenario)
			}
			dir := t.TempDir()
			generate(t, sc, dir)
			files := readFiles(t, dir)
			tt.check(t, parseTruth(t, files[FileTruth]), files)
			if sum := dirSize(t, dir); sum > 1_600_000 {
				t.Errorf("scenario directory is %d bytes, want at most about 1.5 MB", sum)
			}
		})
	}
}

// dirSize returns the total size of the files in dir.
func dirSize(t *testing.T, dir string) int64 {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, e := range ents {
		fi, err := os.Stat(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		n += fi.Size()
	}
	return n
}

// TestTruthRaceWindows checks truth.json on its own: every race error lies
// after its pod stopped serving (less the longest request, for requests in
// flight at that moment) and before the detach reached the data plane, and
// the per-termination counts add up.
func TestTruthRaceWindows(t *testing.T) {
	for _, sc := range Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			tr := parseTruth(t, readFiles(t, goldenDir(sc.Name))[FileTruth])
			terms := map[string]TruthTermination{}
			sum := 0
			for _, x := range tr.Terminations {
				terms[x.Pod] = x
				sum += x.RaceErrors
			}
			races := 0
			for _, e := range tr.Errors {
				if e.Cause != CauseRace {
					continue
				}
				races++
				x, ok := terms[*e.Pod]
				switch {
				case !ok || x.StoppedServingAt == nil || x.DataplaneStoppedAt == nil:
					t.Errorf("race error %s on %s without a complete termination", e.InsertID, *e.Pod)
				case e.Timestamp.Before(x.StoppedServingAt.Add(-maxServiceTime)):
					t.Errorf("race error %s at %s before %s stopped serving at %s", e.InsertID, e.Timestamp, x.Pod, x.StoppedServingAt)
				case !e.Timestamp.Before(*x.DataplaneStoppedAt):
					t.Errorf("race error %s at %s after the detach of %s took effect at %s", e.InsertID, e.Timestamp, x.Pod, x.DataplaneStoppedAt)
				}
			}
			if races != sum || races != tr.ByCause[CauseRace] {
				t.Errorf("%d race errors, terminations count %d, by_cause %d", races, sum, tr.ByCause[CauseRace])
			}
		})
	}
}
