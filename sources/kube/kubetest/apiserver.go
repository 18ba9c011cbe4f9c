// Package kubetest starts a real kube-apiserver with its etcd on loopback
// for end-to-end tests of code that talks to the Kubernetes API.
//
// The binaries are built from the Go module proxy by
// .ci/kubetools/build.sh (a separate tools module, kept out of negtrace's
// go.mod) into a cache folder keyed by version; .ci/run builds them before
// the tests and exports NEGTRACE_KUBE_BIN_DIR. No controllers, scheduler or
// kubelet run: tests create EndpointSlices and set pod status themselves, and
// a gracefully deleted pod of a node stays with its deletionTimestamp until
// it is force-deleted. The API server is started so that it never dials pod
// or node addresses. Start returns a Server whose API server a test can
// stop and restart (etcd keeps the data) to check recovery.
package kubetest

import (
	"bufio"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/rest"
)

// Version is the Kubernetes version .ci/kubetools builds.
const Version = "v1.37.2"

// EnvBinDir names the environment variable with the folder holding the
// kube-apiserver and etcd binaries.
const EnvBinDir = "NEGTRACE_KUBE_BIN_DIR"

// Timeouts of the start; a cold start on a loaded 2-core machine takes a few
// seconds.
const (
	startTimeout = 90 * time.Second
	stopTimeout  = 5 * time.Second
	startTries   = 3 // a loopback port picked free may be taken before the server binds it
)

// BinDir is where StartAPIServer looks for kube-apiserver and etcd:
// $NEGTRACE_KUBE_BIN_DIR, else the folder .ci/run builds them into,
// $HOME/.cache/negtrace/kubetools/<Version>/bin.
func BinDir() string {
	if d := os.Getenv(EnvBinDir); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".cache", "negtrace", "kubetools", Version, "bin")
}

// StartAPIServer starts etcd and kube-apiserver on free loopback ports,
// with their data and logs in t.TempDir(), waits until the API server is
// ready and returns a client configuration authenticated as a member of
// system:masters (authorization: AlwaysAllow) that verifies the server's
// self-signed certificate. Both processes stop when the test ends.
//
// Without the binaries the test is skipped, unless CI=true: then it fails
// and says how to build them. It is also skipped with -short.
func StartAPIServer(t *testing.T) *rest.Config {
	t.Helper()
	return Start(t).Config
}

// Server is a running kube-apiserver with its etcd, for tests that also stop
// and restart the API server.
type Server struct {
	Config *rest.Config // a client's configuration; valid across restarts

	t         *testing.T
	bin       string // kube-apiserver
	dir       string
	etcdURL   string
	port      int
	token     string
	apiserver *process // nil while stopped
}

// Start is StartAPIServer returning the Server.
func Start(t *testing.T) *Server {
	t.Helper()
	if testing.Short() {
		t.Skip("kubetest: a real kube-apiserver is not started with -short")
	}
	bin := BinDir()
	apiserver, etcd := filepath.Join(bin, "kube-apiserver"), filepath.Join(bin, "etcd")
	for _, p := range []string{apiserver, etcd} {
		if st, err := os.Stat(p); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			msg := fmt.Sprintf("kubetest: %s not found (%s=%q): build kube-apiserver and etcd once with "+
				"`bash .ci/kubetools/build.sh \"$HOME/.cache/negtrace/kubetools/%s\"` (cold: about 6 minutes and 3 GB of Go build cache), "+
				"or point %s at a folder holding both", p, EnvBinDir, os.Getenv(EnvBinDir), Version, EnvBinDir)
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}

	s := &Server{t: t, bin: apiserver, dir: t.TempDir(), token: randomHex(t, 16)}
	writeFile(t, s.tokensFile(), []byte(s.token+`,negtrace-test-admin,negtrace-test-admin,"system:masters"`+"\n"))
	writeFile(t, s.keyFile(), rsaKeyPEM(t))
	err := retry(func() error {
		var err error
		s.etcdURL, err = startEtcd(t, etcd, s.dir)
		return err
	})
	if err != nil {
		t.Fatalf("kubetest: %v", err)
	}
	err = retry(func() error {
		s.port = freePort(t)
		return s.startAPIServer()
	})
	if err != nil {
		t.Fatalf("kubetest: %v", err)
	}
	// The self-signed serving certificate is followed by its CA in the file.
	ca, err := os.ReadFile(filepath.Join(s.certDir(), "apiserver.crt"))
	if err != nil {
		t.Fatalf("kubetest: kube-apiserver's self-signed certificate: %v", err)
	}
	s.Config = &rest.Config{
		Host:            s.host(),
		BearerToken:     s.token,
		TLSClientConfig: rest.TLSClientConfig{CAData: ca},
		QPS:             200,
		Burst:           400,
		Timeout:         30 * time.Second,
	}
	return s
}

// StopAPIServer kills kube-apiserver, as a crash or a node loss does (a
// graceful stop waits for open watches); etcd keeps the data.
func (s *Server) StopAPIServer() {
	if s.apiserver != nil {
		s.apiserver.kill()
		s.apiserver = nil
	}
}

// RestartAPIServer stops kube-apiserver if it runs and starts it again on
// the same address, with the same certificate and token, and waits until it
// is ready.
func (s *Server) RestartAPIServer() {
	s.t.Helper()
	s.StopAPIServer()
	if err := s.startAPIServer(); err != nil {
		s.t.Fatalf("kubetest: restart: %v", err)
	}
}

