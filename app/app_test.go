package app

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/fixtures/nginxtest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const seedFixed = "../fixtures/nginx/seed-fixed/conf.d/service.conf"

// run runs berth with args and returns its exit code and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// The foundation issue's "done when": the seed's config, brace added,
// sends /api/service3/users/42?x=1 to django3's unix socket with the
// PATH_INFO nginx would give.
func TestMatchSeed(t *testing.T) {
	code, out, errOut := run(t, "match", "-c", seedFixed, "--json", "http://localhost/api/service3/users/42?x=1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var v matchJSON
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	if v.Location == nil || v.Location.Name != "/api/service3/" || v.Location.Match != "prefix" {
		t.Fatalf("location %+v, want prefix /api/service3/", v.Location)
	}
	u := v.Upstream
	if u == nil || u.Name != "django3" || len(u.Addresses) != 1 || u.Addresses[0] != "unix:///opt/www/service3/uwsgi.sock" {
		t.Fatalf("upstream %+v, want django3 at unix:///opt/www/service3/uwsgi.sock", u)
	}
	vars := map[string]string{}
	for _, kv := range u.Vars {
		vars[kv[0]] = kv[1]
	}
	if vars["PATH_INFO"] != "/api/service3/users/42" || vars["REQUEST_URI"] != "/api/service3/users/42?x=1" || vars["QUERY_STRING"] != "x=1" {
		t.Errorf("vars %v", vars)
	}

	// The text form says the same.
	code, out, _ = run(t, "match", "-c", seedFixed, "http://localhost/api/service3/users/42?x=1")
	for _, want := range []string{"location  /api/service3/ at", "upstream  django3: unix:///opt/www/service3/uwsgi.sock", "PATH_INFO=/api/service3/users/42"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
}

// The seed as published lacks the brace that closes its server: Berth
// refuses it the way nginx -t does, naming the file and line.
func TestSeedAsPublishedIsRefused(t *testing.T) {
	code, _, errOut := run(t, "routes", "-c", "../fixtures/nginx/seed/conf.d/service.conf")
	if code != 1 || !strings.Contains(errOut, `service.conf:38: unexpected end of file, expecting "}"`) {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

func TestMatchExplainsRegexNotTried(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "site.conf")
	os.WriteFile(conf, []byte("server {\n listen 80;\n location ^~ /static/ { root /srv; }\n location ~ \\.css$ { return 404; }\n}\n"), 0o644)
	code, out, errOut := run(t, "match", "-c", conf, "http://example.com/static/a.css")
	if code != 0 {
		t.Fatal(errOut)
	}
	if !strings.Contains(out, "location  ^~ /static/") || !strings.Contains(out, `~ \.css$ (`+conf+`:4): not tried: the longest prefix ^~ /static/ is ^~`) {
		t.Errorf("output:\n%s", out)
	}
}

// A host name that a variable gives at run time needs a resolver in
// nginx: match says the request will get 502 without one.
func TestMatchSaysANameNeedsAResolver(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "site.conf")
	os.WriteFile(conf, []byte("server {\n listen 80;\n location / { set $b api.internal:8080; proxy_pass http://$b; }\n location /r/ { resolver 10.0.0.2; set $b api.internal:8080; proxy_pass http://$b; }\n}\n"), 0o644)
	const note = "502: the name needs a resolver directive"
	for path, want := range map[string]bool{"/x": true, "/r/x": false} {
		code, out, errOut := run(t, "match", "-c", conf, "http://example.com"+path)
		if code != 0 {
			t.Fatal(errOut)
		}
		if !strings.Contains(out, "upstream  api.internal:8080") || strings.Contains(out, note) != want {
			t.Errorf("%s: output:\n%s", path, out)
		}
	}
}

func TestRequestFromURL(t *testing.T) {
	cases := []struct {
		url, headers, target, host string
		port                       int
	}{
		{"http://localhost/api/x?y=1", "", "/api/x?y=1", "localhost", 80},
		{"https://Example.com:8443/a/./b/../c", "", "/a/c", "Example.com:8443", 8443},
		{"example.com", "", "/", "example.com", 80},
		{"http://a.test/x", "Host: b.test", "/x", "b.test", 80},
		{"http://a.test?q", "", "/?q", "a.test", 80},
	}
	for _, c := range cases {
		var hs []string
		if c.headers != "" {
			hs = append(hs, c.headers)
		}
		r, err := requestFromURL(c.url, "GET", hs, false)
		if err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		if r.Target != c.target || r.Headers[0][1] != c.host || r.LocalPort != c.port {
			t.Errorf("%s: target %q host %q port %d", c.url, r.Target, r.Headers[0][1], r.LocalPort)
		}
	}
	r, _ := requestFromURL("http://h/a/../b", "GET", nil, true)
	if r.Target != "/a/../b" {
		t.Errorf("--path-as-is: %q", r.Target)
	}
}

// Golden route tables, as `berth routes --json` prints them, for every
// fixture config that nginx accepts.
func TestRoutesGolden(t *testing.T) {
	fixtures, err := nginxtest.Fixtures("../fixtures/nginx")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fixtures {
		t.Run(f.Name, func(t *testing.T) {
			args := []string{"routes", "--json", "-c", filepath.Join(f.Dir, f.Entry)}
			if f.Prefix != "" {
				args = append(args, "--prefix", f.Dir, "--prod-prefix", f.Prefix)
			}
			code, out, errOut := run(t, args...)
			if code != 0 {
				out = "error: " + errOut
			}
			golden := filepath.Join("testdata", "routes", f.Name+".json")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./app -update to create it)", err)
			}
			if string(want) != out {
				t.Errorf("route table differs from %s (go test ./app -update rewrites it):\n%s", golden, out)
			}
		})
	}
}
