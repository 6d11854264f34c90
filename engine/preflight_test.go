package engine_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
)

// holder runs engine-svc outside the engine, listening with env, until
// the test ends.
func holder(t *testing.T, network, addr string, env ...string) int {
	t.Helper()
	cmd := exec.Command(svcBin, "-listen")
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if c, err := net.Dial(network, addr); err == nil {
			c.Close()
			return cmd.Process.Pid
		}
	}
	t.Fatalf("holder never listened on %s", addr)
	return 0
}

func TestPortTakenNamesHolder(t *testing.T) {
	port := freePort(t)
	pid := holder(t, "tcp", "127.0.0.1:"+strconv.Itoa(port), "PORT="+strconv.Itoa(port))
	web := serving(svc("web", "-listen"))
	web.Port = port
	s := newStack(t, []engine.Spec{web, dependsOn(svc("after"), "web:service_started")}, engine.Options{})
	s.StartAll()
	st := s.waitState("web", engine.Failed)
	if want := fmt.Sprintf("port %d is taken by engine-svc (pid %d)", port, pid); st.Detail != want {
		t.Errorf("detail %q, want %q", st.Detail, want)
	}
	s.waitFor("after waiting on the failed web", func(snap engine.Snapshot) bool {
		st, _ := snap.Service("after")
		return st.State == engine.Waiting && st.Detail == "waiting for web (started); it failed"
	})
}

func TestSocketTakenNamesHolder(t *testing.T) {
	dir, err := os.MkdirTemp("", "be")
	must(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "api.sock")
	pid := holder(t, "unix", path, "BERTH_SOCKET="+path)
	api := serving(svc("api", "-listen"))
	api.Socket = "api.sock"
	s := newStack(t, []engine.Spec{api}, engine.Options{RuntimeDir: dir})
	s.StartAll()
	st := s.waitState("api", engine.Failed)
	if want := fmt.Sprintf("socket %s is taken by engine-svc (pid %d)", path, pid); st.Detail != want {
		t.Errorf("detail %q, want %q", st.Detail, want)
	}
}

func TestStaleSocketIsRemoved(t *testing.T) {
	dir, err := os.MkdirTemp("", "be")
	must(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "api.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	must(t, err)
	l.SetUnlinkOnClose(false)
	l.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatal("no stale socket to test with")
	}
	api := withProbe(serving(svc("api", "-listen")), fast(engine.Probe{Kind: engine.ProbeUnix}))
	api.Socket = "api.sock"
	s := newStack(t, []engine.Spec{api}, engine.Options{RuntimeDir: dir})
	s.StartAll()
	s.waitState("api", engine.Healthy)
}
