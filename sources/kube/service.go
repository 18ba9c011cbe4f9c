package kube

import (
	"encoding/json"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// NEGStatusAnnotation is the annotation in which the GKE NEG controller
// records a Service's NEGs and their zones.
const NEGStatusAnnotation = "cloud.google.com/neg-status"

// negStatus is the JSON value of NEGStatusAnnotation.
type negStatus struct {
	NetworkEndpointGroups map[string]string `json:"network_endpoint_groups"`
	Zones                 []string          `json:"zones"`
}

// ServiceFrom converts an API Service into a Service record. NEGs and
// Zones come from the cloud.google.com/neg-status annotation and stay nil
// when it is absent or not valid JSON. TargetPorts maps each service port
// to its numeric target port (the port itself when targetPort is unset);
// named target ports are left out.
func ServiceFrom(s *corev1.Service) Service {
	if s == nil {
		return Service{}
	}
	out := Service{Namespace: s.Namespace, Name: s.Name, UID: string(s.UID)}
	if v, ok := s.Annotations[NEGStatusAnnotation]; ok {
		var st negStatus
		if json.Unmarshal([]byte(v), &st) == nil {
			if len(st.NetworkEndpointGroups) > 0 {
				out.NEGs = st.NetworkEndpointGroups
			}
			if len(st.Zones) > 0 {
				out.Zones = st.Zones
			}
		}
	}
	for _, p := range s.Spec.Ports {
		target := 0
		switch {
		case p.TargetPort.Type == intstr.Int && p.TargetPort.IntVal > 0:
			target = int(p.TargetPort.IntVal)
		case p.TargetPort.Type == intstr.Int && p.TargetPort.IntVal == 0:
			target = int(p.Port) // unset: the API defaults it to port
		}
		if target > 0 && p.Port > 0 {
			if out.TargetPorts == nil {
				out.TargetPorts = make(map[int]int)
			}
			out.TargetPorts[int(p.Port)] = target
		}
	}
	return out
}
