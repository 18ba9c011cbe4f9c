package kubewatch

import (
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/negtrace/negtrace/sources/kube"
	"github.com/negtrace/negtrace/sources/state"
)

// record converts an informer's object into the record to apply: a
// kube.Pod, kube.EndpointSlice, kube.Service or kube.Event value. deleted
// says the object comes from a delete notification, possibly as a
// cache.DeletedFinalStateUnknown tombstone (the informer missed the delete
// and found the object gone when it relisted; Obj is the last cached
// version).
//
// rec is nil with ok true when the event carries nothing new: a deleted
// Service or Event, or a tombstone of an EndpointSlice (its last version was
// applied when it was seen). ok is false for objects of no known type.
func record(obj any, deleted bool) (rec any, ok bool) {
	tombstone := false
	switch t := obj.(type) {
	case cache.DeletedFinalStateUnknown:
		obj, tombstone = t.Obj, true
	case *cache.DeletedFinalStateUnknown:
		if t == nil {
			return nil, false
		}
		obj, tombstone = t.Obj, true
	}
	switch o := obj.(type) {
	case *corev1.Pod:
		if o == nil {
			return nil, false
		}
		p := kube.PodFrom(o)
		p.Deleted = deleted
		return p, true
	case *discoveryv1.EndpointSlice:
		if o == nil {
			return nil, false
		}
		if tombstone {
			return nil, true
		}
		return kube.SliceFrom(o), true
	case *corev1.Service:
		if o == nil {
			return nil, false
		}
		if deleted {
			return nil, true
		}
		return kube.ServiceFrom(o), true
	case *corev1.Event:
		if o == nil {
			return nil, false
		}
		if deleted {
			return nil, true
		}
		return kube.EventFrom(o), true
	}
	return nil, false
}

// appendRecord adds a record made by record to b.
func appendRecord(b *state.Batch, rec any) {
	switch r := rec.(type) {
	case kube.Pod:
		b.Pods = append(b.Pods, r)
	case kube.EndpointSlice:
		b.Slices = append(b.Slices, r)
	case kube.Service:
		b.Services = append(b.Services, r)
	case kube.Event:
		b.Events = append(b.Events, r)
	}
}
