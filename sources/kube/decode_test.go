package kube

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// summary is what the DecodeDocument tests compare: record identities, not
// every field (the converters' tests cover those).
type summary struct {
	Pods, Slices, Services, Events []string
	Ignored                        []string
	Problems                       []string
}

func summarize(o Objects) summary {
	var s summary
	for _, p := range o.Pods {
		id := p.Namespace + "/" + p.Name
		if p.Deleted {
			id += " (deleted)"
		}
		s.Pods = append(s.Pods, id)
	}
	for _, x := range o.Slices {
		s.Slices = append(s.Slices, x.Namespace+"/"+x.Name)
	}
	for _, x := range o.Services {
		s.Services = append(s.Services, x.Namespace+"/"+x.Name)
	}
	for _, x := range o.Events {
		s.Events = append(s.Events, x.Namespace+"/"+x.Reason)
	}
	s.Ignored = o.Ignored
	s.Problems = o.Problems
	return s
}

// summaryDiff compares summaries; a wanted problem is a prefix of the one
// reported (the JSON error text that follows is not ours).
func summaryDiff(want, got summary) string {
	if len(want.Problems) == len(got.Problems) {
		for i, p := range want.Problems {
			if strings.HasPrefix(got.Problems[i], p) {
				got.Problems[i] = p
			}
		}
	}
	return cmp.Diff(want, got, cmpopts.EquateEmpty())
}

