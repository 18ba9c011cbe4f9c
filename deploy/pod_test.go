package deploy_test

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Settings the Dockerfile and the Deployment share.
const (
	runtimeUID   = 65532 // distroless "nonroot"
	listenPort   = 8080
	stateDir     = "/var/lib/negtrace"
	gracePeriod  = 30 // seconds; negtrace drains HTTP for at most 20 s
	portName     = "http"
	metricsPath  = "/metrics"
	configPrefix = "negtrace-config"
)

// wantArgs are negtrace's arguments in the pod: live mode, with the project,
// cluster and location from the ConfigMap.
var wantArgs = []string{
	"serve", "--listen", fmt.Sprintf(":%d", listenPort),
	"--project", "$(PROJECT_ID)", "--cluster", "$(CLUSTER_NAME)", "--location", "$(CLUSTER_LOCATION)",
	"--db", stateDir + "/negtrace.db",
}

// theDeployment returns the build's only Deployment.
func theDeployment(t *testing.T, d *decoded) *appsv1.Deployment {
	t.Helper()
	if len(d.deployments) != 1 {
		t.Fatalf("%d Deployments, want 1", len(d.deployments))
	}
	return d.deployments[0]
}

// effective is a container's security settings after the pod's defaults.
type effective struct {
	runAsNonRoot, readOnlyRoot, allowEscalation, privileged bool
	runAsUser                                               int64
	seccomp                                                 corev1.SeccompProfileType
	drop, add                                               []corev1.Capability
}

func effectiveSecurity(pod *corev1.PodSpec, c *corev1.Container) effective {
	var e effective
	e.allowEscalation = true // the Linux default without no_new_privs
	if p := pod.SecurityContext; p != nil {
		if p.RunAsNonRoot != nil {
			e.runAsNonRoot = *p.RunAsNonRoot
		}
		if p.RunAsUser != nil {
			e.runAsUser = *p.RunAsUser
		}
		if p.SeccompProfile != nil {
			e.seccomp = p.SeccompProfile.Type
		}
	}
	if s := c.SecurityContext; s != nil {
		if s.RunAsNonRoot != nil {
			e.runAsNonRoot = *s.RunAsNonRoot
		}
		if s.RunAsUser != nil {
			e.runAsUser = *s.RunAsUser
		}
		if s.SeccompProfile != nil {
			e.seccomp = s.SeccompProfile.Type
		}
		if s.ReadOnlyRootFilesystem != nil {
			e.readOnlyRoot = *s.ReadOnlyRootFilesystem
		}
		if s.AllowPrivilegeEscalation != nil {
			e.allowEscalation = *s.AllowPrivilegeEscalation
		}
		if s.Privileged != nil {
			e.privileged = *s.Privileged
		}
		if s.Capabilities != nil {
			e.drop, e.add = s.Capabilities.Drop, s.Capabilities.Add
		}
	}
	return e
}

