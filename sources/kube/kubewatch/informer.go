// Package kubewatch reads Pods, EndpointSlices, core/v1 Events and Services
// live from the Kubernetes API with client-go shared informers, converts them
// with the kube package and hands them to the state in batches.
//
// It lives apart from package kube because the state package imports kube's
// record types: kube cannot import state.
//
// Every observed version is handed over (Add and Update give the new
// version; a deleted Pod gives its last version with Deleted set, also when
// the informer only learns of the deletion from a relist tombstone). A
// deleted EndpointSlice gives its final version, as a watch DELETED event in
// an exported file does; deleted Services and Events give nothing.
//
// Informer handlers never wait for the database: they put records on a
// bounded queue that one writer goroutine drains into batches. When the queue
// overflows, the dropped records count as errors and, once the queue drains,
// the informers' caches are re-applied so the state holds the latest version
// of every object again.
package kubewatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/negtrace/negtrace/sources/state"
)

// SourceName is the watcher's name in batches and in its status.
const SourceName = "kubernetes"

// Defaults of WatchOptions and of the writer.
const (
	DefaultFlush = 500 * time.Millisecond // longest a record waits in the queue

	defaultMaxBatch  = 200                    // records per batch
	defaultQueueSize = 20000                  // records waiting for the writer
	defaultRetryMin  = 500 * time.Millisecond // first wait after a failed Apply
	defaultRetryMax  = 30 * time.Second       // longest wait between Apply attempts
	shutdownTimeout  = 5 * time.Second        // for the last batch after ctx is done
)

// Resource names of the watched kinds, as RBAC rules spell them.
const (
	resourcePods           = "pods"
	resourceEndpointSlices = "endpointslices"
	resourceEvents         = "events"
	resourceServices       = "services"
)

// WatchOptions configure a Watcher.
type WatchOptions struct {
	Client     kubernetes.Interface // Required.
	Namespaces []string             // namespaces to watch; all namespaces when empty
	Apply      state.ApplyFunc      // Required. Receives the batches; retried with backoff on error.
	// Resync is the informers' resync period; 0 never resyncs. A resync
	// re-applies every cached object (the state deduplicates them).
	Resync time.Duration
	Flush  time.Duration    // longest a record waits before it is applied; DefaultFlush when 0
	Logger *slog.Logger     // slog.Default() when nil
	Now    func() time.Time // clock of the status; time.Now when nil
}

// Watcher runs the informers and hands their records to the state. Its
// methods are safe for concurrent use. A Watcher runs once.
type Watcher struct {
	opts  WatchOptions
	log   *slog.Logger
	feeds []*feed
	scope string // "all namespaces" or "namespaces a, b"

	queue   chan any    // kube.Pod, kube.EndpointSlice, kube.Service or kube.Event
	lost    atomic.Bool // records were dropped since the caches were last re-applied
	running atomic.Bool

	// Writer settings, fixed before Run (tests shorten them).
	maxBatch           int
	retryMin, retryMax time.Duration

	mu     sync.Mutex // guards the fields below and each feed's health
	health health
}

// feed is one informer: a kind in a namespace ("" for all).
type feed struct {
	resource  string // pods, endpointslices, events, services
	namespace string
	informer  cache.SharedIndexInformer

	// Guarded by Watcher.mu.
	failing bool  // the last list/watch call failed
	lastErr error // that call's error
}

// where names the feed for messages: "pods in shop", "pods in all namespaces".
func (f *feed) where() string {
	if f.namespace == metav1.NamespaceAll {
		return f.resource + " in all namespaces"
	}
	return f.resource + " in " + f.namespace
}

// NewWatcher checks opts and sets up the informers; Run starts them.
// Namespaces must be valid namespace names; duplicates are ignored.
func NewWatcher(opts WatchOptions) (*Watcher, error) {
	if opts.Client == nil {
		return nil, errors.New("kubernetes watcher: no client")
	}
	if opts.Apply == nil {
		return nil, errors.New("kubernetes watcher: no apply function")
	}
	if opts.Resync < 0 {
		return nil, fmt.Errorf("kubernetes watcher: negative resync period %v", opts.Resync)
	}
	if opts.Flush < 0 {
		return nil, fmt.Errorf("kubernetes watcher: negative flush interval %v", opts.Flush)
	}
	if opts.Flush == 0 {
		opts.Flush = DefaultFlush
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	namespaces, err := cleanNamespaces(opts.Namespaces)
	if err != nil {
		return nil, fmt.Errorf("kubernetes watcher: %w", err)
	}
	opts.Namespaces = namespaces

	w := &Watcher{
		opts:     opts,
		log:      opts.Logger.With("source", SourceName),
		queue:    make(chan any, defaultQueueSize),
		maxBatch: defaultMaxBatch,
		retryMin: defaultRetryMin,
		retryMax: defaultRetryMax,
		scope:    "all namespaces",
	}
	if len(namespaces) > 0 {
		w.scope = "namespaces " + strings.Join(namespaces, ", ")
	} else {
		namespaces = []string{metav1.NamespaceAll}
	}
	for _, ns := range namespaces {
		for _, res := range []string{resourcePods, resourceEndpointSlices, resourceEvents, resourceServices} {
			f, err := w.newFeed(res, ns)
			if err != nil {
				return nil, fmt.Errorf("kubernetes watcher: %w", err)
			}
			w.feeds = append(w.feeds, f)
		}
	}
	return w, nil
}

// cleanNamespaces trims, validates and deduplicates namespace names, in
// their given order. Empty entries are dropped.
func cleanNamespaces(in []string) ([]string, error) {
	var out []string
	for _, ns := range in {
		ns = strings.TrimSpace(ns)
		if ns == "" || slices.Contains(out, ns) {
			continue
		}
		if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
			return nil, fmt.Errorf("namespace %q: %s", ns, strings.Join(errs, "; "))
		}
		out = append(out, ns)
	}
	return out, nil
}

