package lblog

import (
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// samplesDir holds the third-party samples shared by the project.
const samplesDir = "../../../shared/samples"

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm.UTC()
}

// readFile reads a test input; a shared sample that is not there (the
// samples live outside the repository) skips the test.
func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && strings.HasPrefix(path, samplesDir) {
		t.Skipf("shared sample missing: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseFiles(t *testing.T) {
	tests := []struct {
		path string
		want Request
	}{
		{
			path: "testdata/race502.json",
			want: Request{
				InsertID:       "1x9k2fbe3a7q1",
				Time:           mustTime(t, "2025-03-04T18:15:03.412377Z"),
				Status:         502,
				StatusDetails:  FailedToConnect,
				ServerIP:       netip.MustParseAddr("10.52.3.17"),
				ServerPort:     8080,
				BackendService: "k8s1-ab12cd34-shop-web-80-9f8e7d6c",
				ResourceType:   ResourceGlobal,
				Latency:        4113 * time.Microsecond,
				Method:         "GET",
				URL:            "https://shop.example.com/api/cart",
				UserAgent:      "Mozilla/5.0",
				RemoteIP:       "203.0.113.45",
			},
		},
		{
			path: "testdata/ok200-compact.json",
			want: Request{
				InsertID:       "a9f3kq1b2c",
				Time:           mustTime(t, "2025-03-04T18:15:02.998101Z"),
				Status:         200,
				StatusDetails:  ResponseSentByBackend,
				ServerIP:       netip.MustParseAddr("10.52.3.18"),
				BackendService: "k8s1-ab12cd34-shop-web-80-9f8e7d6c",
				ResourceType:   ResourceGlobal,
				Latency:        81200 * time.Microsecond,
				Method:         "POST",
				URL:            `https://shop.example.com/api/checkout?q="x"`,
				UserAgent:      `curl/8.7.1 "quoted" \`,
				RemoteIP:       "198.51.100.7:51234",
			},
		},
		{
			path: "testdata/custom-error-page.json",
			want: Request{
				InsertID:       "ce7p2q9x",
				Time:           mustTime(t, "2025-03-04T09:15:04.5Z"),
				Status:         503,
				StatusDetails:  ClosedBeforeData,
				ServerIP:       netip.MustParseAddr("2600:1900:4000:1::5"),
				ServerPort:     8443,
				BackendService: "k8s1-ab12cd34-shop-web-80-9f8e7d6c",
				ResourceType:   ResourceGlobal,
				Latency:        500 * time.Millisecond,
				Method:         "GET",
			},
		},
		{
			path: "testdata/internal-v6.json",
			want: Request{
				InsertID:       "int6a",
				Time:           mustTime(t, "2025-03-04T18:15:05Z"),
				Status:         504,
				StatusDetails:  BackendTimeout,
				ServerIP:       netip.MustParseAddr("fd00:10:52::17"),
				BackendService: "k8s1-ab12cd34-shop-api-8080-1a2b3c4d",
				ResourceType:   ResourceInternal,
				Latency:        30*time.Second + 912*time.Microsecond,
			},
		},
		{
			path: filepath.Join(samplesDir, "opentelemetry-collector-contrib/global_external_application_load_balancer.json"),
			want: Request{
				InsertID:       "h91ql8g1lpdqh2",
				Time:           mustTime(t, "2025-11-20T13:35:27.558637Z"),
				Status:         200,
				StatusDetails:  ResponseSentByBackend,
				ServerIP:       netip.MustParseAddr("10.20.0.4"),
				BackendService: "gcp-fixture-alb-backend-service",
				ResourceType:   ResourceGlobal,
				Latency:        5192 * time.Microsecond,
				Method:         "GET",
				URL:            "https://35.227.246.6/",
				UserAgent:      "curl/8.7.1",
				RemoteIP:       "79.117.34.252",
			},
		},
		{
			path: filepath.Join(samplesDir, "opentelemetry-collector-contrib/regional_external_application_load_balancer.json"),
			want: Request{
				InsertID:       "1043fs2f1ss3li",
				Time:           mustTime(t, "2025-11-20T14:18:48.230937Z"),
				Status:         200,
				ServerIP:       netip.MustParseAddr("10.20.0.4"),
				ServerPort:     80,
				BackendService: "gcp-fixture-alb-backend-mig",
				ResourceType:   ResourceRegionalExternal,
				Latency:        2058 * time.Microsecond,
				Method:         "GET",
				URL:            "https://34.0.217.72/?curl=",
				UserAgent:      "curl/8.7.1",
				RemoteIP:       "79.117.34.252:60102",
			},
		},
		{
			path: filepath.Join(samplesDir, "opentelemetry-collector-contrib/two_security_policies.json"),
			want: Request{
				InsertID:       "96b8mog16i6va6",
				Time:           mustTime(t, "2025-11-20T11:55:28.882791Z"),
				Status:         503,
				StatusDetails:  FailedToPickBackend,
				BackendService: "bakcend-test-2",
				ResourceType:   ResourceGlobal,
				Latency:        11213 * time.Microsecond,
				Method:         "GET",
				URL:            "http://136.110.215.198/geoserver/web/",
				UserAgent:      "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0.0.0 Safari/537.36",
				RemoteIP:       "64.62.156.212",
			},
		},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			got, err := Parse(readFile(t, tt.path))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("Parse mismatch (-want +got):\n%s", diff)
			}
			if got.Time.Location() != time.UTC {
				t.Errorf("Time location = %v, want UTC", got.Time.Location())
			}
		})
	}
}

func TestParseNotLB(t *testing.T) {
	for _, name := range []string{"real_log.json", "activity.json", "system_event.json"} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(readFile(t, filepath.Join(samplesDir, "opentelemetry-collector-contrib", name)))
			if !errors.Is(err, ErrNotLB) {
				t.Errorf("Parse error = %v, want ErrNotLB", err)
			}
		})
	}
}

func TestParseEdgeCases(t *testing.T) {
	const head = `{"insertId":"x","timestamp":"2025-03-04T18:15:03Z","resource":{"type":"http_load_balancer"},`
	tests := []struct {
		name       string
		raw        string
		wantErr    bool
		wantStatus int
		wantIP     string // "" = invalid
		wantPort   uint16
		wantLat    time.Duration
	}{
		{name: "bare v4", raw: head + `"httpRequest":{"status":200,"serverIp":"10.1.2.3"}}`, wantStatus: 200, wantIP: "10.1.2.3"},
		{name: "v4 port", raw: head + `"httpRequest":{"status":200,"serverIp":"10.1.2.3:8080"}}`, wantStatus: 200, wantIP: "10.1.2.3", wantPort: 8080},
		{name: "bare v6", raw: head + `"httpRequest":{"status":200,"serverIp":"2001:db8::1"}}`, wantStatus: 200, wantIP: "2001:db8::1"},
		{name: "v6 port", raw: head + `"httpRequest":{"status":200,"serverIp":"[2001:db8::1]:443"}}`, wantStatus: 200, wantIP: "2001:db8::1", wantPort: 443},
		{name: "v4-mapped", raw: head + `"httpRequest":{"status":200,"serverIp":"::ffff:10.1.2.3"}}`, wantStatus: 200, wantIP: "10.1.2.3"},
		{name: "empty serverIp", raw: head + `"httpRequest":{"status":503,"serverIp":""}}`, wantStatus: 503},
		{name: "garbage serverIp", raw: head + `"httpRequest":{"status":502,"serverIp":"pod-a:80"}}`, wantStatus: 502},
		{name: "leading zero octet", raw: head + `"httpRequest":{"status":502,"serverIp":"10.01.2.3"}}`, wantStatus: 502},
		{name: "status string", raw: head + `"httpRequest":{"status":"502"}}`, wantStatus: 502},
		{name: "status null", raw: head + `"httpRequest":{"status":null}}`},
		{name: "status zero", raw: head + `"httpRequest":{"status":0,"latency":"1.5s"}}`, wantLat: 1500 * time.Millisecond},
		{name: "no httpRequest", raw: head + `"jsonPayload":{}}`},
		{name: "negative latency", raw: head + `"httpRequest":{"status":200,"latency":"-1s"}}`, wantStatus: 200},
		{name: "bad latency", raw: head + `"httpRequest":{"status":200,"latency":"soon"}}`, wantStatus: 200},
		{name: "status fraction", raw: head + `"httpRequest":{"status":502.5}}`, wantErr: true},
		{name: "status word", raw: head + `"httpRequest":{"status":"bad"}}`, wantErr: true},
		{name: "status too big", raw: head + `"httpRequest":{"status":5020}}`, wantErr: true},
		{name: "status negative", raw: head + `"httpRequest":{"status":-1}}`, wantErr: true},
		{name: "no timestamp", raw: `{"insertId":"x","resource":{"type":"http_load_balancer"},"httpRequest":{"status":502}}`, wantErr: true},
		{name: "bad timestamp", raw: `{"timestamp":"yesterday","resource":{"type":"http_load_balancer"}}`, wantErr: true},
		{name: "wrong type", raw: `{"timestamp":"2025-03-04T18:15:03Z","resource":{"type":"cloud_run_revision"},"httpRequest":{"status":503}}`, wantErr: true},
		{name: "not json", raw: `{"timestamp":`, wantErr: true},
		{name: "field of wrong type", raw: head + `"httpRequest":{"status":200,"userAgent":7}}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.raw))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Parse = %+v, want an error", got)
				}
				if diff := cmp.Diff(Request{}, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
					t.Errorf("Parse returned a record with its error (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var wantIP netip.Addr
			if tt.wantIP != "" {
				wantIP = netip.MustParseAddr(tt.wantIP)
			}
			if got.Status != tt.wantStatus || got.ServerIP != wantIP || got.ServerPort != tt.wantPort || got.Latency != tt.wantLat {
				t.Errorf("Parse = status %d ip %v port %d latency %v, want %d %v %d %v",
					got.Status, got.ServerIP, got.ServerPort, got.Latency, tt.wantStatus, wantIP, tt.wantPort, tt.wantLat)
			}
		})
	}
}

