package live

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/negtrace/negtrace/analyzer"
	"github.com/negtrace/negtrace/sources/cloudlog"
	"github.com/negtrace/negtrace/sources/cloudlog/cloudlogtest"
	"github.com/negtrace/negtrace/sources/kube/kubewatch"
	"github.com/negtrace/negtrace/sources/sim"
	"github.com/negtrace/negtrace/sources/state"
)

// replayKubernetes drives a fake API (client-go's fake clientset) through a
// scenario's kubectl exports: Services and EndpointSlices as listed, then
// every pod watch event in order, as the cluster went through them.
func replayKubernetes(ctx context.Context, t *testing.T, cs *fake.Clientset, dir string) {
	t.Helper()
	var svcs struct{ Items []corev1.Service }
	readJSON(t, filepath.Join(dir, sim.FileServices), &svcs)
	for i := range svcs.Items {
		if _, err := cs.CoreV1().Services(svcs.Items[i].Namespace).Create(ctx, &svcs.Items[i], metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	var slices struct{ Items []discoveryv1.EndpointSlice }
	readJSON(t, filepath.Join(dir, sim.FileSlices), &slices)
	for i := range slices.Items {
		if _, err := cs.DiscoveryV1().EndpointSlices(slices.Items[i].Namespace).Create(ctx, &slices.Items[i], metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(filepath.Join(dir, sim.FilePods))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	for {
		var ev struct {
			Type   string
			Object corev1.Pod
		}
		if err := dec.Decode(&ev); errors.Is(err, io.EOF) {
			return
		} else if err != nil {
			t.Fatal(err)
		}
		p := &ev.Object
		pods := cs.CoreV1().Pods(p.Namespace)
		switch ev.Type {
		case "ADDED":
			_, err = pods.Create(ctx, p, metav1.CreateOptions{})
		case "MODIFIED":
			_, err = pods.Update(ctx, p, metav1.UpdateOptions{})
		case "DELETED":
			err = pods.Delete(ctx, p.Name, metav1.DeleteOptions{})
		}
		if err != nil {
			t.Fatalf("%s pod %s: %v", ev.Type, p.Name, err)
		}
		// Let the informer see each version, as a real watch would.
		time.Sleep(time.Millisecond)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestLivePathMatchesAnalyze replays simulated incidents through the whole
// live path — the real Cloud Logging client against a fake Logging server,
// client-go informers against a fake API, the SQLite state, the service —
// and checks every 5xx gets the same cause and pod as negtrace analyze
// gives from the exported files.
func TestLivePathMatchesAnalyze(t *testing.T) {
	for _, sc := range sim.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			dir := filepath.Join("..", "..", "testdata", "scenarios", sc.Name)
			offline, err := analyzer.Analyze(scenarioEvidence(t, sc.Name), analyzer.DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			entries, err := cloudlogtest.LoadScenario(dir)
			if err != nil {
				t.Fatal(err)
			}
			logs := cloudlogtest.NewServer(t, entries...)
			db, err := state.Open(ctx, state.Options{Path: filepath.Join(t.TempDir(), "negtrace.db"), Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			svc, err := New(Options{DB: db, Origin: "e2e", Analysis: analyzer.DefaultOptions(), Logger: slog.New(slog.DiscardHandler), Debounce: 20 * time.Millisecond, Refresh: 100 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			reader, err := cloudlog.New(cloudlog.Options{Client: logs.Client(t), Project: "shop-prod", Apply: svc.Apply,
				Backfill: 20000 * time.Hour, Poll: 50 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			cs := fake.NewSimpleClientset()
			watcher, err := kubewatch.NewWatcher(kubewatch.WatchOptions{Client: cs, Apply: svc.Apply, Flush: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			runCtx, stop := context.WithCancel(ctx)
			ran := make(chan error, 1)
			go func() { ran <- svc.Run(runCtx, reader, watcher) }()
			for ctx.Err() == nil && watcher.Status().State != analyzer.SourceOK {
				time.Sleep(10 * time.Millisecond)
			}
			replayKubernetes(ctx, t, cs, dir)

			want := verdictsOf(offline)
			var got []verdict
			for ctx.Err() == nil {
				if snap := svc.Snapshot(); snap != nil {
					if got = verdictsOf(snap.Report); cmp.Equal(want, got) {
						break
					}
				}
				time.Sleep(50 * time.Millisecond)
			}
			stop()
			if err := <-ran; err != nil {
				t.Errorf("Run = %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("live verdicts differ from negtrace analyze (-analyze +live):\n%s", diff)
			}
		})
	}
}

type verdict struct {
	ID    string
	Cause analyzer.Cause
	Pod   string
}

func verdictsOf(r *analyzer.Report) []verdict {
	v := make([]verdict, 0, len(r.Errors))
	for _, e := range r.Errors {
		p := ""
		if e.Pod != nil {
			p = *e.Pod
		}
		v = append(v, verdict{e.InsertID, e.Cause, p})
	}
	return v
}
