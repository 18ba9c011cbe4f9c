package sim

import "time"

// Scenarios returns the bundled scenarios, in a fixed order. Each is small
// (a 15-minute window) and its output is committed under
// testdata/scenarios/<name>/.
func Scenarios() []Scenario {
	return []Scenario{rolloutRace(), scaleDownDrain(), safePreStop(), lookalikesScenario(), lostEvidence()}
}

// Lookup returns the scenario with the given name.
func Lookup(name string) (Scenario, bool) {
	for _, s := range Scenarios() {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}

// scenarioStart is the start of every bundled scenario's window.
var scenarioStart = time.Date(2025, time.March, 4, 18, 10, 0, 0, time.UTC)

// baseConfig is a GKE cluster with the defaults of GKE Ingress and the NEG
// controller, and no workloads.
func baseConfig(project, cluster, host string) Config {
	return Config{
		Project: project, Cluster: cluster, Location: "us-central1", Host: host,
		Start: scenarioStart, Window: 15 * time.Minute,
		Zones: 3, NodesPerZone: 2, IPAlloc: IPSequential, MaxSkew: 300 * time.Millisecond,
		HealthCheck: HealthCheck{Interval: 15 * time.Second, UnhealthyThreshold: 2},
		NEG: NEGController{
			SyncDelayMin: 300 * time.Millisecond, SyncDelayMax: 2 * time.Second,
			DetachMedian: 8 * time.Second, DetachSigma: 0.5,
			AttachMedian: 6 * time.Second, AttachSigma: 0.4,
			OpMax: 45 * time.Second, RetryBase: 5 * time.Second,
			DataPlaneLagMax: 3 * time.Second,
		},
		Evidence: Evidence{PortShare: 0.15},
	}
}

// webPaths are request paths of a storefront.
var webPaths = []string{"/", "/products", "/products/4711", "/cart", "/api/cart", "/checkout", "/static/app.js", "/search"}

func rolloutRace() Scenario {
	c := baseConfig("shop-prod", "prod", "shop.example.com")
	c.Workloads = []Workload{
		{
			Namespace: "shop", Name: "web", Replicas: 6,
			Image: "us-docker.pkg.dev/shop-prod/apps/web:2.14.0", Port: 8080, SvcPort: 80, Grace: 30,
			PreStop: PreStop{Kind: PreStopNone}, App: App{Kind: AppExit, ExitCode: 143},
			MaxSurge: 2, MaxUnavail: 1, RPS: 4, Paths: webPaths,
			Lookalikes: Lookalikes{AppError: 0.0012, KeepAlive: 0.0008, PickFail: 0.0005, ClientDisconnect: 0.002},
		},
		{
			Namespace: "shop", Name: "api", Replicas: 3,
			Image: "us-docker.pkg.dev/shop-prod/apps/api:1.8.3", Port: 8080, SvcPort: 80, Grace: 90,
			PreStop: PreStop{Kind: PreStopExecSleep, Seconds: 60}, App: App{Kind: AppGraceful, Seconds: 2},
			MaxSurge: 1, MaxUnavail: 0, RPS: 1.5,
			Paths: []string{"/v1/products", "/v1/cart", "/v1/inventory", "/v1/prices"},
		},
	}
	c.Actions = []Action{
		{At: 3 * time.Minute, Workload: "shop/web", Kind: ActionRollout},
		{At: 7 * time.Minute, Workload: "shop/api", Kind: ActionRollout},
	}
	return Scenario{
		Name:        "rollout-race",
		Description: "rolling update of shop/web (no preStop, exits on SIGTERM): dozens of 502s from the NEG detach race, a few look-alikes; shop/api (preStop 60s) rolls cleanly",
		Seed:        20250304,
		Config:      c,
	}
}

func scaleDownDrain() Scenario {
	c := baseConfig("payments-prod", "payments", "pay.example.com")
	c.NEG.FailDetach = []int{1}
	c.Workloads = []Workload{
		{
			Namespace: "payments", Name: "checkout", Replicas: 10,
			Image: "europe-docker.pkg.dev/payments-prod/svc/checkout:5.2.1", Port: 8080, SvcPort: 443, Grace: 30,
			PreStop: PreStop{Kind: PreStopSleep, Seconds: 5}, App: App{Kind: AppDrain503, Seconds: 5},
			MaxSurge: 3, MaxUnavail: 2, RPS: 6,
			Paths:      []string{"/v2/checkout", "/v2/checkout/confirm", "/v2/payment-methods", "/healthz/deep"},
			Lookalikes: Lookalikes{ClientDisconnect: 0.001},
		},
		{
			Namespace: "payments", Name: "ledger", Replicas: 3,
			Image: "europe-docker.pkg.dev/payments-prod/svc/ledger:1.0.9", Port: 9000, SvcPort: 80, Grace: 60,
			PreStop: PreStop{Kind: PreStopExecSleep, Seconds: 40}, App: App{Kind: AppGraceful, Seconds: 3},
			MaxSurge: 1, RPS: 1,
			Paths: []string{"/ledger/entries", "/ledger/balance"},
		},
	}
	c.Actions = []Action{{At: 4 * time.Minute, Workload: "payments/checkout", Kind: ActionScale, Replicas: 4, HPA: true}}
	return Scenario{
		Name:        "scale-down-drain",
		Description: "HPA scale-down 10→4 of payments/checkout (preStop sleep 5 too short, app drains with 503s for 5s); one detach op fails and is retried",
		Seed:        7331,
		Config:      c,
	}
}

func safePreStop() Scenario {
	c := baseConfig("catalog-prod", "catalog", "catalog.example.com")
	c.Workloads = []Workload{{
		Namespace: "catalog", Name: "search", Replicas: 6,
		Image: "us-docker.pkg.dev/catalog-prod/apps/search:3.1.0", Port: 8080, SvcPort: 80, Grace: 120,
		PreStop: PreStop{Kind: PreStopExecSleep, Seconds: 90}, App: App{Kind: AppExit},
		MaxSurge: 2, MaxUnavail: 1, RPS: 4,
		Paths:      []string{"/search", "/search/suggest", "/facets"},
		Lookalikes: Lookalikes{ClientDisconnect: 0.002},
	}}
	c.Actions = []Action{{At: 4 * time.Minute, Workload: "catalog/search", Kind: ActionScale, Replicas: 3, HPA: true}}
	return Scenario{
		Name:        "safe-prestop",
		Description: "scale-down 6→3 of catalog/search with preStop sleep 90 and grace 120: no race errors, a much shorter preStop would do",
		Seed:        424242,
		Config:      c,
	}
}

func lookalikesScenario() Scenario {
	c := baseConfig("media-prod", "media", "media.example.com")
	c.Workloads = []Workload{
		{
			Namespace: "media", Name: "thumbs", Replicas: 4,
			Image: "us-docker.pkg.dev/media-prod/apps/thumbs:0.9.4", Port: 8080, SvcPort: 80, Grace: 30,
			PreStop: PreStop{Kind: PreStopNone}, App: App{Kind: AppExit},
			MaxSurge: 1, RPS: 4,
			Paths: []string{"/t/abc123.webp", "/t/f00d42.webp", "/t/9e1c7a.jpg", "/resize"},
			Lookalikes: Lookalikes{
				AppError: 0.004, KeepAlive: 0.004, BackendTimeout: 0.001, ClientDisconnect: 0.003, InternalError: 0.0008,
			},
		},
		{
			Namespace: "media", Name: "preview", Replicas: 2,
			Image: "us-docker.pkg.dev/media-prod/apps/preview:2.0.1", Port: 8080, SvcPort: 80, Grace: 60,
			PreStop: PreStop{Kind: PreStopSleep, Seconds: 30}, App: App{Kind: AppExit},
			MaxSurge: 1, RPS: 0.5,
			Paths: []string{"/preview/latest", "/preview/draft"},
		},
	}
	c.Actions = []Action{
		{At: 3 * time.Minute, Workload: "media/preview", Kind: ActionScale, Replicas: 0},
		{At: 5*time.Minute + 30*time.Second, Workload: "media/preview", Kind: ActionScale, Replicas: 2},
	}
	return Scenario{
		Name:        "lookalikes",
		Description: "errors that are not the race: keep-alive 502s, app 500/503s, backend timeouts, internal errors, and failed_to_pick_backend while media/preview is scaled to zero (its terminations are clean)",
		Seed:        99,
		Config:      c,
	}
}

func lostEvidence() Scenario {
	c := baseConfig("shop-prod", "prod", "shop.example.com")
	c.NodesPerZone = 1
	c.IPAlloc = IPLowestFree
	c.MaxSkew = 2 * time.Second
	c.NEG.DetachSigma = 0.6
	c.NEG.EventBurstUsed = 14
	c.Evidence = Evidence{OmitAudit: true, OverlapFrom: 2 * time.Minute, OverlapTo: 3 * time.Minute, PortShare: 0.3}
	c.Workloads = []Workload{
		{
			Namespace: "shop", Name: "web", Replicas: 6,
			Image: "us-docker.pkg.dev/shop-prod/apps/web:2.14.0", Port: 8080, SvcPort: 80, Grace: 30,
			PreStop: PreStop{Kind: PreStopNone}, App: App{Kind: AppExit, ExitCode: 143},
			MaxSurge: 2, MaxUnavail: 1, RPS: 2.5, Paths: webPaths,
			Lookalikes: Lookalikes{AppError: 0.0005, KeepAlive: 0.0005, ClientDisconnect: 0.002},
		},
		{
			Namespace: "shop", Name: "cart", Replicas: 3,
			Image: "us-docker.pkg.dev/shop-prod/apps/cart:4.0.2", Port: 8080, SvcPort: 80, Grace: 45,
			PreStop: PreStop{Kind: PreStopExecSleep, Seconds: 20, Fails: true}, App: App{Kind: AppExit},
			MaxSurge: 1, MaxUnavail: 1, RPS: 1,
			Paths: []string{"/cart", "/cart/items", "/cart/total"},
		},
	}
	c.Actions = []Action{
		{At: 2 * time.Minute, Workload: "shop/web", Kind: ActionRollout, Image: "us-docker.pkg.dev/shop-prod/apps/web:2.15.0"},
		{At: 2*time.Minute + 30*time.Second, Workload: "shop/cart", Kind: ActionRollout},
		{At: 7 * time.Minute, Workload: "shop/web", Kind: ActionRollout, Image: "us-docker.pkg.dev/shop-prod/apps/web:2.14.0"},
	}
	return Scenario{
		Name:        "lost-evidence",
		Description: "rollout and rollback of shop/web plus a shop/cart rollout whose exec preStop fails: no audit log, NEG events lost to the spam filter, quick IP reuse across workloads, node clock skew up to 2s, an overlapping duplicate LB export",
		Seed:        5150,
		Config:      c,
	}
}
