package gateway

import (
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/berth-dev/berth/gateway/nginx"
)

// compileSnippet compiles a conf.d-style snippet held in memory.
func compileSnippet(t *testing.T, src string) *Table {
	t.Helper()
	cfg, err := nginx.Parse(filepath.Join(t.TempDir(), "test.conf"), []byte(src), nginx.Options{})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	tbl, err := Compile(cfg)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return tbl
}

// req builds a request to port 19080 with headers given as "Name: value".
func req(method, target string, headers ...string) Request {
	r := Request{Method: method, Target: target, Proto: "HTTP/1.1", LocalPort: 19080,
		LocalAddr: netip.MustParseAddr("127.0.0.1"), RemoteAddr: "127.0.0.1", RemotePort: 40000}
	hasHost := false
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		r.Headers = append(r.Headers, [2]string{k, strings.TrimSpace(v)})
		hasHost = hasHost || strings.EqualFold(k, "Host")
	}
	if !hasHost {
		r.Headers = append([][2]string{{"Host", "localhost"}}, r.Headers...)
	}
	return r
}

// The server-selection rows of the reference's catalogue (§11.1).
func TestServerSelection(t *testing.T) {
	tbl := compileSnippet(t, `
server { listen 19080; server_name ~^www\..+\.test$; return 200 regex; }
server { listen 19080; server_name www.example.*; return 200 tail; }
server { listen 19080; server_name *.example.test; return 200 head; }
server { listen 19080; server_name *.a.example.test; return 200 head-long; }
server { listen 19080; server_name www.example.test; return 200 exact; }
server { listen 19080; server_name .dot.test; return 200 dot; }
server { listen 19080; server_name ~^API\.; return 200 caseless; }
server { listen 19080; server_name dup.test; return 200 dup1; }
server { listen 19080; server_name dup.test; return 200 dup2; }
server { listen 19080; server_name ""; return 200 empty; }
server { listen 127.0.0.1:19081; server_name a.test; return 200 ip-a; }
server { listen 19081; server_name b.test; return 200 wild-b; }
`)
	first := tbl.Servers[0]
	cases := []struct {
		host, want string
	}{
		{"www.example.test", "www.example.test"},
		{"x.a.example.test", "*.a.example.test"},
		{"deep.x.example.test", "*.example.test"},
		{"www.example.org", "www.example.*"},
		{"www.other.test", `~^www\..+\.test$`},
		{"nomatch.test", `~^www\..+\.test$`}, // first server is the default
		{"dot.test", ".dot.test"},
		{"a.b.dot.test", ".dot.test"},
		{"api.other.org", `~^API\.`},
		{"WWW.Example.TEST.:8080", "www.example.test"},
		{"dup.test", "dup.test"},
	}
	for _, c := range cases {
		d := tbl.Match(req("GET", "/", "Host: "+c.host), MatchOptions{})
		if d.Status != 200 {
			t.Errorf("Host %s: status %d (%s)", c.host, d.Status, d.Reason)
			continue
		}
		if got := d.Server.Server.Names[0]; got != c.want {
			t.Errorf("Host %s: server %q, want %q", c.host, got, c.want)
		}
	}
	if d := tbl.Match(req("GET", "/", "Host: dup.test"), MatchOptions{}); d.Server.Server != tbl.Servers[7] {
		t.Errorf("duplicate name: the first definition must win")
	}
	if d := tbl.Match(req("GET", "/", "Host: nomatch.test"), MatchOptions{}); d.Server.Server != first {
		t.Errorf("unknown host must go to the first server")
	}
	// HTTP/1.0 without Host looks up the empty name.
	r := req("GET", "/")
	r.Proto, r.Headers = "HTTP/1.0", nil
	if d := tbl.Match(r, MatchOptions{}); d.Server.Server.Names[0] != "" {
		t.Errorf("HTTP/1.0 without Host: got %q, want the \"\" server", d.Server.Server.Names[0])
	}
	// The socket decides the group: 127.0.0.1:19081 only sees a.test.
	r = req("GET", "/", "Host: b.test")
	r.LocalPort = 19081
	if d := tbl.Match(r, MatchOptions{}); d.Server.Server.Names[0] != "a.test" {
		t.Errorf("127.0.0.1:19081 with Host b.test: got %q, want a.test (the address-specific socket)", d.Server.Server.Names[0])
	}
	r.LocalAddr = netip.Addr{}
	if d := tbl.Match(r, MatchOptions{}); d.Server.Server.Names[0] != "b.test" {
		t.Errorf("public address with Host b.test: got %q, want b.test", d.Server.Server.Names[0])
	}
	for _, bad := range [][]string{{"Host: a..test"}, {"Host: a/b"}, {"Host: a.test", "Host: b.test"}} {
		if d := tbl.Match(req("GET", "/", bad...), MatchOptions{}); d.Status != 400 {
			t.Errorf("%v: status %d, want 400", bad, d.Status)
		}
	}
	// The host of an absolute-form target wins over the Host header.
	if d := tbl.Match(req("GET", "http://www.example.test/", "Host: zzz.test"), MatchOptions{}); d.Server.Server.Names[0] != "www.example.test" {
		t.Errorf("absolute form: got %q", d.Server.Server.Names[0])
	}
}

