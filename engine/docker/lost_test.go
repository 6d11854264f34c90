package docker

import (
	"io"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
)

// cutter stands between the runtime and the engine on a unix socket of
// its own, and can cut every connection and refuse new ones, as an engine
// that went away would, then let them through again. The containers keep
// running on the engine meanwhile, as on a remote engine out of reach
// for a while.
type cutter struct {
	t        *testing.T
	path     string
	upstream func() (net.Conn, error)

	mu    sync.Mutex // guards the fields that follow
	ln    net.Listener
	conns map[net.Conn]bool
	wg    sync.WaitGroup // the accept loop and the copies
}

func newCutter(t *testing.T) *cutter {
	t.Helper()
	u, err := url.Parse(engineEP.Host)
	if err != nil {
		t.Fatal(err)
	}
	network, addr := u.Scheme, u.Path
	if network == "tcp" {
		addr = u.Host
	}
	c := &cutter{
		t:        t,
		path:     filepath.Join(t.TempDir(), "engine.sock"),
		upstream: func() (net.Conn, error) { return net.Dial(network, addr) },
		conns:    map[net.Conn]bool{},
	}
	c.up()
	t.Cleanup(c.down)
	return c
}

func (c *cutter) host() string { return "unix://" + c.path }

// up lets connections through.
func (c *cutter) up() {
	ln, err := net.Listen("unix", c.path)
	if err != nil {
		c.t.Fatal(err)
	}
	c.mu.Lock()
	c.ln = ln
	c.mu.Unlock()
	c.wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := c.upstream()
			if err != nil {
				conn.Close()
				continue
			}
			c.mu.Lock()
			c.conns[conn], c.conns[up] = true, true
			c.mu.Unlock()
			c.wg.Go(func() { io.Copy(up, conn); up.Close() })
			c.wg.Go(func() { io.Copy(conn, up); conn.Close() })
		}
	})
}

// down cuts every connection and refuses new ones.
func (c *cutter) down() {
	c.mu.Lock()
	if c.ln != nil {
		c.ln.Close()
		c.ln = nil
	}
	for conn := range c.conns {
		conn.Close()
	}
	clear(c.conns)
	c.mu.Unlock()
	c.wg.Wait()
}

func TestEngineLostAndBack(t *testing.T) {
	t.Parallel()
	needEngine(t)
	cut := newCutter(t)
	p := testProject(t, `
services:
  steady:
    image: `+testImage+`
    command: ["-name", "steady", "-tick", "100ms"]
  late:
    image: `+testImage+`
    command: ["-name", "late"]
  dropped:
    image: `+testImage+`
    command: ["-name", "dropped"]
`)
	stack := "stack-" + p.Name
	r := newTestRuntime(t, p, Options{Host: cut.host(), Stack: stack})
	var steadyOut buffer
	var steadyStatus statuses
	steady, err := r.Start(t.Context(), spec("steady"), nil, engine.Output{Stdout: &steadyOut, Status: steadyStatus.add})
	if err != nil {
		t.Fatal(err)
	}
	dropped, err := r.Start(t.Context(), spec("dropped"), nil, engine.Output{})
	if err != nil {
		t.Fatal(err)
	}
	steadyOut.waitText(t, "steady: tick 2")

	cut.down()
	unreachable := func(s engine.Status) bool {
		return s.State == engine.Waiting && strings.HasPrefix(s.Detail, "Docker engine not reachable: ")
	}
	lost := steadyStatus.waitFor(t, "saying the engine is not reachable", unreachable)
	t.Logf("while away: %q", lost.Detail)
	if ok, why := r.Reachable(); ok || why == "" {
		t.Errorf("Reachable() = %v, %q while the engine is away", ok, why)
	}
	// A start while the engine is away waits, saying why.
	var lateStatus statuses
	lateDone := make(chan error, 1)
	var late engine.Instance
	go func() {
		var err error
		late, err = r.Start(t.Context(), spec("late"), nil, engine.Output{Status: lateStatus.add})
		lateDone <- err
	}()
	lateStatus.waitFor(t, "saying the engine is not reachable", unreachable)
	// A stop while the engine is away cannot reach the container: the
	// run ends, and the container is removed once the engine is back.
	stopped := make(chan error, 1)
	go func() { stopped <- dropped.Stop(sigterm, 5*time.Second) }()
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("Stop while away: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Stop while the engine is away did not return")
	}
	if _, err := dropped.Wait(); err == nil {
		t.Error("Wait of a run stopped while the engine was away: want an error saying so")
	}
	select {
	case err := <-lateDone:
		t.Fatalf("Start returned while the engine was away: %v", err)
	default:
	}

	ticks := strings.Count(steadyOut.String(), "tick")
	cut.up()
	steadyStatus.waitFor(t, "the zero Status once the engine is back", func(s engine.Status) bool { return s == engine.Status{} })
	if err := <-lateDone; err != nil {
		t.Fatalf("Start once the engine is back: %v", err)
	}
	// The running container was followed again: its output goes on.
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(steadyOut.String(), "tick") <= ticks+1 {
		if time.Now().After(deadline) {
			t.Fatalf("no new output after the engine came back:\n%s", steadyOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The dropped run's container is gone once the engine answers.
	deadline = time.Now().Add(10 * time.Second)
	for dockerPS(t, "label="+LabelStack+"="+stack, "label=com.docker.compose.service=dropped") != "" {
		if time.Now().After(deadline) {
			t.Fatal("the container stopped while the engine was away was not removed once it came back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, inst := range []engine.Instance{steady, late} {
		if err := inst.Stop(sigterm, 5*time.Second); err != nil {
			t.Error(err)
		}
		if code, err := inst.Wait(); code != 0 || err != nil {
			t.Errorf("Wait after Stop = %d, %v; want 0 (the service exits 0 on SIGTERM)", code, err)
		}
	}
	if !strings.Contains(steadyOut.String(), "steady: got terminated") {
		t.Errorf("steady did not get SIGTERM:\n%s", steadyOut.String())
	}
	if left := dockerPS(t, "label="+LabelStack+"="+stack); left != "" {
		t.Errorf("left: %s", left)
	}
}