func (s *Server) host() string       { return "https://127.0.0.1:" + strconv.Itoa(s.port) }
func (s *Server) certDir() string    { return filepath.Join(s.dir, "certs") }
func (s *Server) tokensFile() string { return filepath.Join(s.dir, "tokens.csv") }
func (s *Server) keyFile() string    { return filepath.Join(s.dir, "service-account.key") }

// retry runs start up to startTries times while it fails because a port
// was taken.
func retry(start func() error) error {
	var err error
	for range startTries {
		if err = start(); err == nil || !errors.Is(err, errPortTaken) {
			return err
		}
	}
	return err
}

// errPortTaken says a process could not bind its port.
var errPortTaken = errors.New("port already in use")

// startEtcd starts a single-member etcd without fsync and returns its
// client URL.
func startEtcd(t *testing.T, bin, dir string) (string, error) {
	client, peer := freePort(t), freePort(t)
	clientURL := "http://127.0.0.1:" + strconv.Itoa(client)
	peerURL := "http://127.0.0.1:" + strconv.Itoa(peer)
	data := filepath.Join(dir, "etcd-"+strconv.Itoa(client))
	p, err := startProcess(t, "etcd", bin, filepath.Join(dir, "etcd.log"),
		"--name=kubetest",
		"--data-dir="+data,
		"--listen-client-urls="+clientURL,
		"--advertise-client-urls="+clientURL,
		"--listen-peer-urls="+peerURL,
		"--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=kubetest="+peerURL,
		"--unsafe-no-fsync=true",
		"--log-level=warn",
	)
	if err != nil {
		return "", err
	}
	hc := &http.Client{Timeout: 2 * time.Second}
	err = p.waitReady(func() bool {
		resp, err := hc.Get(clientURL + "/health")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return resp.StatusCode == http.StatusOK && strings.Contains(string(body), `"true"`)
	})
	if err != nil {
		return "", err
	}
	return clientURL, nil
}

// startAPIServer starts kube-apiserver on s.port and waits until it is
// ready. The certificate it generates in certDir on the first start is
// reused by the next.
func (s *Server) startAPIServer() error {
	p, err := startProcess(s.t, "kube-apiserver", s.bin, filepath.Join(s.dir, "kube-apiserver.log"),
		"--etcd-servers="+s.etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port="+strconv.Itoa(s.port),
		"--cert-dir="+s.certDir(),
		"--token-auth-file="+s.tokensFile(),
		"--authorization-mode=AlwaysAllow",
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file="+s.keyFile(),
		"--service-account-signing-key-file="+s.keyFile(),
		"--service-cluster-ip-range=10.0.0.0/24",
		// No Endpoints of the kubernetes Service pointing at this machine.
		"--endpoint-reconciler-type=none",
		// No controller creates the default ServiceAccount of new namespaces.
		"--disable-admission-plugins=ServiceAccount",
		"--enable-priority-and-fairness=false",
		"--profiling=false",
	)
	if err != nil {
		return err
	}
	insecure := &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
	}
	defer insecure.CloseIdleConnections()
	err = p.waitReady(func() bool {
		req, err := http.NewRequest(http.MethodGet, s.host()+"/readyz", nil)
		if err != nil {
			return false
		}
		req.Header.Set("Authorization", "Bearer "+s.token)
		resp, err := insecure.Do(req)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode == http.StatusOK
	})
	if err != nil {
		return err
	}
	s.apiserver = p
	return nil
}

// process is a started server.
type process struct {
	name string
	log  string
	cmd  *exec.Cmd
	done chan struct{} // closed when it exited
	err  error         // its exit status, once done
}

// startProcess starts bin with args, its output in logPath, and stops it
// when the test ends. If the test failed, the end of the log is logged.
func startProcess(t *testing.T, name, bin, logPath string, args ...string) (*process, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s log: %w", name, err)
	}
	_, _ = fmt.Fprintf(logf, "=== %s %s\n", bin, strings.Join(args, " "))
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, log: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("kubetest: end of the %s log (%s):\n%s", name, logPath, p.tail(40))
		}
	})
	return p, nil
}

// waitReady polls ready until it holds, the process exits or startTimeout
// passes. An exit because a port was taken wraps errPortTaken.
func (p *process) waitReady(ready func() bool) error {
	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-p.done:
			tail := p.tail(30)
			err := fmt.Errorf("%s exited before it was ready (%v); end of %s:\n%s", p.name, p.err, p.log, tail)
			if strings.Contains(tail, "address already in use") {
				return fmt.Errorf("%w: %w", errPortTaken, err)
			}
			return err
		default:
		}
		if ready() {
			return nil
		}
		if time.Now().After(deadline) {
			p.stop()
			return fmt.Errorf("%s not ready after %v; end of %s:\n%s", p.name, startTimeout, p.log, p.tail(30))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the process: SIGTERM, then SIGKILL after stopTimeout.
func (p *process) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopTimeout):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// kill ends the process at once.
func (p *process) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

// tail returns the last n lines of the process's log.
func (p *process) tail(n int) string {
	f, err := os.Open(p.log)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("kubetest: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// randomHex returns n random bytes in hex.
func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("kubetest: random: %v", err)
	}
	return hex.EncodeToString(b)
}

// rsaKeyPEM generates the service-account signing key.
func rsaKeyPEM(t *testing.T) []byte {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("kubetest: service account key: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
}

// writeFile writes a private file.
func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatalf("kubetest: %v", err)
	}
}