const locationBase = `
server {
  listen 19080;
  location / {return 200 "root";}
  location = /a {return 200 "exact /a";}
  location /a {return 200 "prefix /a";}
  location /api/ {return 200 "/api/";}
  location /api/v1/ {return 200 "/api/v1/";}
  location /images/ {return 200 "/images/";}
  location ^~ /static/ {return 200 "^~ /static/";}
  location ^~ /m/ {return 200 "^~ /m/";}
  location /m/n/ {return 200 "/m/n/";}
  location ~ \.(jpg|png)$ {return 200 "regex jpg";}
  location ~* \.GIF$ {return 200 "gif";}
  location ~ /dup {return 200 "first";}
  location ~ /dup.* {return 200 "second";}
  location /Case/ {return 200 "case";}
  location =/attached {return 200 "attached";}
  location ~ ^/foo$ {return 200 "foo";}
  location ~ ^/(?!private/)p/ {return 200 "lookahead";}
  location /svc/ { proxy_pass http://127.0.0.1:19101; }
  location = /svc2 { return 200 "svc2"; }
  location /svc2/ { proxy_pass http://127.0.0.1:19101; }
  location ~ ^/svc3$ { return 200 "svc3 regex"; }
  location /svc3/ { proxy_pass http://127.0.0.1:19101; }
  location /plain/ { return 200 "plain"; }
  location = /ex/ { proxy_pass http://127.0.0.1:19101; }
  location /int/ { internal; return 200 "internal"; }
}
`

