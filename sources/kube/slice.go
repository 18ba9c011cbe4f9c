package kube

import (
	discoveryv1 "k8s.io/api/discovery/v1"
)

// ServiceNameLabel is the label that ties an EndpointSlice to its Service.
const ServiceNameLabel = "kubernetes.io/service-name"

// SliceFrom converts an API EndpointSlice into an EndpointSlice record.
// Conditions follow the API's nil semantics: ready and serving nil mean
// true, terminating nil means false. Addresses that are not IPs (FQDN
// slices, placeholders) are left out; the pod comes from a targetRef of
// kind Pod (or without kind).
func SliceFrom(s *discoveryv1.EndpointSlice) EndpointSlice {
	if s == nil {
		return EndpointSlice{}
	}
	out := EndpointSlice{
		Namespace:       s.Namespace,
		Name:            s.Name,
		Service:         s.Labels[ServiceNameLabel],
		ResourceVersion: s.ResourceVersion,
	}
	for _, p := range s.Ports {
		sp := SlicePort{}
		if p.Name != nil {
			sp.Name = *p.Name
		}
		if p.Port != nil {
			sp.Port = int(*p.Port)
		}
		out.Ports = append(out.Ports, sp)
	}
	for _, e := range s.Endpoints {
		se := SliceEndpoint{
			Ready:       boolOr(e.Conditions.Ready, true),
			Serving:     boolOr(e.Conditions.Serving, true),
			Terminating: boolOr(e.Conditions.Terminating, false),
		}
		for _, a := range e.Addresses {
			if ip := parseIP(a); ip.IsValid() {
				se.Addresses = append(se.Addresses, ip)
			}
		}
		if r := e.TargetRef; r != nil && (r.Kind == "Pod" || r.Kind == "") {
			se.PodUID, se.PodName = string(r.UID), r.Name
		}
		if e.NodeName != nil {
			se.Node = *e.NodeName
		}
		if e.Zone != nil {
			se.Zone = *e.Zone
		}
		out.Endpoints = append(out.Endpoints, se)
	}
	return out
}

// boolOr dereferences b, or returns def when b is nil.
func boolOr(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}
