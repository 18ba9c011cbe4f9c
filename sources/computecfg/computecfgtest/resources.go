package computecfgtest

import (
	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/proto"
)

// apiBase is the prefix of the Compute API's resource URLs.
const apiBase = "https://www.googleapis.com/compute/v1/"

// scope is the URL part between a project and a collection.
func scope(region string) string {
	if region == "" {
		return "global"
	}
	return "regions/" + region
}

// BackendService builds a backend service as GKE container-native load
// balancing creates it: one NEG named like the service in each zone, a
// health check of the same name, connection draining off, 30 s timeout and
// every request logged. region "" makes it global. Change fields on the
// result to vary it.
func BackendService(project, region, name string, zones ...string) *computepb.BackendService {
	bs := &computepb.BackendService{
		Kind:                proto.String("compute#backendService"),
		Id:                  proto.Uint64(fnv(project + "/" + region + "/" + name)),
		CreationTimestamp:   proto.String("2025-03-11T02:41:07.512-07:00"),
		Name:                proto.String(name),
		SelfLink:            proto.String(apiBase + "projects/" + project + "/" + scope(region) + "/backendServices/" + name),
		HealthChecks:        []string{apiBase + "projects/" + project + "/" + scope(region) + "/healthChecks/" + name},
		TimeoutSec:          proto.Int32(30),
		Port:                proto.Int32(80),
		Protocol:            proto.String("HTTP"),
		LoadBalancingScheme: proto.String("EXTERNAL"),
		ConnectionDraining:  &computepb.ConnectionDraining{DrainingTimeoutSec: proto.Int32(0)},
		LogConfig:           &computepb.BackendServiceLogConfig{Enable: proto.Bool(true), SampleRate: proto.Float32(1)},
	}
	if region != "" {
		bs.Region = proto.String(apiBase + "projects/" + project + "/regions/" + region)
		bs.LoadBalancingScheme = proto.String("EXTERNAL_MANAGED")
	}
	for _, z := range zones {
		bs.Backends = append(bs.Backends, &computepb.Backend{
			Group:              proto.String(apiBase + "projects/" + project + "/zones/" + z + "/networkEndpointGroups/" + name),
			BalancingMode:      proto.String("RATE"),
			MaxRatePerEndpoint: proto.Float32(1),
			CapacityScaler:     proto.Float32(1),
		})
	}
	return bs
}

// InstanceGroupBackendService builds a backend service of instance groups
// (no NEG): what GKE Ingress makes without container-native load balancing.
func InstanceGroupBackendService(project, name string, zones ...string) *computepb.BackendService {
	bs := BackendService(project, "", name)
	for _, z := range zones {
		bs.Backends = append(bs.Backends, &computepb.Backend{
			Group:              proto.String(apiBase + "projects/" + project + "/zones/" + z + "/instanceGroups/k8s-ig--" + name),
			BalancingMode:      proto.String("RATE"),
			MaxRatePerInstance: proto.Float32(1),
		})
	}
	return bs
}

// HealthCheck builds the health check GKE Ingress creates for a NEG
// backend: HTTP on the serving port, every 15 s, timeout 15 s, healthy
// after 1 success, unhealthy after 2 failures. region "" makes it global.
func HealthCheck(project, region, name string) *computepb.HealthCheck {
	hc := &computepb.HealthCheck{
		Kind:               proto.String("compute#healthCheck"),
		Id:                 proto.Uint64(fnv("hc/" + project + "/" + region + "/" + name)),
		CreationTimestamp:  proto.String("2025-03-11T02:41:03.108-07:00"),
		Name:               proto.String(name),
		Description:        proto.String("Default kubernetes L7 Loadbalancing health check for NEG."),
		SelfLink:           proto.String(apiBase + "projects/" + project + "/" + scope(region) + "/healthChecks/" + name),
		Type:               proto.String("HTTP"),
		CheckIntervalSec:   proto.Int32(15),
		TimeoutSec:         proto.Int32(15),
		HealthyThreshold:   proto.Int32(1),
		UnhealthyThreshold: proto.Int32(2),
		HttpHealthCheck: &computepb.HTTPHealthCheck{
			PortSpecification: proto.String("USE_SERVING_PORT"),
			RequestPath:       proto.String("/"),
		},
	}
	if region != "" {
		hc.Region = proto.String(apiBase + "projects/" + project + "/regions/" + region)
	}
	return hc
}

// fnv is a stable 64-bit id for a resource (FNV-1a), as large as real ids
// so that their string encoding is exercised.
func fnv(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
