package gateway

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/gateway/nginx"
	"github.com/berth-dev/berth/gateway/tlsca"
)

// What each location sends in its handshake and checks the certificate
// against (ngx_http_upstream_ssl_name), by nginx version where the
// default protocols differ.
func TestUpstreamTLSRequest(t *testing.T) {
	tbl := compileSnippet(t, `
upstream api { server 127.0.0.1:9443; }
server {
    listen 19080;
    location /plain/ { proxy_pass https://api.internal:9443/; }
    location /sni/ { proxy_pass https://api.internal:9443/; proxy_ssl_server_name on; }
    location /block/ { proxy_pass https://api; proxy_ssl_server_name on; }
    location /host/ { proxy_pass https://api; proxy_ssl_server_name on; proxy_ssl_name $http_host; }
    location /ip/ { proxy_pass https://127.0.0.1:9443; proxy_ssl_server_name on; }
    location /v6/ { proxy_pass https://[::1]:9443; proxy_ssl_server_name on; }
    location /var/ { set $u api; proxy_pass https://$u; proxy_ssl_server_name on; }
    location /http/ { proxy_pass http://api; proxy_ssl_server_name on; }
    location /app/ { uwsgi_pass suwsgi://app.internal:9000; uwsgi_ssl_server_name on; }
    location /app-var/ { set $a SUWSGI://app.internal:9000; uwsgi_pass $a; uwsgi_ssl_server_name on; }
}`)
	cases := []struct {
		target, host string
		want         *UpstreamTLS // nil: a plain connection
	}{
		{"/plain/", "", &UpstreamTLS{Name: "api.internal"}},
		{"/sni/", "", &UpstreamTLS{Name: "api.internal", SNI: "api.internal"}},
		{"/block/", "", &UpstreamTLS{Name: "api", SNI: "api"}},
		{"/host/", "www.example.com:8443", &UpstreamTLS{Name: "www.example.com", SNI: "www.example.com"}},
		{"/ip/", "", &UpstreamTLS{Name: "127.0.0.1"}},
		{"/v6/", "", &UpstreamTLS{Name: "[::1]"}},
		{"/var/", "", &UpstreamTLS{Name: "api", SNI: "api"}},
		{"/http/", "", nil},
		{"/app/", "", &UpstreamTLS{Name: "app.internal", SNI: "app.internal"}},
		{"/app-var/", "", &UpstreamTLS{Name: "app.internal", SNI: "app.internal"}},
	}
	for _, c := range cases {
		var headers []string
		if c.host != "" {
			headers = append(headers, "Host: "+c.host)
		}
		d := tbl.Match(req("GET", c.target, headers...), MatchOptions{})
		if d.Upstream == nil {
			t.Errorf("%s: no upstream (%s)", c.target, d.Reason)
			continue
		}
		got := d.Upstream.TLS
		switch {
		case c.want == nil && got != nil:
			t.Errorf("%s: TLS %+v, want a plain connection", c.target, *got)
		case c.want != nil && (got == nil || *got != *c.want):
			t.Errorf("%s: TLS %+v, want %+v", c.target, got, *c.want)
		}
	}
}

func TestUpstreamTLSDefaultProtocols(t *testing.T) {
	tbl := compileSnippet(t, `
server {
    listen 19080;
    location / { proxy_pass https://127.0.0.1:9443; }
    location /listed/ { proxy_pass https://127.0.0.1:9443; proxy_ssl_protocols TLSv1.1 TLSv1.2 SSLv3; }
}`)
	cases := []struct {
		version, target string
		lo, hi          uint16
	}{
		{"1.22.1", "/", tls.VersionTLS10, tls.VersionTLS12}, // TLSv1 TLSv1.1 TLSv1.2
		{"1.23.4", "/", tls.VersionTLS10, tls.VersionTLS13}, // TLSv1.3 added
		{"1.22.1", "/listed/", tls.VersionTLS11, tls.VersionTLS12},
	}
	for _, c := range cases {
		ver, err := ParseNginxVersion(c.version)
		if err != nil {
			t.Fatal(err)
		}
		d := tbl.Match(req("GET", c.target), MatchOptions{Version: ver})
		cfg := upstreamTLSFor(d.Conf, "proxy", ver, tbl.Config)
		if cfg.base.MinVersion != c.lo || cfg.base.MaxVersion != c.hi {
			t.Errorf("nginx %s %s: versions %s to %s, want %s to %s", c.version, c.target,
				tls.VersionName(cfg.base.MinVersion), tls.VersionName(cfg.base.MaxVersion), tls.VersionName(c.lo), tls.VersionName(c.hi))
		}
	}
}

