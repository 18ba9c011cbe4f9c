package export

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// lbLines generates realistic http_load_balancer NDJSON lines (700 to 900
// bytes each, as a log sink writes them, oldest first) until there are at
// least size bytes, and returns them with their count: one in every
// errEvery (0: none) is a 502 failed_to_connect_to_backend, the rest are
// 200s. insertIds are unique. The generator is deterministic.
func lbLines(size, errEvery int) (data []byte, n int) {
	rng := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2025, 3, 4, 18, 0, 0, 0, time.UTC)
	agents := []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0.0.0",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Mobile/15E148",
		"curl/8.7.1",
		"okhttp/4.12.0",
	}
	paths := []string{"/api/cart", "/api/checkout?step=2", "/static/app.3f2a1b.js", "/", "/api/products/12345/reviews?page=3"}
	var b []byte
	for i := 0; len(b) < size; i++ {
		n++
		ts := t0.Add(time.Duration(i) * 997 * time.Microsecond)
		status, details, sev := 200, "response_sent_by_backend", "INFO"
		if errEvery > 0 && i%errEvery == errEvery-1 {
			status, details, sev = 502, "failed_to_connect_to_backend", "WARNING"
		}
		pod := rng.IntN(40)
		b = fmt.Appendf(b, `{"insertId":"%08x%05x","jsonPayload":{"@type":"type.googleapis.com/google.cloud.loadbalancing.type.LoadBalancerLogEntry",`+
			`"statusDetails":"%s"},`+
			`"httpRequest":{"requestMethod":"GET","requestUrl":"https://shop.example.com%s","requestSize":"%d","status":%d,`+
			`"responseSize":"%d","userAgent":"%s","remoteIp":"198.51.%d.%d","serverIp":"10.52.%d.%d:8080","latency":"0.%06ds"},`+
			`"resource":{"type":"http_load_balancer","labels":{"backend_service_name":"k8s1-ab12cd34-shop-web-80-9f8e7d6c",`+
			`"forwarding_rule_name":"k8s2-fs-ab12cd34-shop-web-xyz98765","project_id":"shop-prod",`+
			`"target_proxy_name":"k8s2-ts-ab12cd34-shop-web-xyz98765","url_map_name":"k8s2-um-ab12cd34-shop-web-xyz98765","zone":"global"}},`+
			`"timestamp":"%s","severity":"%s","logName":"projects/shop-prod/logs/requests","receiveTimestamp":"%s"}`+"\n",
			rng.Uint32(), i, details,
			paths[rng.IntN(len(paths))], 300+rng.IntN(900), status,
			200+rng.IntN(50000), agents[rng.IntN(len(agents))], rng.IntN(256), rng.IntN(256), pod/10, pod, rng.IntN(200000),
			ts.Format(time.RFC3339Nano), sev, ts.Add(1300*time.Millisecond).Format(time.RFC3339Nano))
	}
	return b, n
}