func TestPodIsHardened(t *testing.T) {
	forEachBuild(t, func(t *testing.T, objs []object) {
		d := decodeAll(t, objs)
		dep := theDeployment(t, d)
		if dep.Spec.Replicas == nil || *dep.Spec.Replicas != 1 {
			t.Errorf("replicas %v, want 1 (one writer of the SQLite state)", dep.Spec.Replicas)
		}
		if dep.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
			t.Errorf("strategy %q, want Recreate (the state volume is ReadWriteOnce)", dep.Spec.Strategy.Type)
		}
		pod := &dep.Spec.Template.Spec
		if pod.HostNetwork || pod.HostPID || pod.HostIPC {
			t.Errorf("host namespaces: network %v, PID %v, IPC %v", pod.HostNetwork, pod.HostPID, pod.HostIPC)
		}
		if pod.AutomountServiceAccountToken == nil || !*pod.AutomountServiceAccountToken {
			t.Error("automountServiceAccountToken must be true: the informers authenticate with it")
		}
		if pod.TerminationGracePeriodSeconds == nil || *pod.TerminationGracePeriodSeconds != gracePeriod {
			t.Errorf("terminationGracePeriodSeconds %v, want %d", pod.TerminationGracePeriodSeconds, gracePeriod)
		}
		if sc := pod.SecurityContext; sc == nil || sc.FSGroup == nil || *sc.FSGroup != runtimeUID {
			t.Errorf("pod fsGroup must be %d so that the state volume is writable", runtimeUID)
		}
		for _, v := range pod.Volumes {
			if v.PersistentVolumeClaim == nil && v.EmptyDir == nil {
				t.Errorf("volume %s: only a PersistentVolumeClaim and emptyDirs are expected, got %+v", v.Name, v.VolumeSource)
			}
			if v.EmptyDir != nil && v.EmptyDir.SizeLimit == nil {
				t.Errorf("emptyDir %s has no sizeLimit", v.Name)
			}
		}
		if len(pod.InitContainers) > 0 || len(pod.EphemeralContainers) > 0 {
			t.Errorf("unexpected init or ephemeral containers")
		}
		if len(pod.Containers) != 1 {
			t.Fatalf("%d containers, want 1", len(pod.Containers))
		}
		c := &pod.Containers[0]
		want := effective{runAsNonRoot: true, readOnlyRoot: true, runAsUser: runtimeUID, seccomp: corev1.SeccompProfileTypeRuntimeDefault, drop: []corev1.Capability{"ALL"}}
		if diff := cmp.Diff(want, effectiveSecurity(pod, c), cmp.AllowUnexported(effective{})); diff != "" {
			t.Errorf("container %s security (-want +got):\n%s", c.Name, diff)
		}
		// Set on the container too, so the container alone says it.
		if sc := c.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || sc.AllowPrivilegeEscalation == nil || sc.ReadOnlyRootFilesystem == nil || sc.Capabilities == nil || sc.SeccompProfile == nil {
			t.Errorf("container %s: securityContext must set runAsNonRoot, allowPrivilegeEscalation, readOnlyRootFilesystem, capabilities and seccompProfile", c.Name)
		}
		if c.Lifecycle != nil {
			t.Errorf("container %s has lifecycle hooks %+v: negtrace shuts down by itself on SIGTERM and must have no preStop", c.Name, c.Lifecycle)
		}
		for _, p := range c.Ports {
			if p.HostPort != 0 {
				t.Errorf("container %s: hostPort %d", c.Name, p.HostPort)
			}
		}

		// Probes on the endpoints negtrace serves, through the named port.
		probes := []struct {
			name  string
			probe *corev1.Probe
			path  string
		}{{"startup", c.StartupProbe, "/healthz"}, {"liveness", c.LivenessProbe, "/healthz"}, {"readiness", c.ReadinessProbe, "/readyz"}}
		for _, p := range probes {
			if p.probe == nil || p.probe.HTTPGet == nil {
				t.Errorf("container %s: no HTTP %s probe", c.Name, p.name)
				continue
			}
			if p.probe.HTTPGet.Path != p.path || p.probe.HTTPGet.Port != intstr.FromString(portName) {
				t.Errorf("%s probe: GET %s on port %v, want %s on %q", p.name, p.probe.HTTPGet.Path, p.probe.HTTPGet.Port.String(), p.path, portName)
			}
		}
		if !slices.ContainsFunc(c.Ports, func(p corev1.ContainerPort) bool { return p.Name == portName && p.ContainerPort == listenPort }) {
			t.Errorf("container %s: no port %q = %d", c.Name, portName, listenPort)
		}

		// Requests and limits for CPU and memory, requests within limits.
		for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			req, okReq := c.Resources.Requests[r]
			lim, okLim := c.Resources.Limits[r]
			switch {
			case !okReq || !okLim:
				t.Errorf("container %s: %s request and limit must both be set", c.Name, r)
			case req.Cmp(lim) > 0:
				t.Errorf("container %s: %s request %s above its limit %s", c.Name, r, req.String(), lim.String())
			}
		}
	})
}