// X509_check_host's rules as nginx relies on them.
func TestCertificateMatches(t *testing.T) {
	withNames := &x509.Certificate{DNSNames: []string{"api.internal", "*.svc.example.com"}, Subject: pkix.Name{CommonName: "ignored.example.com"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	cnOnly := &x509.Certificate{Subject: pkix.Name{CommonName: "legacy.internal"}}
	cases := []struct {
		cert *x509.Certificate
		name string
		want bool
	}{
		{withNames, "api.internal", true},
		{withNames, "API.Internal", true},
		{withNames, "a.svc.example.com", true},
		{withNames, "a.b.svc.example.com", false}, // a wildcard is one label
		{withNames, "svc.example.com", false},
		{withNames, "ignored.example.com", false}, // DNS names present: no CN
		{withNames, "127.0.0.1", false},           // an IP entry never matches
		{withNames, "", false},
		{cnOnly, "legacy.internal", true},
		{cnOnly, "other.internal", false},
		{&x509.Certificate{DNSNames: []string{"*.com"}}, "example.com", false},
	}
	for _, c := range cases {
		if got := certificateMatches(c.cert, c.name); got != c.want {
			t.Errorf("%v / CN %q against %q: %v, want %v", c.cert.DNSNames, c.cert.Subject.CommonName, c.name, got, c.want)
		}
	}
}

func TestDropPortAndSNI(t *testing.T) {
	for in, want := range map[string]string{
		"api": "api", "api:8443": "api", "[::1]:8443": "[::1]", "[::1]": "[::1]", "": "", "a:b:c": "a",
	} {
		if got := dropPort(in); got != want {
			t.Errorf("dropPort(%q) = %q, want %q", in, got, want)
		}
	}
	for name, want := range map[string]bool{
		"api.internal": true, "127.0.0.1": false, "[::1]": false, "": false, "localhost": true,
	} {
		if got := sniAllowed(name); got != want {
			t.Errorf("sniAllowed(%q) = %v, want %v", name, got, want)
		}
	}
}

// The checks nginx makes when it starts, with file and line, and the
// warning for certificates this machine lacks.
func TestUpstreamTLSConfigChecks(t *testing.T) {
	errorCases := map[string]string{
		"no trusted": `server { listen 19080; location / {
    proxy_ssl_verify on;
    proxy_pass https://127.0.0.1:9443; } }`,
		"no key": `server { listen 19080; location / {
    proxy_ssl_certificate /etc/nginx/client.pem;
    proxy_pass https://127.0.0.1:9443; } }`,
	}
	wantErr := map[string]string{
		"no trusted": "test.conf:2: no proxy_ssl_trusted_certificate for proxy_ssl_verify",
		"no key":     `test.conf:2: no "proxy_ssl_certificate_key" is defined for certificate "/etc/nginx/client.pem"`,
	}
	for name, src := range errorCases {
		cfg, err := nginx.Parse(filepath.Join(t.TempDir(), "test.conf"), []byte(src), nginx.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = Compile(cfg)
		if err == nil || !strings.HasSuffix(err.Error(), wantErr[name]) {
			t.Errorf("%s: error %v, want one ending %q", name, err, wantErr[name])
		}
	}
	// Checking is left to a location passing over TLS, as nginx does;
	// missing files are a warning, once.
	tbl := compileSnippet(t, `
proxy_ssl_verify on;
proxy_ssl_trusted_certificate /nonexistent/ca.pem;
server { listen 19080;
    location /a/ { proxy_pass https://127.0.0.1:9443; }
    location /b/ { proxy_pass https://127.0.0.1:9443; }
    location /c/ { proxy_pass http://127.0.0.1:9080; proxy_ssl_verify on; proxy_ssl_trusted_certificate ""; }
}`)
	var warnings []string
	for _, n := range tbl.Report {
		if n.Severity == nginx.Warning {
			warnings = append(warnings, n.String())
		}
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "without verifying") {
		t.Errorf("warnings %q, want one saying the certificate goes unchecked", warnings)
	}
}

// A real handshake with each outcome nginx tells apart: verified, a name
// the certificate lacks or an authority not trusted (errors: 502), and a
// peer that never answers the handshake (a timeout: 504).
func TestHandshakeUpstream(t *testing.T) {
	dir := t.TempDir()
	ca, err := tlsca.Open(filepath.Join(dir, "ca"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := tlsca.Open(filepath.Join(dir, "other"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", ca.TLSConfig([]string{"api.internal"}))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // ends when ln closes
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { c.(*tls.Conn).Handshake(); c.Close() }()
		}
	}()
	silent, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never answers
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	pool := func(c *tlsca.CA) *x509.CertPool {
		p, err := loadCertPool(c.CertPEMPath())
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		what    string
		addr    string
		roots   *x509.CertPool
		name    string
		timeout bool // want a timeout rather than an error
		ok      bool
	}{
		{"unchecked", ln.Addr().String(), nil, "anything", false, true},
		{"verified", ln.Addr().String(), pool(ca), "api.internal", false, true},
		{"wrong name", ln.Addr().String(), pool(ca), "other.internal", false, false},
		{"untrusted", ln.Addr().String(), pool(other), "api.internal", false, false},
		{"silent peer", silent.Addr().String(), nil, "api.internal", true, false},
	}
	for _, c := range cases {
		cfg := &upstreamTLS{roots: c.roots, depth: 1, base: &tls.Config{InsecureSkipVerify: true}}
		if c.roots != nil {
			cfg.base.VerifyConnection = cfg.verifyPeer
		}
		conn, err := net.Dial("tcp", c.addr)
		if err != nil {
			t.Fatal(err)
		}
		tc, err := handshakeUpstream(conn, cfg, &UpstreamTLS{Name: c.name, Verify: c.roots != nil}, 300*time.Millisecond)
		conn.Close()
		switch {
		case c.ok && err != nil:
			t.Errorf("%s: %v", c.what, err)
		case !c.ok && err == nil:
			t.Errorf("%s: handshake succeeded", c.what)
			tc.Close()
		case !c.ok && isTimeout(err) != c.timeout:
			t.Errorf("%s: %v: timeout %v, want %v", c.what, err, isTimeout(err), c.timeout)
		}
	}
}

// ConfFile reads certificates where includes are read from: a relative
// name against the conf prefix, a production path through the local
// copy of the config folder.
func TestConfFile(t *testing.T) {
	local := t.TempDir()
	main := filepath.Join(local, "nginx.conf")
	if err := os.WriteFile(main, []byte("events {}\nhttp {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := nginx.ParseFile(main, nginx.Options{Prefix: local, ProdPrefix: "/etc/nginx"})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"certs/ca.pem":                 filepath.Join(local, "certs/ca.pem"),
		"/etc/nginx/certs/ca.pem":      filepath.Join(local, "certs/ca.pem"),
		"/etc/ssl/certs/ca-bundle.crt": "/etc/ssl/certs/ca-bundle.crt",
	} {
		if got := cfg.ConfFile(name); got != want {
			t.Errorf("ConfFile(%q) = %q, want %q", name, got, want)
		}
	}
	if _, err := loadCertPool(filepath.Join(local, "missing.pem")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}
