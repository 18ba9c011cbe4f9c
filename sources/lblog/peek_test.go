package lblog

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

// seedFiles lists the entries used to seed tests and fuzzers: our own
// testdata and, when present, every JSON sample shared by the project.
func seedFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/*.json")
	if err != nil {
		t.Fatal(err)
	}
	shared, _ := filepath.Glob(filepath.Join(samplesDir, "opentelemetry-collector-contrib", "*.json"))
	return append(files, shared...)
}

// TestPeekAgreesWithParse checks Peek on every seed file: it must be ok on
// the LB entries whose status and insertId are plain, and agree with Parse.
func TestPeekAgreesWithParse(t *testing.T) {
	wantOK := map[string]bool{
		"race502.json":           true,
		"ok200-compact.json":     true,
		"internal-v6.json":       true,
		"custom-error-page.json": false, // status is a string: left to Parse
		"global_external_application_load_balancer.json":   true,
		"regional_external_application_load_balancer.json": true,
		"two_security_policies.json":                       true,
		"enforced_security_policy.json":                    true,
		"enforced_edge_security_policy.json":               true,
	}
	for _, path := range seedFiles(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			p, ok := Peek(raw)
			if ok != wantOK[name] {
				t.Fatalf("Peek ok = %v, want %v", ok, wantOK[name])
			}
			if !ok {
				return
			}
			r, err := Parse(raw)
			if err != nil {
				t.Fatalf("Peek ok but Parse failed: %v", err)
			}
			checkAgree(t, raw, p, r)
		})
	}
}

func checkAgree(t *testing.T, raw []byte, p Peeked, r Request) {
	t.Helper()
	if p.Status != r.Status || !p.Time.Equal(r.Time) || p.Time.Location() != r.Time.Location() ||
		string(p.InsertID) != r.InsertID || p.ServerIP != r.ServerIP {
		t.Errorf("Peek and Parse disagree on %q:\nPeek  %d %v %q %v\nParse %d %v %q %v", raw,
			p.Status, p.Time, p.InsertID, p.ServerIP, r.Status, r.Time, r.InsertID, r.ServerIP)
	}
}

func TestPeekCases(t *testing.T) {
	const (
		res = `"resource":{"type":"http_load_balancer","labels":{"zone":"global"}}`
		ts  = `"timestamp":"2025-03-04T18:15:03.5Z"`
		id  = `"insertId":"abc"`
		hr  = `"httpRequest":{"status":200,"serverIp":"10.0.0.1:80"}`
	)
	tests := []struct {
		name   string
		raw    string
		ok     bool
		status int
		ip     string
	}{
		{name: "compact", raw: `{` + id + `,` + ts + `,` + res + `,` + hr + `}`, ok: true, status: 200, ip: "10.0.0.1"},
		{name: "any order", raw: `{` + hr + `,` + res + `,` + ts + `,` + id + `}` + "\n", ok: true, status: 200, ip: "10.0.0.1"},
		{name: "spaces", raw: "{ \"insertId\" : \"abc\" ,\n\t\"timestamp\":  \"2025-03-04T18:15:03Z\",\r\n \"resource\" : { \"type\" : \"internal_http_lb_rule\" } , \"httpRequest\" : { \"status\" : 503 } }\n", ok: true, status: 503},
		{name: "no serverIp", raw: `{` + id + `,` + ts + `,` + res + `,"httpRequest":{"status":503}}`, ok: true, status: 503},
		{name: "escaped quotes elsewhere", raw: `{` + id + `,` + ts + `,` + res + `,"httpRequest":{"requestUrl":"/\"status\":999\\","status":201},"jsonPayload":{"a":"}\"{"}}`, ok: true, status: 201},
		{name: "nested status ignored", raw: `{` + id + `,` + ts + `,` + res + `,"jsonPayload":{"status":500,"httpRequest":{"status":500}},` + hr + `}`, ok: true, status: 200, ip: "10.0.0.1"},
		{name: "audit entry", raw: `{` + id + `,` + ts + `,"resource":{"type":"gce_network"},"protoPayload":{"status":{"code":0}}}`},
		{name: "cloud run", raw: `{` + id + `,` + ts + `,"resource":{"type":"cloud_run_revision"},` + hr + `}`},
		{name: "missing insertId", raw: `{` + ts + `,` + res + `,` + hr + `}`},
		{name: "missing timestamp", raw: `{` + id + `,` + res + `,` + hr + `}`},
		{name: "missing status", raw: `{` + id + `,` + ts + `,` + res + `,"httpRequest":{"serverIp":"10.0.0.1"}}`},
		{name: "missing resource", raw: `{` + id + `,` + ts + `,` + hr + `}`},
		{name: "dup status", raw: `{` + id + `,` + ts + `,` + res + `,"httpRequest":{"status":200,"status":502}}`},
		{name: "dup insertId", raw: `{` + id + `,` + ts + `,` + res + `,` + hr + `,"insertId":"b"}`},
		{name: "dup httpRequest", raw: `{` + id + `,` + ts + `,` + res + `,` + hr + `,"httpRequest":{"status":502}}`},
		{name: "case variant key", raw: `{` + id + `,` + ts + `,` + res + `,` + hr + `,"InsertId":"b"}`},
		{name: "case variant status", raw: `{` + id + `,` + ts + `,` + res + `,"httpRequest":{"status":200,"Status":502}}`},
		{name: "escaped key", raw: `{` + id + `,` + ts + `,` + res + `,` + hr + `,"insert\u0049d":"b"}`},
		{name: "non-ascii key", raw: `{` + id + `,` + ts + `,` + res + `,` + hr + `,"inſertId":"b"}`},
		{name: "escaped insertId", raw: `{"insertId":"a\"b",` + ts + `,` + res + `,` + hr + `}`},
		{name: "status string", raw: `{` + id + `,` + ts + `,` + res + `,"httpRequest":{"status":"200"}}`},
		{name: "status fraction", raw: `{` + id + `,` + ts + `,` + res + `,"httpRequest":{"status":200.5}}`},
		{name: "status exponent", raw: `{` + id + `,` + ts + `,` + res + `,"httpRequest":{"status":2e2}}`},
		{name: "status leading zero", raw: `{` + id + `,` + ts + `,` + res + `,"httpRequest":{"status":0200}}`},
		{name: "status null", raw: `{` + id + `,` + ts + `,` + res + `,"httpRequest":{"status":null}}`},
		{name: "bad time", raw: `{` + id + `,"timestamp":"2025-03-04 18:15:03",` + res + `,` + hr + `}`},
		{name: "truncated", raw: `{` + id + `,` + ts + `,` + res + `,` + hr + `,"jsonPayload":{"a":"b`},
		{name: "trailing text", raw: `{` + id + `,` + ts + `,` + res + `,` + hr + `} x`},
		{name: "missing comma elsewhere", raw: `{` + id + `,` + ts + `,` + res + `,` + hr + `,"jsonPayload":{"a":1 "b":2}}`},
		{name: "bad literal elsewhere", raw: `{` + id + `,` + ts + `,` + res + `,` + hr + `,"jsonPayload":{"a":nul}}`},
		{name: "bad number elsewhere", raw: `{` + id + `,` + ts + `,` + res + `,` + hr + `,"jsonPayload":{"a":01}}`},
		{name: "bad escape elsewhere", raw: `{` + id + `,` + ts + `,` + res + `,` + hr + `,"jsonPayload":{"a":"\x"}}`},
		{name: "control char elsewhere", raw: `{` + id + `,` + ts + `,` + res + `,` + hr + `,"jsonPayload":{"a":"x` + "\t" + `"}}`},
		{name: "valid odds and ends", raw: `{` + id + `,` + ts + `,` + res + `,` + hr + `,"jsonPayload":{"a":[true,false,null,-0.5e+3,"\u00e9\n\\\/",{}],"b":[]}}`, ok: true, status: 200, ip: "10.0.0.1"},
		{name: "mismatched brackets", raw: `{` + id + `,` + ts + `,` + res + `,` + hr + `,"jsonPayload":{"a":[}]}`},
		{name: "kubectl object", raw: `{"apiVersion":"v1","kind":"Pod",` + id + `,` + ts + `,` + res + `,` + hr + `}`},
		{name: "array", raw: `[{` + id + `,` + ts + `,` + res + `,` + hr + `}]`},
		{name: "empty", raw: ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := Peek([]byte(tt.raw))
			if ok != tt.ok {
				t.Fatalf("Peek ok = %v, want %v", ok, tt.ok)
			}
			if !ok {
				if p.InsertID != nil || p.Status != 0 {
					t.Errorf("Peek returned data with ok=false: %+v", p)
				}
				return
			}
			var ip netip.Addr
			if tt.ip != "" {
				ip = netip.MustParseAddr(tt.ip)
			}
			if p.Status != tt.status || p.ServerIP != ip {
				t.Errorf("Peek = status %d ip %v, want %d %v", p.Status, p.ServerIP, tt.status, ip)
			}
			if !bytes.Contains([]byte(tt.raw), p.InsertID) || len(p.InsertID) == 0 {
				t.Errorf("InsertID %q is not from the entry", p.InsertID)
			}
			r, err := Parse([]byte(tt.raw))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkAgree(t, []byte(tt.raw), p, r)
		})
	}
}

// TestPeekInsertIDAliases checks that InsertID is a sub-slice of the input,
// not a copy (the fast path must not allocate per entry).
func TestPeekInsertIDAliases(t *testing.T) {
	raw, err := os.ReadFile("testdata/ok200-compact.json")
	if err != nil {
		t.Fatal(err)
	}
	p, ok := Peek(raw)
	if !ok {
		t.Fatal("Peek not ok")
	}
	i := bytes.Index(raw, []byte(`"a9f3kq1b2c"`)) + 1
	if &raw[i] != &p.InsertID[0] {
		t.Error("InsertID does not alias the input")
	}
	if n := testing.AllocsPerRun(100, func() { Peek(raw) }); n != 0 {
		t.Errorf("Peek allocates %v times per entry, want 0", n)
	}
}
