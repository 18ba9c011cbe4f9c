package analyzer

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/negtrace/negtrace/sources/kube"
	"github.com/negtrace/negtrace/sources/lblog"
	"github.com/negtrace/negtrace/sources/negops"
)

var t0 = time.Date(2025, 3, 4, 18, 15, 0, 0, time.UTC)

func at(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }

// reuseEvidence: pod web-a (shop/web, no preStop) is deleted at t0; its
// detach completes at +10s. Its IP is reused at +30s by api-b (shop/api),
// which keeps serving.
func reuseEvidence() *Evidence {
	ip := netip.MustParseAddr("10.52.3.17")
	grace := int64(30)
	c := NewCollector(Window{})
	podA := kube.Pod{UID: "uid-a", Namespace: "shop", Name: "web-a", Node: "node-1", IP: ip, Workload: "shop/web", OwnerKind: "Deployment",
		Started: at(-600), TerminationGrace: 30, PreStop: kube.PreStop{Kind: kube.PreStopNone}, Container: "app", Ports: []int{8080}, ResourceVersion: "10"}
	c.AddPod(podA)
	podA.ResourceVersion, podA.Deletion, podA.DeletionGrace = "11", at(30), &grace
	podA.Exits = []kube.ContainerExit{{Container: "app", ExitCode: 143, FinishedAt: at(1)}}
	c.AddPod(podA)
	c.AddPod(kube.Pod{UID: "uid-b", Namespace: "shop", Name: "api-b", Node: "node-1", IP: ip, Workload: "shop/api", OwnerKind: "Deployment",
		Started: at(30), TerminationGrace: 30, Ports: []int{8080}, ResourceVersion: "20"})
	c.AddEvent(kube.Event{Namespace: "shop", Name: "web-a.1", Kind: "Pod", ObjectName: "web-a", ObjectUID: "uid-a", Reason: kube.ReasonKilling, Time: at(0.5), Count: 1, Host: "node-1"})
	ep := []negops.Endpoint{{IP: ip, Port: 8080, Instance: "node-1"}}
	c.AddAudit(negops.AuditEntry{InsertID: "a1", Time: at(1), OperationID: "op-1", First: true, Kind: negops.Detach, Zone: "us-central1-a", NEG: "k8s1-neg", Endpoints: ep})
	c.AddAudit(negops.AuditEntry{InsertID: "a2", Time: at(10), OperationID: "op-1", Last: true, Kind: negops.Detach, Zone: "us-central1-a", NEG: "k8s1-neg"})
	req := func(id string, sec float64, status int, d lblog.StatusDetail, server netip.Addr) lblog.Request {
		return lblog.Request{InsertID: id, Time: at(sec), Status: status, StatusDetails: d, ServerIP: server, BackendService: "k8s1-neg"}
	}
	for i := 0; i < 40; i++ { // steady traffic to web-a until it is detached (+11s)
		c.AddRequest(req("ok"+string(rune('a'+i)), -30+float64(i)*1.025, 200, lblog.ResponseSentByBackend, ip))
	}
	c.AddRequest(req("e1", 2, 502, lblog.FailedToConnect, ip))
	c.AddRequest(req("e2", 9.5, 502, lblog.ClosedBeforeData, ip))
	c.AddRequest(req("e2", 9.5, 502, lblog.ClosedBeforeData, ip)) // duplicate export
	c.AddRequest(req("e3", 40, 502, lblog.ClosedBeforeData, ip))  // api-b, serving: keep-alive
	c.AddRequest(req("e4", 41, 500, lblog.ResponseSentByBackend, ip))
	c.AddRequest(req("e5", 42, 503, lblog.FailedToPickBackend, netip.Addr{}))
	c.AddRequest(req("e6", 43, 502, lblog.FailedToConnect, netip.MustParseAddr("10.9.9.9")))
	return c.Evidence()
}