func TestDecodeDocument(t *testing.T) {
	pod := string(readTestdata(t, "pod_terminating.json"))
	tests := []struct {
		name string
		raw  string
		want summary
	}{
		{name: "single pod", raw: pod, want: summary{Pods: []string{"shop/web-6d9f7c8b5-q2w3e"}}},
		{name: "single slice", raw: string(readTestdata(t, "slice_terminating.json")), want: summary{Slices: []string{"shop/web-7xk2p"}}},
		{name: "single service", raw: string(readTestdata(t, "service_neg.json")), want: summary{Services: []string{"shop/web"}}},
		{name: "single event", raw: string(readTestdata(t, "event_killing.json")), want: summary{Events: []string{"shop/Killing"}}},
		{
			name: "kubectl List of mixed kinds",
			raw: `{"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":""},"items":[` +
				pod + `,` +
				string(readTestdata(t, "event_detach.json")) + `,` +
				`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"}},` +
				`{"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"namespace":"shop"},"reason":"Scheduled","eventTime":"2025-03-04T18:00:00.000000Z"},` +
				`{"apiVersion":"v1","kind":"Pod","metadata":{"creationTimestamp":"yesterday"}},` +
				`{"metadata":{"name":"no-kind"}},` +
				`42,` +
				`{"apiVersion":"v1","kind":"Service","metadata":{"namespace":"shop","name":"web"}}` +
				`]}`,
			want: summary{
				Pods:     []string{"shop/web-6d9f7c8b5-q2w3e"},
				Services: []string{"shop/web"},
				Events:   []string{"shop/Detach", "shop/Scheduled"},
				Ignored:  []string{"apps/v1 Deployment"},
				Problems: []string{"items[4]: decode v1 Pod", "items[5]: object without apiVersion and kind", "items[6]: not an object"},
			},
		},
		{
			name: "typed list whose items have no kind (raw API output)",
			raw:  `{"apiVersion":"v1","kind":"PodList","items":[{"metadata":{"namespace":"a","name":"p1"}},{"metadata":{"namespace":"a","name":"p2"}}]}`,
			want: summary{Pods: []string{"a/p1", "a/p2"}},
		},
		{
			name: "EndpointSliceList",
			raw:  `{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSliceList","items":[{"metadata":{"namespace":"a","name":"s1"},"addressType":"IPv4","endpoints":null}]}`,
			want: summary{Slices: []string{"a/s1"}},
		},
		{name: "empty list", raw: `{"apiVersion":"v1","kind":"List","items":[]}`, want: summary{}},
		{name: "list without items", raw: `{"apiVersion":"v1","kind":"List"}`, want: summary{}},
		{
			name: "List without apiVersion",
			raw:  `{"kind":"List","items":[{"apiVersion":"v1","kind":"Service","metadata":{"namespace":"a","name":"s"}},{"metadata":{"name":"x"}}]}`,
			want: summary{Services: []string{"a/s"}, Problems: []string{"items[1]: object without apiVersion and kind"}},
		},
		{
			name: "kind ending in List without items is an object",
			raw:  `{"apiVersion":"example.com/v1","kind":"AllowList","spec":{}}`,
			want: summary{Ignored: []string{"example.com/v1 AllowList"}},
		},
		{name: "watch ADDED", raw: `{"type":"ADDED","object":` + pod + `}`, want: summary{Pods: []string{"shop/web-6d9f7c8b5-q2w3e"}}},
		{name: "watch MODIFIED", raw: `{"type":"MODIFIED","object":` + pod + `}`, want: summary{Pods: []string{"shop/web-6d9f7c8b5-q2w3e"}}},
		{name: "watch DELETED", raw: `{"type":"DELETED","object":` + pod + `}`, want: summary{Pods: []string{"shop/web-6d9f7c8b5-q2w3e (deleted)"}}},
		{
			name: "watch DELETED slice",
			raw:  `{"type":"DELETED","object":` + string(readTestdata(t, "slice_terminating.json")) + `}`,
			want: summary{Slices: []string{"shop/web-7xk2p"}},
		},
		{name: "watch BOOKMARK", raw: `{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"12"}}}`, want: summary{}},
		{
			name: "watch ERROR",
			raw:  `{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 1 (2)","reason":"Expired","code":410}}`,
			want: summary{Problems: []string{"watch error: too old resource version: 1 (2)"}},
		},
		{
			name: "watch event with a broken object",
			raw:  `{"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1","spec":{"containers":"x"}}}`,
			want: summary{Problems: []string{"added event: decode v1 Pod"}},
		},
		{
			name: "event whose type is not a watch type is an object",
			raw:  `{"apiVersion":"v1","kind":"Event","type":"Warning","reason":"DetachFailed","metadata":{"namespace":"shop"}}`,
			want: summary{Events: []string{"shop/DetachFailed"}},
		},
		{
			name: "single object that cannot be decoded",
			raw:  `{"apiVersion":"v1","kind":"Service","spec":{"ports":[{"port":"eighty"}]}}`,
			want: summary{Problems: []string{"decode v1 Service: json"}},
		},
		{name: "other kind", raw: `{"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"web"}}`, want: summary{Ignored: []string{"v1 Endpoints"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeDocument([]byte(tt.raw))
			if err != nil {
				t.Fatalf("DecodeDocument() error = %v", err)
			}
			if diff := summaryDiff(tt.want, summarize(got)); diff != "" {
				t.Errorf("DecodeDocument() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestObjectsLen(t *testing.T) {
	raw := `{"apiVersion":"v1","kind":"List","items":[` + string(readTestdata(t, "pod_terminating.json")) + `,` +
		string(readTestdata(t, "slice_terminating.json")) + `,` + string(readTestdata(t, "service_neg.json")) + `,` +
		string(readTestdata(t, "event_killing.json")) + `,{"apiVersion":"apps/v1","kind":"ReplicaSet"},{}]}`
	got, err := DecodeDocument([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if got.Len() != 4 {
		t.Errorf("Objects.Len() = %d, want 4 (ignored kinds and problems do not count)", got.Len())
	}
}

// The records inside a watch event are fully converted.
func TestDecodeDocumentWatchPod(t *testing.T) {
	raw := `{"type":"DELETED","object":` + string(readTestdata(t, "pod_terminating.json")) + `}`
	got, err := DecodeDocument([]byte(raw))
	if err != nil || len(got.Pods) != 1 {
		t.Fatalf("DecodeDocument() = %+v, %v, want one pod", got, err)
	}
	p := got.Pods[0]
	if !p.Deleted || p.IP != netip.MustParseAddr("10.52.3.17") || p.PreStop.Seconds != 15 || p.Workload != "shop/web" {
		t.Errorf("DecodeDocument() pod = %+v, want the deleted shop/web pod with IP 10.52.3.17 and a 15 s preStop", p)
	}
}

func TestDecodeDocumentNotKubernetes(t *testing.T) {
	tests := []struct{ name, raw string }{
		{"empty", ``},
		{"truncated", `{"apiVersion":"v1","kind":"Pod","metadata":{`},
		{"not json", `kind: Pod`},
		{"array", `[{"apiVersion":"v1","kind":"Pod"}]`},
		{"string", `"Pod"`},
		{"null", `null`},
		{"empty object", `{}`},
		{"kind without apiVersion", `{"kind":"Pod","metadata":{"name":"x"}}`},
		{"log entry", `{"insertId":"x","logName":"projects/p/logs/requests","httpRequest":{"status":502},"timestamp":"2025-03-04T18:15:00Z"}`},
		{"watch type without object", `{"type":"ADDED"}`},
		{"two documents", `{"apiVersion":"v1","kind":"Pod"} {"apiVersion":"v1","kind":"Pod"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeDocument([]byte(tt.raw))
			if !errors.Is(err, ErrNotKubernetes) {
				t.Errorf("DecodeDocument(%s) error = %v, want ErrNotKubernetes", tt.raw, err)
			}
			if diff := cmp.Diff(Objects{}, got, addrCmp); diff != "" {
				t.Errorf("DecodeDocument(%s) returned a value with its error (-zero +got):\n%s", tt.raw, diff)
			}
		})
	}
}

// The shared samples decode as they are: kubectl-shaped lists and objects
// (JSON, or YAML converted the way the export reader does), and Cloud
// Logging entries are refused as not Kubernetes.
func TestDecodeDocumentSamples(t *testing.T) {
	tests := []struct {
		sample  string
		want    summary
		notKube bool
	}{
		{sample: "troubleshoot/pods/default-unhealthy.json", want: summary{Pods: []string{"default-unhealthy/random-pod-75b66db9b9-nqhp8"}}},
		{sample: "troubleshoot/pods/message-oomkill-pod.json", want: summary{Pods: []string{"message-oomkill-pod/oom-kill-job3-gbb89"}}},
		{sample: "troubleshoot/pods/message-pod-crashloop-backoff.json", want: summary{Pods: []string{"message-pod-crashloop-backoff/init-demo"}}},
		{sample: "troubleshoot/pods/message-pending-pod-resources.json", want: summary{Pods: []string{"message-pending-pod-resources/pending-pod-resources-5fddcf7688-djjfc"}}},
		{sample: "kubernetes-api/core.v1.Pod.json", want: summary{Pods: []string{"namespaceValue/nameValue"}}},
		{sample: "kubernetes-api/discovery.k8s.io.v1.EndpointSlice.json", want: summary{Slices: []string{"namespaceValue/nameValue"}}},
		{sample: "kubernetes-api/core.v1.Event.json", want: summary{Events: []string{"namespaceValue/reasonValue"}}},
		{sample: "kubernetes-api/events.k8s.io.v1.Event.json", want: summary{Events: []string{"namespaceValue/reasonValue"}}},
		{sample: "kubernetes-api/core.v1.Endpoints.json", want: summary{Ignored: []string{"v1 Endpoints"}}},
		{sample: "khi/sample_pod.yaml", want: summary{Pods: []string{"kube-system/container-watcher-s667m"}}},
		{sample: "khi/container_recorder_test_1_1_manifest.yaml", want: summary{Pods: []string{"1-2-deployment-update/nginx-deployment-surge-8655b4b8c5-xf5f4"}}},
		{sample: "khi/container_recorder_test_1_3_manifest.yaml", want: summary{Pods: []string{"1-2-deployment-update/nginx-deployment-surge-8655b4b8c5-xf5f4"}}},
		{sample: "khi/test-log.yaml", want: summary{Ignored: []string{"audit.k8s.io/v1 Event"}}},
		{sample: "khi/container_recorder_test_1_1.yaml", notKube: true},
		{sample: "opentelemetry-collector-contrib/activity.json", notKube: true},
		{sample: "opentelemetry-collector-contrib/global_external_application_load_balancer.json", notKube: true},
	}
	for _, tt := range tests {
		t.Run(tt.sample, func(t *testing.T) {
			got, err := DecodeDocument(readSample(t, tt.sample))
			if tt.notKube {
				if !errors.Is(err, ErrNotKubernetes) {
					t.Errorf("DecodeDocument(%s) error = %v, want ErrNotKubernetes", tt.sample, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("DecodeDocument(%s) error = %v", tt.sample, err)
			}
			if diff := summaryDiff(tt.want, summarize(got)); diff != "" {
				t.Errorf("DecodeDocument(%s) mismatch (-want +got):\n%s", tt.sample, diff)
			}
		})
	}
}

// Every sample either decodes without problems or is refused as a whole.
func TestDecodeDocumentAllSamples(t *testing.T) {
	for _, rel := range allSamples(t) {
		got, err := DecodeDocument(readSample(t, rel))
		if err != nil && !errors.Is(err, ErrNotKubernetes) {
			t.Errorf("DecodeDocument(%s) error = %v, want nil or ErrNotKubernetes", rel, err)
		}
		if len(got.Problems) > 0 {
			t.Errorf("DecodeDocument(%s) problems = %q, want none", rel, got.Problems)
		}
	}
}