// Run starts the informers and the writer and blocks until ctx is done,
// then applies what is still queued (for at most a few seconds) and returns
// nil. API errors never end it: client-go retries them with backoff and
// Status shows them. Run returns an error only when called twice.
func (w *Watcher) Run(ctx context.Context) error {
	if !w.running.CompareAndSwap(false, true) {
		return errors.New("kubernetes watcher: Run called twice")
	}
	w.mu.Lock()
	w.health.started = true
	w.mu.Unlock()
	w.log.Info("watching the Kubernetes API", "scope", w.scope, "informers", len(w.feeds))

	var informers sync.WaitGroup
	for _, f := range w.feeds {
		informers.Go(func() { f.informer.RunWithContext(ctx) })
	}
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		w.write(ctx)
	}()

	<-ctx.Done()
	informers.Wait()
	<-writerDone
	return nil
}

// newFeed builds the informer of one resource in one namespace. Its
// list/watch calls report their outcome to the watcher's health; its events
// go to the queue.
func (w *Watcher) newFeed(resource, ns string) (*feed, error) {
	f := &feed{resource: resource, namespace: ns}
	c := w.opts.Client
	var (
		list    func(context.Context, metav1.ListOptions) (runtime.Object, error)
		watchFn func(context.Context, metav1.ListOptions) (watch.Interface, error)
		example runtime.Object
	)
	switch resource {
	case resourcePods:
		list = func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return c.CoreV1().Pods(ns).List(ctx, o)
		}
		watchFn = c.CoreV1().Pods(ns).Watch
		example = &corev1.Pod{}
	case resourceEndpointSlices:
		list = func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return c.DiscoveryV1().EndpointSlices(ns).List(ctx, o)
		}
		watchFn = c.DiscoveryV1().EndpointSlices(ns).Watch
		example = &discoveryv1.EndpointSlice{}
	case resourceEvents:
		list = func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return c.CoreV1().Events(ns).List(ctx, o)
		}
		watchFn = c.CoreV1().Events(ns).Watch
		example = &corev1.Event{}
	case resourceServices:
		list = func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return c.CoreV1().Services(ns).List(ctx, o)
		}
		watchFn = c.CoreV1().Services(ns).Watch
		example = &corev1.Service{}
	default:
		return nil, fmt.Errorf("unknown resource %q", resource)
	}

	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			obj, err := list(ctx, o)
			w.called(ctx, f, err)
			return obj, err
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			wi, err := watchFn(ctx, o)
			w.called(ctx, f, err)
			return wi, err
		},
	}
	f.informer = cache.NewSharedIndexInformerWithOptions(
		// Keeps the reflector off streaming lists for clients that cannot
		// serve them (the fake clientset), as the generated informers do.
		cache.ToListWatcherWithWatchListSemantics(lw, c),
		example,
		cache.SharedIndexInformerOptions{ResyncPeriod: w.opts.Resync, ObjectDescription: f.where()},
	)
	if err := f.informer.SetTransform(stripManagedFields); err != nil {
		return nil, fmt.Errorf("%s: transform: %w", f.where(), err)
	}
	if err := f.informer.SetWatchErrorHandlerWithContext(func(ctx context.Context, _ *cache.Reflector, err error) {
		w.watchFailed(ctx, f, err)
	}); err != nil {
		return nil, fmt.Errorf("%s: watch error handler: %w", f.where(), err)
	}
	if _, err := f.informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { w.observe(obj, false) },
		UpdateFunc: func(_, obj any) { w.observe(obj, false) },
		DeleteFunc: func(obj any) { w.observe(obj, true) },
	}); err != nil {
		return nil, fmt.Errorf("%s: event handler: %w", f.where(), err)
	}
	return f, nil
}

// stripManagedFields drops metadata.managedFields, which negtrace never
// reads, before objects enter the informers' caches.
func stripManagedFields(obj any) (any, error) {
	if m, err := meta.Accessor(obj); err == nil {
		m.SetManagedFields(nil)
	}
	return obj, nil
}

// observe converts an informer event's object and queues its record. It
// never blocks: when the queue is full the record is dropped and counted.
func (w *Watcher) observe(obj any, deleted bool) {
	rec, ok := record(obj, deleted)
	if !ok {
		w.mu.Lock()
		w.health.skipped++
		w.mu.Unlock()
		return
	}
	if rec == nil {
		return
	}
	select {
	case w.queue <- rec:
	default:
		w.mu.Lock()
		w.health.dropped++
		w.health.errors++
		w.mu.Unlock()
		if w.lost.CompareAndSwap(false, true) {
			w.log.Warn("record queue full: dropping records until the writer catches up; the cached objects will be re-applied",
				"queue", cap(w.queue))
		}
	}
}