// The location rows of the reference's catalogue (§11.2).
func TestLocationMatching(t *testing.T) {
	tbl := compileSnippet(t, locationBase)
	cases := []struct {
		target string
		want   string // the location's label, or a status
	}{
		{"/a", "= /a"}, {"/a/", "/a"}, {"/ab", "/a"}, {"/api/v1/x", "/api/v1/"},
		{"/images/x.jpg", `~ \.(jpg|png)$`}, {"/static/x.jpg", "^~ /static/"},
		{"/m/n/x.jpg", `~ \.(jpg|png)$`}, {"/m/x.jpg", "^~ /m/"}, {"/x/Y.GIF", `~* \.GIF$`},
		{"/x/Y.JPG", "/"}, {"/dupx", "~ /dup"}, {"/case/x", "/"}, {"/attached", "= /attached"},
		{"/x/../api/v1/z", "/api/v1/"}, {"//api//v1///z", "/api/v1/"}, {"/%61pi/v1/z", "/api/v1/"},
		{"/api%2Fv1/z", "/api/v1/"}, {"/api/v1/%2e%2e/z", "/api/"}, {"/x.jpg%3Fq", "/"},
		{"/foo%0A", "~ ^/foo$"}, {"/p/x", "~ ^/(?!private/)p/"},
		{"/../a", "400"}, {"/a%00b", "400"}, {"/a%zz", "400"},
		{"/svc", "301 http://localhost:19080/svc/"}, {"/svc?x=1&y=2", "301 http://localhost:19080/svc/?x=1&y=2"},
		{"/svc2", "= /svc2"}, {"/svc3", "301 http://localhost:19080/svc3/"}, {"/plain", "/"},
		{"/ex", "301 http://localhost:19080/ex/"}, {"/sv%63?q=%20", "301 http://localhost:19080/svc/?q=%20"},
		{"/int/x", "404"},
	}
	for _, c := range cases {
		d := tbl.Match(req("GET", c.target), MatchOptions{})
		got := d.Location.Label()
		switch {
		case d.Status == 200:
		case d.Status == 301:
			got = "301 " + d.Redirect
		case d.Status != 0:
			got = strconv.Itoa(d.Status)
		}
		if got != c.want {
			t.Errorf("%s: got %s, want %s", c.target, got, c.want)
		}
	}
}

func TestNestedLocations(t *testing.T) {
	tbl := compileSnippet(t, `
server {
  listen 19080;
  location ~ \.php$ { return 200 "server php"; }
  location ~ /b/ { return 200 "server regex"; }
  location /a/ {
    location ~ \.php$ { return 200 "nested php"; }
    location /a/b/ { return 200 "nested prefix"; }
  }
}`)
	for target, want := range map[string]string{
		"/a/x.php": `~ \.php$`, // nested regex beats the server's
		"/a/b/x":   "~ /b/",    // a nested prefix does not stop the server's regexes
	} {
		d := tbl.Match(req("GET", target), MatchOptions{})
		if d.Location.Label() != want {
			t.Errorf("%s: got %s, want %s", target, d.Location.Label(), want)
		}
		if target == "/a/x.php" && d.Location.Parent == nil {
			t.Errorf("%s: got the server-level regex, want the nested one", target)
		}
	}
}

