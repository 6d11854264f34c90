package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/berth-dev/berth/app/stack"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/portcheck"
)

// moveStack is one demo service behind the seed's kind of nginx config:
// a process on its unix socket by default, and an image (the static demo
// service FROM scratch) to run it as a container.
const moveStack = `name: %s
x-berth:
  gateway:
    nginx: ./nginx.conf
    ports: {"80": %d}
services:
  service1:
    build: {context: ./images, dockerfile: demo.Dockerfile}
    command: ["--name", "service1"]
    x-berth:
      run: process
      command: ["${BERTH_BIN}", "demo-service", "--name", "service1"]
      socket: true
      probes:
        - unix: {}
`

const moveNginx = `upstream django1 { server unix:/opt/www/service1/uwsgi.sock; }
server {
    listen 80;
    location /api/service1/ {
        include uwsgi_params;
        uwsgi_pass django1;
    }
}
`

// waitSnap waits, on the engine's snapshots, until ok holds.
func waitSnap(t *testing.T, ctl Controller, what string, within time.Duration, ok func(engine.ServiceState) bool) engine.ServiceState {
	t.Helper()
	snaps, stop := ctl.Subscribe()
	defer stop()
	ctx, cancel := context.WithTimeout(t.Context(), within)
	defer cancel()
	for {
		select {
		case s := <-snaps:
			if st, _ := s.Service("service1"); ok(st) {
				return st
			}
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s; last state: %+v", what, ctl.Snapshot().Services)
		}
	}
}

// client sends requests through the gateway one after another until
// stopped, and counts the answers and failures, and how often the
// demo's counter started again (a new instance answered).
type client struct {
	url string

	mu                  sync.Mutex // guards the fields that follow
	ok, failed, restart int
	lastCount           int
	failures            []string
}

func (c *client) run(ctx context.Context) {
	hc := &http.Client{Timeout: 10 * time.Second}
	for ctx.Err() == nil {
		resp, err := hc.Get(c.url)
		if err != nil {
			c.fail(err.Error())
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var answer struct {
			Service string `json:"service"`
			Count   int    `json:"count"`
		}
		if resp.StatusCode != 200 || json.Unmarshal(body, &answer) != nil || answer.Service != "service1" {
			c.fail(fmt.Sprintf("%d %s", resp.StatusCode, body))
			continue
		}
		c.mu.Lock()
		c.ok++
		if answer.Count < c.lastCount {
			c.restart++
		}
		c.lastCount = answer.Count
		c.mu.Unlock()
	}
}

// waitRestarts waits until the client has seen n new instances answer
// and then n more answers.
func (c *client) waitRestarts(t *testing.T, n int) {
	t.Helper()
	var after int
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		c.mu.Lock()
		restart, ok := c.restart, c.ok
		c.mu.Unlock()
		if restart >= n && after == 0 {
			after = ok + n
		}
		if after > 0 && ok >= after {
			return
		}
	}
	t.Errorf("the client never saw %d new instances answer", n)
}

func (c *client) fail(why string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failed++
	if len(c.failures) < 10 {
		c.failures = append(c.failures, why)
	}
}

// The built-in demo's service moved process → container → process while
// a client keeps sending requests through the gateway: the moves are
// make-before-break, so not one request fails.
func TestMoveBetweenRuntimesDropsNoRequest(t *testing.T) {
	needDocker(t)
	bin := buildBerth(t)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	b := make([]byte, 4)
	rand.Read(b)
	port, err := portcheck.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"compose.yaml": fmt.Sprintf(moveStack, "berth-move-"+hex.EncodeToString(b), port),
		"nginx.conf":   moveNginx,
	}
	df, err := os.ReadFile(filepath.Join("..", "fixtures", "containers", "mixed", "images", "demo.Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	files["images/demo.Dockerfile"] = string(df)
	for name, data := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	goBuild(t, "github.com/berth-dev/berth/fixtures/containers/demo", filepath.Join(dir, "images", "demo"), true)

	sess, err := Open(t.Context(), OpenOptions{Log: hclog.NewNullLogger(), Load: stack.LoadOptions{
		Files: []string{filepath.Join(dir, "compose.yaml")},
		Env:   append(os.Environ(), "BERTH_BIN="+bin),
	}})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			sess.Close()
		}
	}()
	ctl := sess.Controller()
	ctl.StartAll()
	waitSnap(t, ctl, "service1 healthy as a process", time.Minute, func(st engine.ServiceState) bool {
		return st.State == engine.Healthy && st.Socket != ""
	})

	c := &client{url: fmt.Sprintf("http://127.0.0.1:%d/api/service1/x", port)}
	ctx, stop := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() { c.run(ctx) })

	// To a container: the process serves until the container is healthy
	// (its image is built meanwhile) and the routes have moved.
	if err := ctl.SetRuntime("service1", engine.Container); err != nil {
		t.Fatal(err)
	}
	st := waitSnap(t, ctl, "service1 healthy as a container", 5*time.Minute, func(st engine.ServiceState) bool {
		return st.State == engine.Healthy && st.Runtime == engine.Container && st.Socket == "" && st.Port != 0 && st.Detail == ""
	})
	t.Logf("as a container at %s:%d", st.Host, st.Port)
	// And back.
	if err := ctl.SetRuntime("service1", engine.Process); err != nil {
		t.Fatal(err)
	}
	waitSnap(t, ctl, "service1 healthy as a process again", 2*time.Minute, func(st engine.ServiceState) bool {
		return st.State == engine.Healthy && st.Runtime == engine.Process && st.Socket != "" && st.Detail == ""
	})
	// The process answers, then the client stops.
	c.waitRestarts(t, 2)
	stop()
	wg.Wait()
	if err := sess.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	closed = true
	t.Logf("%d requests answered, %d failed, %d instance changes seen", c.ok, c.failed, c.restart)
	if c.failed > 0 {
		t.Errorf("%d requests failed during the moves, the first: %q", c.failed, c.failures)
	}
	if c.ok < 100 {
		t.Errorf("only %d requests answered: the test proves little", c.ok)
	}
}
