package sim

import (
	"encoding/json"
	"strconv"
)

// kubeList wraps items as `kubectl get ... -o json` prints several objects.
func kubeList(items []any) map[string]any {
	if items == nil {
		items = []any{}
	}
	return map[string]any{"apiVersion": "v1", "items": items, "kind": "List", "metadata": map[string]any{"resourceVersion": ""}}
}

// sliceObjects returns each Service's EndpointSlice as of the window start.
func sliceObjects(w *World) []any {
	var out []any
	for i, d := range w.deploys {
		eps := []any{}
		for _, p := range d.pods {
			if p.inSlice > 0 || p.gone <= 0 {
				continue
			}
			ready := p.ready <= 0 && !p.terminating(0)
			eps = append(eps, map[string]any{
				"addresses":  []any{p.ip.String()},
				"conditions": map[string]any{"ready": ready, "serving": ready, "terminating": p.terminating(0)},
				"nodeName":   p.node.name,
				"targetRef":  map[string]any{"kind": "Pod", "name": p.name, "namespace": d.cfg.Namespace, "uid": p.uid},
				"zone":       p.node.zone,
			})
		}
		out = append(out, map[string]any{
			"addressType": "IPv4",
			"apiVersion":  "discovery.k8s.io/v1",
			"endpoints":   eps,
			"kind":        "EndpointSlice",
			"metadata": map[string]any{
				"creationTimestamp": kubeTime(w.abs(d.createdAt)),
				"generateName":      d.cfg.Name + "-",
				"generation":        40 + i*7,
				"labels": map[string]any{
					"endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
					"kubernetes.io/service-name":             d.cfg.Name,
				},
				"name":      d.sliceName,
				"namespace": d.cfg.Namespace,
				"ownerReferences": []any{map[string]any{
					"apiVersion": "v1", "blockOwnerDeletion": true, "controller": true,
					"kind": "Service", "name": d.cfg.Name, "uid": d.svcUID,
				}},
				"resourceVersion": strconv.FormatInt(w.startRV-int64(10+i), 10),
				"uid":             d.sliceUID,
			},
			"ports": []any{map[string]any{"name": "http", "port": d.cfg.Port, "protocol": "TCP"}},
		})
	}
	return out
}

// negStatus is the cloud.google.com/neg-status annotation value.
type negStatus struct {
	NetworkEndpointGroups map[string]string `json:"network_endpoint_groups"`
	Zones                 []string          `json:"zones"`
}

// serviceObjects returns the Services with their NEG annotations.
func serviceObjects(w *World) ([]any, error) {
	var out []any
	zones := zoneNames[:w.Config.Zones]
	for i, d := range w.deploys {
		st, err := json.Marshal(negStatus{
			NetworkEndpointGroups: map[string]string{strconv.Itoa(d.cfg.SvcPort): d.neg},
			Zones:                 zones,
		})
		if err != nil {
			return nil, err
		}
		ip := d.svcIP.String()
		out = append(out, map[string]any{
			"apiVersion": "v1",
			"kind":       "Service",
			"metadata": map[string]any{
				"annotations": map[string]any{
					"cloud.google.com/neg":        `{"ingress":true}`,
					"cloud.google.com/neg-status": string(st),
				},
				"creationTimestamp": kubeTime(w.abs(d.createdAt)),
				"labels":            map[string]any{"app": d.cfg.Name},
				"name":              d.cfg.Name,
				"namespace":         d.cfg.Namespace,
				"resourceVersion":   strconv.FormatInt(w.startRV-int64(100+i*13), 10),
				"uid":               d.svcUID,
			},
			"spec": map[string]any{
				"clusterIP":             ip,
				"clusterIPs":            []any{ip},
				"internalTrafficPolicy": "Cluster",
				"ipFamilies":            []any{"IPv4"},
				"ipFamilyPolicy":        "SingleStack",
				"ports": []any{map[string]any{
					"name": "http", "port": d.cfg.SvcPort, "protocol": "TCP", "targetPort": d.cfg.Port,
				}},
				"selector":        map[string]any{"app": d.cfg.Name},
				"sessionAffinity": "None",
				"type":            "ClusterIP",
			},
			"status": map[string]any{"loadBalancer": map[string]any{}},
		})
	}
	return out, nil
}
