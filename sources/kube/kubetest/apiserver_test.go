package kubetest

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// TestStartAPIServer starts the real API server and uses it: its version,
// a namespace round trip over verified TLS with the admin token, and a pod
// created without a ServiceAccount controller.
func TestStartAPIServer(t *testing.T) {
	cfg := StartAPIServer(t)
	if cfg.Insecure || len(cfg.CAData) == 0 {
		t.Errorf("config does not verify the server: Insecure=%v, %d bytes of CA", cfg.Insecure, len(cfg.CAData))
	}
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	v, err := c.Discovery().ServerVersion()
	if err != nil {
		t.Fatalf("server version: %v", err)
	}
	if v.GitVersion != Version {
		t.Errorf("server version %q, want %q", v.GitVersion, Version)
	}
	if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "smoke"}}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "smoke", Name: "p"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "example.invalid/app"}}},
	}
	if _, err := c.CoreV1().Pods("smoke").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create pod: %v", err)
	}
	pods, err := c.CoreV1().Pods("smoke").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("list pods: %v", err)
	}
	if len(pods.Items) != 1 || pods.Items[0].Name != "p" {
		t.Errorf("pods = %+v, want the one created", pods.Items)
	}
}

// TestRestartAPIServer stops and restarts kube-apiserver: requests fail
// while it is stopped, and after the restart the same client configuration
// works and the data kept in etcd is there.
func TestRestartAPIServer(t *testing.T) {
	s := Start(t)
	c, err := kubernetes.NewForConfig(s.Config)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "kept"}}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create namespace: %v", err)
	}

	s.StopAPIServer()
	if _, err := c.CoreV1().Namespaces().Get(ctx, "kept", metav1.GetOptions{}); err == nil {
		t.Fatal("the stopped API server answered")
	}
	s.RestartAPIServer()
	if _, err := c.CoreV1().Namespaces().Get(ctx, "kept", metav1.GetOptions{}); err != nil {
		t.Fatalf("after restart: %v", err)
	}
}
