package app

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/fixtures/nginxtest"
)

// Editing the stack file's x-berth.gateway while the stack runs re-imports
// it and swaps the routes, reporting a route diff: another nginx config,
// another upstream mapping, other ports. An edit that does not load keeps
// the old routes and says why, with file and line.
func TestStackFileEditReloadsGateway(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	write := func(name, s string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// 127.0.0.1:1 answers nothing: as an upstream outside the stack it
	// gets the 502 page that says how to map it.
	write("a.conf", "server { listen 80; location /a/ { return 200 \"a\"; } }\n")
	write("b.conf", "upstream backend { server 127.0.0.1:1; }\nserver { listen 80; location /b/ { proxy_pass http://backend; } }\n")
	port1, port2 := nginxtest.FreePort(), nginxtest.FreePort()
	compose := func(conf string, port int, mapping string) string {
		return fmt.Sprintf("x-berth:\n  gateway:\n    nginx: ./%s\n    ports: {\"80\": %d}\n%sservices:\n  api:\n    command: [\"sleep\", \"600\"]\n", conf, port, mapping)
	}
	write("compose.yaml", compose("a.conf", port1, ""))
	sess, rec := openRecording(t, filepath.Join(dir, "compose.yaml"))
	defer sess.Close()
	get := func(port int, path string) (int, string) {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// edit rewrites the stack file and waits for the reload's event.
	edit := func(s string) string {
		t.Helper()
		n := len(rec.all())
		write("compose.yaml", s)
		var ev string
		waitRouted(t, func() bool {
			for _, e := range rec.all()[n:] {
				if strings.HasPrefix(e, "stack file") {
					ev = e
					return true
				}
			}
			return false
		})
		return ev
	}
	if code, body := get(port1, "/a/"); code != 200 || body != "a" {
		t.Fatalf("before the edit: %d %q", code, body)
	}

	// Another nginx config: its routes, its upstream outside the stack.
	ev := edit(compose("b.conf", port1, ""))
	for _, want := range []string{
		`- server "" (0.0.0.0:80): location /a/ → static files`,
		`+ server "" (0.0.0.0:80): location /b/ → proxy_pass http://backend`,
		"+ upstream backend → outside the stack",
	} {
		if !strings.Contains(ev, want) {
			t.Errorf("the reload said %q, want %q in it", ev, want)
		}
	}
	if code, body := get(port1, "/b/"); code != 502 || !strings.Contains(body, "not part of the stack") {
		t.Errorf("/b/ outside the stack: %d %s", code, body)
	}

	// The upstream mapped to a service: its route follows the service,
	// which is stopped.
	ev = edit(compose("b.conf", port1, "    upstreams: {backend: api}\n"))
	if !strings.Contains(ev, "- upstream backend → outside the stack") || !strings.Contains(ev, "+ upstream backend → service api") {
		t.Errorf("the mapping's reload said %q", ev)
	}
	if code, body := get(port1, "/b/"); code != 503 || !strings.Contains(body, "api is stopped") {
		t.Errorf("/b/ mapped to the stopped api: %d %s", code, body)
	}

	// A broken edit: the routes stay, the error names file and line.
	ev = edit(compose("b.conf", port1, "    upstreams: {backend: apx}\n"))
	if !strings.Contains(ev, "stack file not reloaded") || !strings.Contains(ev, `compose.yaml:5: x-berth.gateway.upstreams.backend: no service "apx"`) {
		t.Errorf("the broken edit was reported as %q", ev)
	}
	ev = edit(compose("missing.conf", port1, "    upstreams: {backend: api}\n"))
	if !strings.Contains(ev, "stack file not reloaded") || !strings.Contains(ev, "missing.conf") {
		t.Errorf("a stack file naming a missing config was reported as %q", ev)
	}
	if code, _ := get(port1, "/b/"); code != 503 {
		t.Errorf("after the broken edits /b/ answers %d, want the previous routes (503)", code)
	}

	// Other ports: the gateway moves, its figures with it.
	ev = edit(compose("b.conf", port2, "    upstreams: {backend: api}\n"))
	if !strings.Contains(ev, fmt.Sprintf("- port 80 served on %d", port1)) || !strings.Contains(ev, fmt.Sprintf("+ port 80 served on %d", port2)) {
		t.Errorf("the port change was reported as %q", ev)
	}
	if code, _ := get(port2, "/b/"); code != 503 {
		t.Errorf("/b/ on the new port: %d", code)
	}
	if code, _ := get(port1, "/b/"); code != 0 {
		t.Errorf("the old port still answers %d", code)
	}
	if u := sess.URLs(); len(u) != 1 || !strings.Contains(u[0], fmt.Sprint(port2)) {
		t.Errorf("URLs after the move: %v", u)
	}
	found := false
	for _, st := range sess.RouteStats() {
		if st.Location != "/b/" {
			continue
		}
		found = true
		if st.Hits < 3 {
			t.Errorf("/b/'s figures after the move: %d hits, want those before it kept", st.Hits)
		}
	}
	if !found {
		t.Errorf("no figures for /b/ after the move among %+v", sess.RouteStats())
	}
}
