package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/negtrace/negtrace/analyzer"
)

var update = flag.Bool("update", false, "rewrite golden files")

// base is the start of the fixture incident.
var base = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

// at returns a pointer to base + s seconds.
func at(s float64) *time.Time {
	t := base.Add(time.Duration(s * float64(time.Second)))
	return &t
}

func ptr[T any](v T) *T { return &v }

// fixtureReport is a representative report: two workloads, five
// terminations covering every nil/non-nil field and verdict, an error of
// every cause, inputs with and without problems, and notes.
func fixtureReport() *analyzer.Report {
	const (
		fe1 = "shop/frontend-7d9f8c6b5-x2x9k"
		fe2 = "shop/frontend-7d9f8c6b5-q8w2m"
		fe3 = "shop/frontend-7d9f8c6b5-zt6pl"
		api = "payments/api-5c8d7f9b4-mm2kd"
	)
	return &analyzer.Report{
		Schema: analyzer.Schema,
		Window: analyzer.Window{Start: base, End: base.Add(30 * time.Minute)},
		Inputs: []analyzer.Input{
			{Path: "incident/lb-requests.ndjson.gz", Kind: "cloud_logging", Records: 120000, Problems: []string{}},
			{Path: "incident/pods.json", Kind: "kube_objects", Records: 42},
			{Path: "incident/events.json", Kind: "cloud_logging", Records: 310, Skipped: 2, Problems: []string{
				"incident/events.json:17: unexpected end of JSON input",
				"incident/events.json:204: entry without timestamp",
			}},
			{Path: "incident/notes.txt", Kind: "unknown", Skipped: 1, Problems: []string{"incident/notes.txt:1: not JSON"}},
		},
		Summary: analyzer.Summary{
			LBRequests: 120000,
			LB5xx:      12,
			ByCause: map[analyzer.Cause]int{
				analyzer.CauseRace: 5, analyzer.CauseBackendClosed: 2, analyzer.CauseApplicationError: 2,
				analyzer.CauseNoHealthyBackend: 2, analyzer.CauseOther: 1,
			},
			Terminations:         5,
			DetachLatencySeconds: analyzer.Percentiles{P50: ptr(9.4), P90: ptr(12.35), P99: ptr(12.35), Max: ptr(12.35)},
		},
		Terminations: []analyzer.Termination{
			{
				Pod: fe3, PodUID: "uid-3", PodIP: "10.8.1.23", Node: "gke-prod-pool-1-a1b2", Workload: "shop/frontend",
				NEG: "k8s1-abc-shop-frontend-80", Zone: "europe-west1-b",
				DeletionRequestedAt: at(100), KillingAt: at(100.4), SigtermAt: at(130.4), ContainerExitAt: at(131),
				ExitCode: ptr(0), DetachRequestedAt: at(101.5), DetachCompletedAt: at(109.9), LastRequestAt: at(110.2),
				DetachLatencySeconds: ptr(9.9), ExposureSeconds: ptr(0.0), Verdict: analyzer.VerdictClean,
				Evidence: []string{"preStop sleeps 30s: SIGTERM ≈ Killing + 30s = 09:02:10.400 (+30.4s)"},
			},
			{
				Pod: fe1, PodUID: "uid-1", PodIP: "10.8.0.14", Node: "gke-prod-pool-1-c3d4", Workload: "shop/frontend",
				NEG: "k8s1-abc-shop-frontend-80", Zone: "europe-west1-c",
				DeletionRequestedAt: at(300), KillingAt: at(300.2), SigtermAt: at(305.2), ContainerExitAt: at(305.9),
				ExitCode: ptr(143), DetachRequestedAt: at(302.1), DetachCompletedAt: at(312.35), LastRequestAt: at(312.8),
				DetachLatencySeconds: ptr(12.35), ExposureSeconds: ptr(7.6), RaceErrors: 3, Verdict: analyzer.VerdictRace,
				Evidence: []string{
					"deletion requested at 2025-03-14T09:05:00Z: deletionTimestamp 2025-03-14T09:05:30Z − 30s grace",
					"preStop sleeps 5s: SIGTERM ≈ Killing + 5s = 09:05:05.200 (+5.2s)",
					"detach op-123 (audit log) requested 09:05:02.100 (+2.1s), completed 09:05:12.350 (+12.3s)",
				},
			},
			{
				Pod: fe2, PodUID: "uid-2", PodIP: "10.8.2.7", Node: "gke-prod-pool-1-e5f6", Workload: "shop/frontend",
				NEG: "k8s1-abc-shop-frontend-80", Zone: "europe-west1-d",
				DeletionRequestedAt: at(302), SigtermAt: at(307), DetachRequestedAt: at(303), DetachCompletedAt: at(311.4),
				LastRequestAt: at(311.9), DetachLatencySeconds: ptr(9.4), ExposureSeconds: ptr(4.9), RaceErrors: 2,
				Verdict: analyzer.VerdictRace, Evidence: []string{"no Killing event: SIGTERM estimated from the deletion"},
			},
			{
				Pod: api, PodUID: "uid-4", PodIP: "10.8.0.31", Node: "gke-prod-pool-2-g7h8", Workload: "payments/api",
				Zone: "europe-west1-b", DeletionRequestedAt: at(900), SigtermAt: at(900), Verdict: analyzer.VerdictInconclusive,
				Evidence: []string{"no detach evidence for this endpoint (no audit entry, no NEG controller Detach event)"},
			},
			{
				Pod: "payments/api-5c8d7f9b4-hh7rx", PodUID: "uid-5", PodIP: "10.8.1.9", Node: "gke-prod-pool-2-j9k0",
				Workload: "payments/api", NEG: "k8s1-abc-payments-api-8080", Zone: "europe-west1-c",
				SigtermAt: at(1210), DetachCompletedAt: at(1215.5), Verdict: analyzer.VerdictInconclusive,
			},
		},
		Errors: []analyzer.ErrorVerdict{
			{InsertID: "e1", Timestamp: *at(42.3), Status: 502, StatusDetails: "backend_connection_closed_before_data_sent_to_client",
				ServerIP: "10.8.0.14", BackendService: "k8s1-abc-shop-frontend-80", Cause: analyzer.CauseBackendClosed,
				Reason: "keep-alive connection closed by a serving pod", Pod: ptr(fe1), URL: "https://shop.example.com/", UserAgent: "curl/8.5.0"},
			{InsertID: "e2", Timestamp: *at(61), Status: 500, StatusDetails: "response_sent_by_backend", ServerIP: "10.8.1.23",
				BackendService: "k8s1-abc-shop-frontend-80", Cause: analyzer.CauseApplicationError, Reason: "the pod answered 500 while serving",
				Pod: ptr(fe3), URL: "https://shop.example.com/cart?id=7&x=|pipe|", UserAgent: "Mozilla/5.0 (X11; Linux x86_64)"},
			{InsertID: "e3", Timestamp: *at(306.1), Status: 502, StatusDetails: "failed_to_connect_to_backend", ServerIP: "10.8.0.14",
				BackendService: "k8s1-abc-shop-frontend-80", Cause: analyzer.CauseRace, Pod: ptr(fe1), SecondsAfterDeletion: ptr(6.1),
				URL: "https://shop.example.com/checkout", UserAgent: "Mozilla/5.0"},
			{InsertID: "e4", Timestamp: *at(306.15), Status: 502, StatusDetails: "failed_to_connect_to_backend", ServerIP: "10.8.0.14",
				BackendService: "k8s1-abc-shop-frontend-80", Cause: analyzer.CauseRace, Pod: ptr(fe1), SecondsAfterDeletion: ptr(6.15),
				URL: "https://shop.example.com/checkout", UserAgent: "Mozilla/5.0"},
			{InsertID: "e5", Timestamp: *at(309.2), Status: 502, StatusDetails: "backend_connection_closed_before_data_sent_to_client",
				ServerIP: "10.8.2.7", BackendService: "k8s1-abc-shop-frontend-80", Cause: analyzer.CauseRace, Pod: ptr(fe2),
				SecondsAfterDeletion: ptr(7.2), URL: "https://shop.example.com/api/items", UserAgent: "okhttp/4.12.0"},
			{InsertID: "e6", Timestamp: *at(310.8), Status: 503, StatusDetails: "response_sent_by_backend", ServerIP: "10.8.2.7",
				BackendService: "k8s1-abc-shop-frontend-80", Cause: analyzer.CauseRace, Pod: ptr(fe2), SecondsAfterDeletion: ptr(8.8),
				URL: "https://shop.example.com/api/items", UserAgent: "okhttp/4.12.0"},
			{InsertID: "e7", Timestamp: *at(311.7), Status: 502, StatusDetails: "failed_to_connect_to_backend", ServerIP: "10.8.0.14",
				BackendService: "k8s1-abc-shop-frontend-80", Cause: analyzer.CauseRace, Pod: ptr(fe1), SecondsAfterDeletion: ptr(11.7),
				URL: "https://shop.example.com/", UserAgent: "Mozilla/5.0"},
			{InsertID: "e8", Timestamp: *at(320), Status: 503, StatusDetails: "failed_to_pick_backend",
				BackendService: "k8s1-abc-payments-api-8080", Cause: analyzer.CauseNoHealthyBackend, URL: "https://pay.example.com/v1/charge"},
			{InsertID: "e9", Timestamp: *at(321), Status: 503, StatusDetails: "failed_to_pick_backend",
				BackendService: "k8s1-abc-payments-api-8080", Cause: analyzer.CauseNoHealthyBackend, URL: "https://pay.example.com/v1/charge"},
			{InsertID: "e10", Timestamp: *at(905.5), Status: 500, StatusDetails: "response_sent_by_backend", ServerIP: "10.8.0.31",
				BackendService: "k8s1-abc-payments-api-8080", Cause: analyzer.CauseApplicationError, Reason: "the pod answered 500 while serving",
				Pod: ptr(api), SecondsAfterDeletion: ptr(5.5), URL: "https://pay.example.com/v1/refund"},
			{InsertID: "e11", Timestamp: *at(1000), Status: 502, StatusDetails: "backend_connection_closed_before_data_sent_to_client",
				ServerIP: "10.8.3.3", BackendService: "k8s1-abc-shop-frontend-80", Cause: analyzer.CauseBackendClosed,
				Reason: "keep-alive connection closed by a serving pod", URL: "https://shop.example.com/"},
			{InsertID: "e12", Timestamp: *at(1500), Status: 502, StatusDetails: "failed_to_connect_to_backend", ServerIP: "10.9.9.9:8080",
				BackendService: "k8s1-abc-shop-frontend-80", Cause: analyzer.CauseOther, Reason: "no pod held 10.9.9.9 at that time",
				URL: "https://shop.example.com/_internal/*x*"},
		},
		Recommendations: []analyzer.Recommendation{
			{
				Workload: "shop/frontend", PrestopSleepSeconds: 20, TerminationGracePeriodSeconds: 50,
				CurrentPrestopSleepSeconds: ptr(5.0), CurrentTerminationGracePeriodSeconds: ptr(int64(30)),
				Action: "raise", Terminations: 3,
				DetachLatencySeconds: analyzer.Percentiles{P50: ptr(9.9), P90: ptr(12.35), P99: ptr(12.35), Max: ptr(12.35)},
				RaceErrorsObserved:   5, RaceErrorsAvoided: 5,
				Rationale: "The LB kept sending to terminating pods for up to 12.8s after deletion (detach latency max 12.35s); " +
					"a 20s preStop sleep covers that with a 5s margin, rounded up to 5s. Grace: 20s preStop + 30s observed shutdown.",
				Patch: "spec:\n  template:\n    spec:\n      terminationGracePeriodSeconds: 50\n      containers:\n      - name: app\n        lifecycle:\n          preStop:\n            sleep:\n              seconds: 20\n",
			},
			{
				Workload: "payments/api", Action: "insufficient_data", Terminations: 2,
				CurrentTerminationGracePeriodSeconds: ptr(int64(60)),
				Rationale:                            "No NEG detach of this workload was observed; export the Compute audit log for the window to measure it.",
			},
		},
		Notes: []string{
			"data-plane slack learned from the evidence: 0.5s",
			"no Compute audit entries for NEG payments/api: detach times of its pods are unknown",
		},
	}
}

// goldenOptions are fixed so golden files are reproducible.
var goldenOptions = Options{Width: 0, Generated: time.Date(2025, 3, 15, 8, 0, 0, 0, time.UTC), Version: "v0.0.0-test"}

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}