// TestServerAddrFastPath checks the allocation-free IPv4 parser against netip.
func TestServerAddrFastPath(t *testing.T) {
	for _, s := range []string{
		"0.0.0.0", "10.52.3.17", "255.255.255.255", "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.4:",
		"1.2.3.4:0", "1.2.3.4:65535", "1.2.3.4:65536", "1.2.3.4:080", "1.2.3.4:80x", "1..2.3", "1.2.3.4 ", "1.2.3.-4",
	} {
		want, _, wantOK := netipV4Port(s)
		got, port, ok := fastIPv4Port(s)
		if ok && (!wantOK || got != want.Addr() || port != want.Port()) {
			t.Errorf("fastIPv4Port(%q) = %v %d, netip says %v (ok %v)", s, got, port, want, wantOK)
		}
		if !ok && wantOK && s != "1.2.3.4:080" {
			t.Errorf("fastIPv4Port(%q) refused what netip reads as %v", s, want)
		}
	}
}

// netipV4Port parses s the slow way, as serverAddr's fallback does.
func netipV4Port(s string) (netip.AddrPort, bool, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.AddrPortFrom(a, 0), false, a.Is4()
	}
	ap, err := netip.ParseAddrPort(s)
	return ap, true, err == nil && ap.Addr().Is4()
}
