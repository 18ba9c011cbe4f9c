package kubewatch

import (
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// userAgent identifies negtrace in the API server's audit log.
const userAgent = "negtrace"

// RESTConfig returns the client configuration of the cluster to watch: from
// the kubeconfig file when kubeconfig is not empty (its current context),
// else the in-cluster configuration of negtrace's pod (its service account).
// Errors say how to fix them. The configuration asks for protobuf, which
// the API server serves for every kind the watcher reads.
func RESTConfig(kubeconfig string) (*rest.Config, error) {
	var (
		cfg *rest.Config
		err error
	)
	if kubeconfig != "" {
		cfg, err = clientcmd.BuildConfigFromFlags("", kubeconfig)
		if err != nil {
			return nil, fmt.Errorf("kubernetes config from kubeconfig %s: %w (pass a readable kubeconfig with --kubeconfig, e.g. one written by `gcloud container clusters get-credentials`)", kubeconfig, err)
		}
	} else {
		cfg, err = rest.InClusterConfig()
		if errors.Is(err, rest.ErrNotInCluster) {
			return nil, fmt.Errorf("kubernetes config: no --kubeconfig given and not running in a cluster (%w): pass --kubeconfig PATH, or run negtrace as a pod", err)
		}
		if err != nil {
			return nil, fmt.Errorf("kubernetes in-cluster config: %w (the pod needs its service account token mounted: do not set automountServiceAccountToken: false; or pass --kubeconfig PATH)", err)
		}
	}
	cfg.UserAgent = userAgent
	cfg.ContentType = runtime.ContentTypeProtobuf
	cfg.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	return cfg, nil
}