// TestPodWiring checks that what the pod refers to exists: its arguments'
// variables, the ConfigMap keys, the state volume and its claim.
func TestPodWiring(t *testing.T) {
	forEachBuild(t, func(t *testing.T, objs []object) {
		d := decodeAll(t, objs)
		dep := theDeployment(t, d)
		pod := &dep.Spec.Template.Spec
		c := &pod.Containers[0]
		if diff := cmp.Diff(wantArgs, c.Args); diff != "" {
			t.Errorf("args (-want +got):\n%s", diff)
		}
		if len(c.Command) > 0 {
			t.Errorf("command %v overrides the image's entrypoint", c.Command)
		}
		env := map[string]corev1.EnvVar{}
		for _, e := range c.Env {
			env[e.Name] = e
		}
		for _, m := range regexp.MustCompile(`\$\(([A-Z_]+)\)`).FindAllStringSubmatch(strings.Join(c.Args, " "), -1) {
			if _, ok := env[m[1]]; !ok {
				t.Errorf("args use $(%s), which no env entry defines", m[1])
			}
		}
		cm := d.configMaps[0]
		if !strings.HasPrefix(cm.Name, configPrefix+"-") {
			t.Errorf("ConfigMap %s: want the generated %s-<hash>", cm.Name, configPrefix)
		}
		for _, e := range c.Env {
			if e.ValueFrom == nil || e.ValueFrom.ConfigMapKeyRef == nil {
				continue
			}
			ref := e.ValueFrom.ConfigMapKeyRef
			if ref.Name != cm.Name {
				t.Errorf("env %s refers to ConfigMap %s, want %s", e.Name, ref.Name, cm.Name)
			} else if _, ok := cm.Data[ref.Key]; !ok {
				t.Errorf("env %s refers to key %s, not in ConfigMap %s", e.Name, ref.Key, cm.Name)
			}
		}

		// The database lives on the claimed volume.
		pvc := d.pvcs[0]
		var stateVolume string
		for _, v := range pod.Volumes {
			if v.PersistentVolumeClaim != nil {
				if v.PersistentVolumeClaim.ClaimName != pvc.Name {
					t.Errorf("volume %s claims %s, want %s", v.Name, v.PersistentVolumeClaim.ClaimName, pvc.Name)
				}
				stateVolume = v.Name
			}
		}
		db := c.Args[slices.Index(c.Args, "--db")+1]
		var dbMounted, tmpMounted bool
		for _, m := range c.VolumeMounts {
			if m.Name == stateVolume && m.MountPath == stateDir && path.Dir(db) == m.MountPath && !m.ReadOnly {
				dbMounted = true
			}
			if m.MountPath == "/tmp" {
				tmpMounted = true
			}
		}
		if !dbMounted {
			t.Errorf("--db %s is not on the state volume (claim %s) mounted read-write at %s", db, pvc.Name, stateDir)
		}
		if !tmpMounted {
			t.Error("no writable /tmp for SQLite's temporary files (the root file system is read-only)")
		}
		if !slices.Contains(pvc.Spec.AccessModes, corev1.ReadWriteOnce) {
			t.Errorf("PVC %s access modes %v, want ReadWriteOnce", pvc.Name, pvc.Spec.AccessModes)
		}
		if len(d.namespaces) != 1 || d.namespaces[0].Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
			t.Errorf("the namespace must enforce the restricted Pod Security Standard")
		}
	})
}

// TestExampleOverlay checks that the example sets everything the base
// leaves as a placeholder, consistently.
func TestExampleOverlay(t *testing.T) {
	d := decodeAll(t, kustomizeBuild(t, exampleDir, nil))
	cm := d.configMaps[0]
	for _, k := range []string{"PROJECT_ID", "CLUSTER_NAME", "CLUSTER_LOCATION"} {
		if v := cm.Data[k]; v == "" || v == k {
			t.Errorf("ConfigMap %s: %s = %q, a placeholder", cm.Name, k, v)
		}
	}
	sa := d.serviceAccounts[0]
	wantGSA := "negtrace@" + cm.Data["PROJECT_ID"] + ".iam.gserviceaccount.com"
	if got := sa.Annotations["iam.gke.io/gcp-service-account"]; got != wantGSA {
		t.Errorf("ServiceAccount annotation iam.gke.io/gcp-service-account = %q, want %q (the project of the ConfigMap)", got, wantGSA)
	}
	image := theDeployment(t, d).Spec.Template.Spec.Containers[0].Image
	if !regexp.MustCompile(`^[a-z0-9.-]+\.[a-z]+(:\d+)?/[^:@]+(:[\w][\w.-]*|@sha256:[0-9a-f]{64})$`).MatchString(image) || strings.HasSuffix(image, ":latest") {
		t.Errorf("image %q: want a registry image with a release tag or a digest", image)
	}
	if base := decodeAll(t, kustomizeBuild(t, baseDir, nil)); cmp.Equal(
		base.deployments[0].Spec.Template.Spec.Containers[0].Resources,
		theDeployment(t, d).Spec.Template.Spec.Containers[0].Resources) {
		t.Error("the example's resource patch changed nothing")
	}
}