// What proxy_pass sends (reference §5.1 and §11.3).
func TestProxyURI(t *testing.T) {
	tbl := compileSnippet(t, `
upstream backend { server 127.0.0.1:19101; }
map $http_x_env $be { default 127.0.0.1:19102; }
server {
  listen 19080;
  location /n/ { proxy_pass http://127.0.0.1:19101; }
  location /s/ { proxy_pass http://127.0.0.1:19101/x/; }
  location /v/ { proxy_pass http://127.0.0.1:19101/v2/; }
  location /t { proxy_pass http://127.0.0.1:19101/; }
  location /w/ { proxy_pass http://127.0.0.1:19101/v2; }
  location ~ ^/re/(.*)$ { proxy_pass http://127.0.0.1:19101; }
  location /v1/ { proxy_pass http://$be; }
  location /v2/ { proxy_pass http://$be/fixed; }
  location /v3/ { proxy_pass http://$be$request_uri; }
  location /v4/ { proxy_pass http://$be/p$uri$is_args$args; }
  location ~ ^/c/(.*)$ { proxy_pass http://127.0.0.1:19101/$1; }
  location /grp/ { proxy_pass http://BackEnd; }
  location /us/ { proxy_pass http://unix:/run/h1.sock:/base/; }
}`)
	cases := []struct{ target, uri, host, upstream string }{
		{"/n/x?y=1", "/n/x?y=1", "127.0.0.1:19101", "127.0.0.1:19101"},
		{"/s/x?y=1", "/x/x?y=1", "127.0.0.1:19101", ""},
		{"/v/x?y=1", "/v2/x?y=1", "", ""},
		{"/t/x", "//x", "", ""},
		{"/tx", "/x", "", ""},
		{"/w/x", "/v2x", "", ""},
		{"/n/%7Efoo/../bar//baz?a=%20", "/n/%7Efoo/../bar//baz?a=%20", "", ""},
		{"/s/%7Efoo/../bar//baz?a=%20", "/x/bar/baz?a=%20", "", ""},
		{"/s/a%2Fb", "/x/a/b", "", ""},
		{"/s/a%3Fb", "/x/a%3Fb", "", ""},
		{"/s/a%2525", "/x/a%2525", "", ""},
		{"/s/caf\xc3\xa9", "/x/caf\xc3\xa9", "", ""},
		{"/s/a+b%2B", "/x/a+b+", "", ""},
		{"/re/a//b?q", "/re/a//b?q", "", ""},
		{"/v1/a//b?q=1", "/v1/a//b?q=1", "127.0.0.1:19102", "127.0.0.1:19102"},
		{"/v2/a?q=1", "/fixed", "", ""},
		{"/v3/a%20b?q=1", "/v3/a%20b?q=1", "", ""},
		{"/v4/a%20b?q=1", "/p/v4/a b?q=1", "", ""},
		{"/c/a%20b?x=1", "/a b", "", ""},
		{"/grp/", "/grp/", "BackEnd", "backend"},
		{"/us/x?q=1", "/base/x?q=1", "localhost", "unix:/run/h1.sock"},
	}
	for _, c := range cases {
		d := tbl.Match(req("GET", c.target), MatchOptions{})
		if d.Upstream == nil {
			t.Errorf("%s: no upstream (status %d, location %s)", c.target, d.Status, d.Location.Label())
			continue
		}
		if d.Upstream.URI != c.uri {
			t.Errorf("%s: upstream URI %q, want %q", c.target, d.Upstream.URI, c.uri)
		}
		if c.host != "" && d.Upstream.Host != c.host {
			t.Errorf("%s: Host %q, want %q", c.target, d.Upstream.Host, c.host)
		}
		if c.upstream != "" && d.Upstream.Upstream.Name != c.upstream {
			t.Errorf("%s: upstream %q, want %q", c.target, d.Upstream.Upstream.Name, c.upstream)
		}
	}
}

// What uwsgi_pass sends, with Debian's uwsgi_params (reference U1).
func TestUWSGIVars(t *testing.T) {
	tbl := compileSnippet(t, `
upstream django1 { server unix:///opt/www/service1/uwsgi.sock; }
server {
  listen 19080;
  server_name localhost;
  location /api/service1/ { uwsgi_pass django1; include uwsgi_params; }
}`)
	d := tbl.Match(req("GET", "/api/service1/a%20b/../c//d?x=1&y=%20", "Host: LocalHost:19080", "X-Foo: 1", "X-Foo: 2"), MatchOptions{})
	if d.Upstream == nil {
		t.Fatalf("no upstream: %+v", d)
	}
	want := map[string]string{
		"QUERY_STRING": "x=1&y=%20", "REQUEST_URI": "/api/service1/a%20b/../c//d?x=1&y=%20",
		"PATH_INFO": "/api/service1/c/d", "SERVER_PORT": "19080", "SERVER_NAME": "localhost",
		"HTTP_HOST": "localhost", "REQUEST_METHOD": "GET", "CONTENT_LENGTH": "", "SERVER_PROTOCOL": "HTTP/1.1",
	}
	for k, v := range want {
		if got, ok := d.Upstream.Var(k); !ok || got != v {
			t.Errorf("%s = %q (present %v), want %q", k, got, ok, v)
		}
	}
	var foos []string
	for _, kv := range d.Upstream.Vars {
		if kv[0] == "HTTP_X_FOO" {
			foos = append(foos, kv[1])
		}
	}
	if strings.Join(foos, ",") != "1,2" {
		t.Errorf("HTTP_X_FOO vars %v, want two (1.22 sends duplicates separately)", foos)
	}
	if got := d.Upstream.Upstream.Servers[0].Addr.Path; got != "///opt/www/service1/uwsgi.sock" {
		t.Errorf("socket path %q", got)
	}
}