func TestAnalyzeCausesWithIPReuse(t *testing.T) {
	rep, err := Analyze(reuseEvidence(), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID    string
		Cause Cause
		Pod   string
	}
	var got []row
	for _, e := range rep.Errors {
		p := ""
		if e.Pod != nil {
			p = *e.Pod
		}
		got = append(got, row{e.InsertID, e.Cause, p})
	}
	want := []row{
		{"e1", CauseRace, "shop/web-a"},
		{"e2", CauseRace, "shop/web-a"},
		{"e3", CauseBackendClosed, "shop/api-b"},
		{"e4", CauseApplicationError, "shop/api-b"},
		{"e5", CauseNoHealthyBackend, ""},
		{"e6", CauseOther, ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("error causes (-want +got):\n%s", diff)
	}
	if rep.Summary.LB5xx != 6 || rep.Summary.LBRequests != 46 {
		t.Errorf("summary lb_5xx=%d lb_requests=%d, want 6 and 46", rep.Summary.LB5xx, rep.Summary.LBRequests)
	}
	if len(rep.Terminations) != 1 {
		t.Fatalf("terminations = %d, want 1", len(rep.Terminations))
	}
	term := rep.Terminations[0]
	if term.Verdict != VerdictRace || term.RaceErrors != 2 || term.NEG != "k8s1-neg" || term.Zone != "us-central1-a" {
		t.Errorf("termination = %+v", term)
	}
	if term.DetachLatencySeconds == nil || *term.DetachLatencySeconds != 10 {
		t.Errorf("detach latency = %v, want 10", term.DetachLatencySeconds)
	}
}

func TestRecommendRaisesAndReplays(t *testing.T) {
	rep, err := Analyze(reuseEvidence(), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Recommendations) != 1 {
		t.Fatalf("recommendations = %d, want 1 (only shop/web terminated)", len(rep.Recommendations))
	}
	r := rep.Recommendations[0]
	// LB last sent at ~+9.98s; detach completed +10s, learned slack 3s (min):
	// need 13s + 5s margin → 20s; grace 20 + 0.5s shutdown + 5s → 30 (kept at 30).
	if r.Action != ActionRaise || r.PrestopSleepSeconds != 20 || r.TerminationGracePeriodSeconds != 30 {
		t.Errorf("recommendation = %s sleep %d grace %d, want raise 20 30\n%s", r.Action, r.PrestopSleepSeconds, r.TerminationGracePeriodSeconds, r.Rationale)
	}
	if r.RaceErrorsObserved != 2 || r.RaceErrorsAvoided != 2 {
		t.Errorf("race errors observed/avoided = %d/%d, want 2/2", r.RaceErrorsObserved, r.RaceErrorsAvoided)
	}
	if r.Patch == "" {
		t.Error("no patch for a raise")
	}
}

func TestRecommendNeverLongerForSafeWorkload(t *testing.T) {
	ev := reuseEvidence()
	for i := range ev.Pods {
		if ev.Pods[i].Name == "web-a" {
			ev.Pods[i].PreStop = kube.PreStop{Kind: kube.PreStopSleep, Seconds: 60}
			ev.Pods[i].TerminationGrace = 90
		}
	}
	var kept []lblog.Request
	for _, r := range ev.Errors {
		if r.InsertID != "e1" && r.InsertID != "e2" {
			kept = append(kept, r)
		}
	}
	ev.Errors = kept
	rep, err := Analyze(ev, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Recommendations[0]
	if r.Action != ActionShorten || r.PrestopSleepSeconds > 60 || r.TerminationGracePeriodSeconds > 90 {
		t.Errorf("safe workload got %s sleep %d grace %d, want shorten and never longer", r.Action, r.PrestopSleepSeconds, r.TerminationGracePeriodSeconds)
	}
	if v := rep.Terminations[0].Verdict; v != VerdictClean {
		t.Errorf("verdict = %s, want clean", v)
	}
}
