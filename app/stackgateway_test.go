package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/app/stack"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/fixtures/nginxtest"
	"github.com/berth-dev/berth/fixtures/uwsgiapp"
	"github.com/hashicorp/go-hclog"
)

// The seed's stack end to end: its four uWSGI services run as processes
// behind the seed's production nginx config; each route reaches its
// service; toggled off, a service's routes answer the 503 page while the
// others still answer; on again, it answers. uWSGI missing fails the
// test at once, rather than as services that never come up.
func TestSeedStackServesThroughItsGateway(t *testing.T) {
	if err := uwsgiapp.Check(); err != nil {
		t.Fatal(err)
	}
	servesAndToggles(t, "../fixtures/stacks/seed/compose.yaml", func(svc string) []string {
		return []string{`"service": "` + svc + `"`, `"path": "/api/` + svc + `/users/42"`}
	})
}

// servesAndToggles opens a stack of four services behind the seed's nginx
// config and checks that /api/serviceN/users/42?x=1 reaches each (its
// answer holds every text want gives); then that service2 toggled off
// answers the 503 page while the others answer, and on again answers.
func servesAndToggles(t *testing.T, compose string, want func(svc string) []string) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	sess, err := Open(t.Context(), OpenOptions{Log: hclog.NewNullLogger(),
		Load: stack.LoadOptions{Files: []string{compose}}})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if sess.gw == nil {
		t.Fatal("the stack names an nginx config, but no gateway runs")
	}
	base := "http://" + sess.gw.g.Listeners()[0].Addr
	ctl := sess.Controller()
	ctl.StartAll()
	waitFor(t, ctl, func(s engine.Snapshot) bool {
		for _, st := range s.Services {
			if st.State != engine.Healthy {
				return false
			}
		}
		return true
	})
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, svc := range []string{"service1", "service2", "service3", "service4"} {
		code, body := get("/api/" + svc + "/users/42?x=1")
		if code != 200 {
			t.Errorf("%s: %d %s", svc, code, body)
		}
		for _, w := range want(svc) {
			if !strings.Contains(body, w) {
				t.Errorf("%s: the answer lacks %s: %s", svc, w, body)
			}
		}
	}
	if err := ctl.Toggle("service2"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctl, func(s engine.Snapshot) bool { st, _ := s.Service("service2"); return st.State == engine.Stopped })
	waitRouted(t, func() bool { code, _ := get("/api/service2/"); return code == 503 })
	if code, body := get("/api/service2/"); code != 503 || !strings.Contains(body, "service2 is stopped") {
		t.Errorf("service2 off: %d %s", code, body)
	}
	// The same page in JSON, for API clients.
	req, _ := http.NewRequest("GET", base+"/api/service2/x", nil)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var page struct{ Service, State, Hint string }
	err = json.NewDecoder(resp.Body).Decode(&page)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 503 || page.Service != "service2" || page.State != "stopped" || page.Hint == "" {
		t.Errorf("service2 off, in JSON: %d %+v %v", resp.StatusCode, page, err)
	}
	for _, svc := range []string{"service1", "service3", "service4"} {
		if code, body := get("/api/" + svc + "/"); code != 200 {
			t.Errorf("%s while service2 is off: %d %s", svc, code, body)
		}
	}
	if err := ctl.Toggle("service2"); err != nil {
		t.Fatal(err)
	}
	waitRouted(t, func() bool { code, _ := get("/api/service2/"); return code == 200 })
	if code, body := get("/api/service2/users/42?x=1"); code != 200 || !strings.Contains(body, want("service2")[0]) {
		t.Errorf("service2 on again: %d %s", code, body)
	}
}

// waitFor waits (up to 20 s) for a snapshot that satisfies ok.
func waitFor(t *testing.T, ctl Controller, ok func(engine.Snapshot) bool) {
	t.Helper()
	snaps, stop := ctl.Subscribe()
	defer stop()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	for {
		select {
		case s := <-snaps:
			if ok(s) {
				return
			}
		case <-ctx.Done():
			t.Fatalf("timed out; last state: %+v", ctl.Snapshot().Services)
		}
	}
}

// waitRouted polls until the gateway routes as ok wants (the route swap
// follows the snapshot asynchronously).
func waitRouted(t *testing.T, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatal("the gateway never routed as expected")
}

// Editing the nginx config while the stack runs changes the routing
// within a second; an edit that does not import keeps the old routing and
// says why, with file and line.
func TestNginxEditReloadsRoutes(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	conf := filepath.Join(dir, "site.conf")
	write := func(s string) {
		t.Helper()
		// A new mtime and size make the change visible at once.
		if err := os.WriteFile(conf, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("server { listen 80; location /old/ { return 200 \"old\"; } }\n")
	port := nginxtest.FreePort()
	compose := fmt.Sprintf("x-berth:\n  gateway:\n    nginx: ./site.conf\n    ports: {\"80\": %d}\nservices:\n  idle:\n    command: [\"sleep\", \"600\"]\n", port)
	os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644)
	sess, rec := openRecording(t, filepath.Join(dir, "compose.yaml"))
	defer sess.Close()
	base := "http://" + sess.gw.g.Listeners()[0].Addr
	body := func(path string) string {
		resp, err := http.Get(base + path)
		if err != nil {
			return err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := body("/old/"); got != "old" {
		t.Fatalf("before the edit: %q", got)
	}
	write("server { listen 80; location /new/ { return 200 \"new\"; } }\n")
	start := time.Now()
	waitRouted(t, func() bool { return body("/new/") == "new" })
	if d := time.Since(start); d > time.Second {
		t.Errorf("the edit took %v to route, want under a second", d)
	}
	write("server { listen 80; location /broken/ { return 200 \"broken\"; }\n")
	n := len(rec.all())
	waitRouted(t, func() bool { return len(rec.all()) > n })
	if got := body("/new/"); got != "new" {
		t.Errorf("after a broken edit: %q, want the previous routes", got)
	}
	events := rec.all()
	last := events[len(events)-1]
	if !strings.Contains(last, "site.conf:2: unexpected end of file") {
		t.Errorf("the broken edit was reported as %q, want file:line", last)
	}
	if !strings.Contains(strings.Join(events, "\n"), "+ server \"\" (0.0.0.0:80): location /new/ → static files") {
		t.Errorf("no route diff among %q", events)
	}
}

// recorder keeps a session's events for a test to read while it runs.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, s)
}

// all are the events so far.
func (r *recorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// openRecording opens the stack file with its events recorded.
func openRecording(t *testing.T, file string) (*Session, *recorder) {
	t.Helper()
	rec := &recorder{}
	sess, err := Open(t.Context(), OpenOptions{Log: hclog.NewNullLogger(), Events: rec.add,
		Load: stack.LoadOptions{Files: []string{file}}})
	if err != nil {
		t.Fatal(err)
	}
	return sess, rec
}
