package kube

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	eventsv1 "k8s.io/api/events/v1"
)

// ErrNotKubernetes is wrapped by DecodeDocument's error when a document is
// not a Kubernetes object, list or watch event at all.
var ErrNotKubernetes = errors.New("not a Kubernetes object, list or watch event")

// Objects holds what one kubectl JSON document contained.
type Objects struct {
	Pods     []Pod
	Slices   []EndpointSlice
	Services []Service
	Events   []Event
	Ignored  []string // known Kubernetes kinds negtrace does not use, as "apiVersion Kind" (e.g. "apps/v1 Deployment")
	Problems []string // objects that could not be read, e.g. `items[3]: decode v1 Pod: ...`
}

// Len is the number of records decoded.
func (o *Objects) Len() int {
	return len(o.Pods) + len(o.Slices) + len(o.Services) + len(o.Events)
}

// Watch event types (metav1.WatchEvent.Type).
const (
	watchAdded    = "ADDED"
	watchModified = "MODIFIED"
	watchDeleted  = "DELETED"
	watchBookmark = "BOOKMARK"
	watchError    = "ERROR"
)

// document is the envelope of any document DecodeDocument accepts.
type document struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Items      []json.RawMessage `json:"items"`
	Type       string            `json:"type"`   // watch event
	Object     json.RawMessage   `json:"object"` // watch event
}

// DecodeDocument decodes one JSON document as kubectl prints it: a single
// object; a list ("kind":"List", or PodList, EventList, EndpointSliceList,
// ServiceList...) whose items may be of mixed kinds; or a watch event
// {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}} as
// printed by `kubectl get --watch -o json --output-watch-events`. A pod in
// a DELETED event is marked Deleted.
//
// Supported kinds are v1 Pod, discovery.k8s.io/v1 EndpointSlice, v1
// Service, v1 Event and events.k8s.io/v1 Event. Other Kubernetes kinds are
// listed in Ignored; objects that cannot be decoded in Problems. The error,
// which wraps ErrNotKubernetes, is only for a document that is none of the
// above (not JSON, not an object, no kind and apiVersion).
func DecodeDocument(raw []byte) (Objects, error) {
	var doc document
	if err := json.Unmarshal(raw, &doc); err != nil && !isTypeError(err) {
		return Objects{}, fmt.Errorf("decode kubernetes document: %w: %w", ErrNotKubernetes, err)
	}
	var objs Objects
	switch {
	case isWatchType(doc.Type) && doc.Kind == "" && (len(doc.Object) > 0 || doc.Type == watchBookmark):
		objs.watchEvent(doc.Type, doc.Object)
	case doc.Kind == "List" || (doc.APIVersion != "" && strings.HasSuffix(doc.Kind, "List") && doc.Items != nil):
		itemKind := strings.TrimSuffix(doc.Kind, "List")
		for i, item := range doc.Items {
			objs.object(fmt.Sprintf("items[%d]: ", i), item, doc.APIVersion, itemKind, false)
		}
	case doc.Kind != "" && doc.APIVersion != "":
		objs.add("", doc.APIVersion, doc.Kind, raw, false)
	default:
		return Objects{}, fmt.Errorf("decode kubernetes document: %w", ErrNotKubernetes)
	}
	return objs, nil
}

// isWatchType reports whether t is a watch event type.
func isWatchType(t string) bool {
	switch t {
	case watchAdded, watchModified, watchDeleted, watchBookmark, watchError:
		return true
	}
	return false
}

// watchEvent decodes the object of a watch event.
func (o *Objects) watchEvent(typ string, obj json.RawMessage) {
	switch typ {
	case watchBookmark:
		// A resourceVersion marker, not an object.
	case watchError:
		var st struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(obj, &st)
		o.Problems = append(o.Problems, fmt.Sprintf("watch error: %s", st.Message))
	default:
		o.object(strings.ToLower(typ)+" event: ", obj, "", "", typ == watchDeleted)
	}
}

// object decodes one object of a list or watch event. Items of typed lists
// may lack apiVersion and kind (raw API output): they take the list's.
func (o *Objects) object(where string, raw json.RawMessage, defAPIVersion, defKind string, deleted bool) {
	if trimmed := bytes.TrimLeft(raw, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '{' {
		o.Problems = append(o.Problems, where+"not an object")
		return
	}
	var tm struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := json.Unmarshal(raw, &tm); err != nil && !isTypeError(err) {
		o.Problems = append(o.Problems, where+"not an object: "+err.Error())
		return
	}
	if tm.Kind == "" && tm.APIVersion == "" {
		tm.Kind, tm.APIVersion = defKind, defAPIVersion
	}
	if tm.Kind == "" || tm.APIVersion == "" {
		o.Problems = append(o.Problems, where+"object without apiVersion and kind")
		return
	}
	o.add(where, tm.APIVersion, tm.Kind, raw, deleted)
}

// add decodes raw as an object of the given type and adds its record.
func (o *Objects) add(where, apiVersion, kind string, raw []byte, deleted bool) {
	problem := func(err error) {
		o.Problems = append(o.Problems, fmt.Sprintf("%sdecode %s %s: %v", where, apiVersion, kind, err))
	}
	switch apiVersion + " " + kind {
	case "v1 Pod":
		var p corev1.Pod
		if err := json.Unmarshal(raw, &p); err != nil {
			problem(err)
			return
		}
		rec := PodFrom(&p)
		rec.Deleted = deleted
		o.Pods = append(o.Pods, rec)
	case "discovery.k8s.io/v1 EndpointSlice":
		var s discoveryv1.EndpointSlice
		if err := json.Unmarshal(raw, &s); err != nil {
			problem(err)
			return
		}
		o.Slices = append(o.Slices, SliceFrom(&s))
	case "v1 Service":
		var s corev1.Service
		if err := json.Unmarshal(raw, &s); err != nil {
			problem(err)
			return
		}
		o.Services = append(o.Services, ServiceFrom(&s))
	case "v1 Event":
		var e corev1.Event
		if err := json.Unmarshal(raw, &e); err != nil {
			problem(err)
			return
		}
		o.Events = append(o.Events, EventFrom(&e))
	case "events.k8s.io/v1 Event":
		var e eventsv1.Event
		if err := json.Unmarshal(raw, &e); err != nil {
			problem(err)
			return
		}
		o.Events = append(o.Events, EventFromEventsV1(&e))
	default:
		o.Ignored = append(o.Ignored, apiVersion+" "+kind)
	}
}

// isTypeError reports whether err only says that some JSON value had an
// unexpected type; encoding/json still fills the other fields then.
func isTypeError(err error) bool {
	var te *json.UnmarshalTypeError
	return errors.As(err, &te)
}
