package kube

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

func TestPreStopFrom(t *testing.T) {
	exec := func(cmd ...string) *corev1.LifecycleHandler {
		return &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: cmd}}
	}
	execSleep := func(s float64, cmd ...string) PreStop {
		return PreStop{Kind: PreStopExecSleep, Seconds: s, Command: cmd}
	}
	other := func(cmd ...string) PreStop { return PreStop{Kind: PreStopExec, Command: cmd} }
	tests := []struct {
		name string
		h    *corev1.LifecycleHandler
		want PreStop
	}{
		{"none", nil, PreStop{Kind: PreStopNone}},
		{"empty handler", &corev1.LifecycleHandler{}, PreStop{Kind: PreStopNone}},
		{"tcpSocket is unsupported", &corev1.LifecycleHandler{TCPSocket: &corev1.TCPSocketAction{}}, PreStop{Kind: PreStopNone}},
		{"native sleep", &corev1.LifecycleHandler{Sleep: &corev1.SleepAction{Seconds: 40}}, PreStop{Kind: PreStopSleep, Seconds: 40}},
		{"native negative sleep", &corev1.LifecycleHandler{Sleep: &corev1.SleepAction{Seconds: -4}}, PreStop{Kind: PreStopSleep}},
		{"httpGet", &corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/quit"}}, PreStop{Kind: PreStopHTTP}},
		{"sleep N", exec("sleep", "40"), execSleep(40, "sleep", "40")},
		{"/bin/sleep Ns", exec("/bin/sleep", "40s"), execSleep(40, "/bin/sleep", "40s")},
		{"sleep decimal", exec("sleep", "1.5"), execSleep(1.5, "sleep", "1.5")},
		{"sleep minutes", exec("sleep", "1m"), execSleep(60, "sleep", "1m")},
		{"sleep sums args", exec("sleep", "1m", "30s"), execSleep(90, "sleep", "1m", "30s")},
		{"sleep hours", exec("sleep", ".5h"), execSleep(1800, "sleep", ".5h")},
		{"sleep 2m30s is invalid", exec("sleep", "2m30s"), other("sleep", "2m30s")},
		{"sleep inf", exec("sleep", "inf"), other("sleep", "inf")},
		{"sleep exponent", exec("sleep", "1e3"), other("sleep", "1e3")},
		{"sleep negative", exec("sleep", "-5"), other("sleep", "-5")},
		{"sleep without args", exec("sleep"), other("sleep")},
		{"sleep overflowing", exec("sleep", "1"+strings.Repeat("0", 308)+"d"), other("sleep", "1"+strings.Repeat("0", 308)+"d")},
		{"sh -c sleep", exec("sh", "-c", "sleep 40"), execSleep(40, "sh", "-c", "sleep 40")},
		{"/bin/bash -c sleep then quit", exec("/bin/bash", "-c", "sleep 5 && nginx -s quit"), execSleep(5, "/bin/bash", "-c", "sleep 5 && nginx -s quit")},
		{"/bin/ash -c sleep;", exec("/bin/ash", "-c", "  sleep 10; kill 1"), execSleep(10, "/bin/ash", "-c", "  sleep 10; kill 1")},
		{"/busybox/sh -ec", exec("/busybox/sh", "-ec", "sleep 3s\nexit 0"), execSleep(3, "/busybox/sh", "-ec", "sleep 3s\nexit 0")},
		{"sh -e -c quoted", exec("sh", "-e", "-c", `sleep "20"`), execSleep(20, "sh", "-e", "-c", `sleep "20"`)},
		{"bash --norc -c", exec("bash", "--norc", "-c", "sleep 7 || true"), execSleep(7, "bash", "--norc", "-c", "sleep 7 || true")},
		{"sleep in background", exec("sh", "-c", "sleep 30 & wait"), other("sh", "-c", "sleep 30 & wait")},
		{"sleep piped", exec("sh", "-c", "sleep 30 | cat"), other("sh", "-c", "sleep 30 | cat")},
		{"sleep with variable", exec("sh", "-c", "sleep $DRAIN_SECONDS"), other("sh", "-c", "sleep $DRAIN_SECONDS")},
		{"script not starting with sleep", exec("sh", "-c", "nginx -s quit; sleep 5"), other("sh", "-c", "nginx -s quit; sleep 5")},
		{"sleepy is not sleep", exec("sh", "-c", "sleepy 5"), other("sh", "-c", "sleepy 5")},
		{"sh without -c", exec("sh", "/drain.sh"), other("sh", "/drain.sh")},
		{"sh -c without script", exec("sh", "-c"), other("sh", "-c")},
		{"other shell", exec("python", "-c", "sleep 5"), other("python", "-c", "sleep 5")},
		{"other command", exec("/app/drain"), other("/app/drain")},
		{"empty exec", exec(), other()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := preStopFrom(tt.h)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("preStopFrom() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzExecSleepSeconds checks that reading a preStop command never panics
// and gives a finite, non-negative duration.
func FuzzExecSleepSeconds(f *testing.F) {
	f.Add("sleep", "-c", "40s")
	f.Add("/bin/sh", "-ec", "sleep 5 && nginx -s quit")
	f.Add("bash", "--norc", "sleep 1m 30s; kill 1")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		s, ok := execSleepSeconds([]string{a, b, c})
		if s < 0 || math.IsInf(s, 0) || math.IsNaN(s) || (!ok && s != 0) {
			t.Fatalf("execSleepSeconds(%q, %q, %q) = %v, %v", a, b, c, s, ok)
		}
	})
}
