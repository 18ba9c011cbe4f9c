package sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// lbEntry is a Cloud Logging LogEntry of the global external Application
// Load Balancer, in the field order of field-reference 1.7. Zero-valued
// proto fields (status 0, responseSize 0, no serverIp) are omitted, as
// proto3 JSON does.
type lbEntry struct {
	InsertID         string     `json:"insertId"`
	LogName          string     `json:"logName"`
	Timestamp        string     `json:"timestamp"`
	ReceiveTimestamp string     `json:"receiveTimestamp"`
	Severity         string     `json:"severity"`
	Trace            string     `json:"trace"`
	SpanID           string     `json:"spanId"`
	Resource         lbResource `json:"resource"`
	HTTPRequest      lbHTTP     `json:"httpRequest"`
	JSONPayload      lbPayload  `json:"jsonPayload"`
}

type lbResource struct {
	Type   string   `json:"type"`
	Labels lbLabels `json:"labels"`
}

type lbLabels struct {
	ProjectID          string `json:"project_id"`
	Zone               string `json:"zone"`
	ForwardingRuleName string `json:"forwarding_rule_name"`
	TargetProxyName    string `json:"target_proxy_name"`
	URLMapName         string `json:"url_map_name"`
	BackendServiceName string `json:"backend_service_name"`
}

type lbHTTP struct {
	RequestMethod string `json:"requestMethod"`
	RequestURL    string `json:"requestUrl"`
	RequestSize   string `json:"requestSize"`
	Status        int    `json:"status,omitempty"`
	ResponseSize  string `json:"responseSize,omitempty"`
	UserAgent     string `json:"userAgent"`
	RemoteIP      string `json:"remoteIp"`
	ServerIP      string `json:"serverIp,omitempty"`
	Latency       string `json:"latency"`
}

type lbPayload struct {
	Type                       string `json:"@type"`
	StatusDetails              string `json:"statusDetails"`
	BackendTargetProjectNumber string `json:"backendTargetProjectNumber"`
	RemoteIP                   string `json:"remoteIp"`
}

var userAgents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3 Safari/605.1.15",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Mobile Safari/537.36",
	"okhttp/4.12.0",
	"Go-http-client/2.0",
	"curl/8.7.1",
}

// lbNames are the Ingress load balancer's resource names for a namespace.
type lbNames struct{ forwardingRule, targetProxy, urlMap string }

// entryMaker turns requests into LogEntries; its draws (ids, URLs,
// clients) come from their own stream.
type entryMaker struct {
	w       *World
	g       *rng
	clients []string
	names   map[string]lbNames // by namespace (read by key only)
}

func newEntryMaker(w *World, g *rng) *entryMaker {
	em := &entryMaker{w: w, g: g, names: map[string]lbNames{}}
	// Documentation address ranges only.
	nets := [][3]byte{{203, 0, 113}, {198, 51, 100}, {192, 0, 2}}
	for i := 0; i < 300; i++ {
		n := nets[g.intn(len(nets))]
		em.clients = append(em.clients, fmt.Sprintf("%d.%d.%d.%d", n[0], n[1], n[2], 1+g.intn(254)))
	}
	for _, d := range w.deploys {
		ns := d.cfg.Namespace
		if _, ok := em.names[ns]; ok {
			continue
		}
		suffix := g.chars(lowerAlnum, 8)
		part := fmt.Sprintf("%s-%s-frontend-%s", w.ingressHash, ns, suffix)
		em.names[ns] = lbNames{"k8s2-fs-" + part, "k8s2-ts-" + part, "k8s2-um-" + part}
	}
	return em
}

// entry builds the LogEntry of r.
func (em *entryMaker) entry(r *request) lbEntry {
	g, w := em.g, em.w
	cfg := &w.Config
	at := w.abs(r.at)
	method, reqSize := "GET", 300+g.intn(600)
	if g.intn(7) == 0 {
		method, reqSize = "POST", 900+g.intn(3000)
	}
	paths := r.d.cfg.Paths
	path := "/"
	if len(paths) > 0 {
		path = paths[g.intn(len(paths))]
	}
	if g.intn(4) == 0 && !strings.Contains(path, ".") {
		path += fmt.Sprintf("?page=%d", 1+g.intn(20))
	}
	client := em.clients[g.intn(len(em.clients))]
	severity := "INFO"
	if r.status >= 400 || r.status == 0 {
		severity = "WARNING"
	}
	recv := at.Add(r.latency).Add(g.secs(0.3, 3)).Add(time.Duration(g.intn(1000)))
	names := em.names[r.d.cfg.Namespace]
	resp := ""
	if r.respSize > 0 {
		resp = strconv.Itoa(r.respSize)
	}
	return lbEntry{
		InsertID:         g.insertID(),
		LogName:          "projects/" + cfg.Project + "/logs/requests",
		Timestamp:        protoTime(at),
		ReceiveTimestamp: protoTime(recv),
		Severity:         severity,
		Trace:            "projects/" + cfg.Project + "/traces/" + g.hex(32),
		SpanID:           g.hex(16),
		Resource: lbResource{Type: "http_load_balancer", Labels: lbLabels{
			ProjectID: cfg.Project, Zone: "global",
			ForwardingRuleName: names.forwardingRule, TargetProxyName: names.targetProxy, URLMapName: names.urlMap,
			BackendServiceName: r.d.neg,
		}},
		HTTPRequest: lbHTTP{
			RequestMethod: method, RequestURL: "https://" + cfg.Host + path, RequestSize: strconv.Itoa(reqSize),
			Status: r.status, ResponseSize: resp, UserAgent: userAgents[g.intn(len(userAgents))],
			RemoteIP: client, ServerIP: r.serverIP, Latency: protoDuration(r.latency),
		},
		JSONPayload: lbPayload{
			Type:                       "type.googleapis.com/google.cloud.loadbalancing.type.LoadBalancerLogEntry",
			StatusDetails:              r.details,
			BackendTargetProjectNumber: "projects/" + w.projectNumber,
			RemoteIP:                   client,
		},
	}
}
