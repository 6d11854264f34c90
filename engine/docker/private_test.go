package docker

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
)

// privateEngine is a dockerd of the test's own, in a network namespace
// of its own so that its bridge never meets the shared engine's, with
// its own folders and socket. Starting and stopping it never touches the
// shared engine.
type privateEngine struct {
	t   *testing.T
	dir string
	cmd *exec.Cmd
}

func newPrivateEngine(t *testing.T) *privateEngine {
	t.Helper()
	dir, err := os.MkdirTemp("", "bd") // short: unix socket paths are
	if err != nil {
		t.Fatal(err)
	}
	e := &privateEngine{t: t, dir: dir}
	t.Cleanup(func() {
		e.stop()
		if err := os.RemoveAll(dir); err != nil {
			t.Logf("removing the private engine's folder: %v", err)
		}
	})
	return e
}

func (e *privateEngine) host() string { return "unix://" + filepath.Join(e.dir, "sock") }

// start runs dockerd until stop.
func (e *privateEngine) start() {
	e.t.Helper()
	for _, tool := range []string{"unshare", "ip", "dockerd"} {
		if _, err := exec.LookPath(tool); err != nil {
			e.t.Fatalf("the private engine needs %s (`make test` installs docker.io): %v", tool, err)
		}
	}
	log, err := os.OpenFile(filepath.Join(e.dir, "log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		e.t.Fatal(err)
	}
	defer log.Close()
	os.Remove(filepath.Join(e.dir, "pid"))
	// The namespace's loopback must be up for ports published on it.
	e.cmd = exec.Command("unshare", "--net", "--", "sh", "-c", `ip link set lo up && exec dockerd "$@"`, "dockerd",
		"--storage-driver=vfs",
		"--data-root", filepath.Join(e.dir, "data"),
		"--exec-root", filepath.Join(e.dir, "exec"),
		"--pidfile", filepath.Join(e.dir, "pid"),
		"-H", e.host())
	e.cmd.Stdout, e.cmd.Stderr = log, log
	if err := e.cmd.Start(); err != nil {
		e.t.Fatalf("starting the private dockerd: %v", err)
	}
}

// stop ends dockerd as a service manager would (SIGTERM, which stops its
// containers first) and waits for it.
func (e *privateEngine) stop() {
	if e.cmd == nil {
		return
	}
	e.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- e.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		e.cmd.Process.Kill()
		<-done
		e.t.Errorf("the private dockerd did not stop; its log:\n%s", e.logTail())
	}
	e.cmd = nil
}

func (e *privateEngine) logTail() string {
	data, _ := os.ReadFile(filepath.Join(e.dir, "log"))
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	return strings.Join(lines[max(0, len(lines)-15):], "\n")
}

// TestPrivateEngineComesAndGoes starts with no engine at all, then starts
// and stops a private dockerd: a service waits for the engine, saying why,
// starts once it answers (its image built there, as no registry is
// reachable), ends when the engine goes down, and starts again when it is
// back.
func TestPrivateEngineComesAndGoes(t *testing.T) {
	t.Parallel()
	needEngine(t) // the svc build context
	e := newPrivateEngine(t)
	p := testProject(t, `
services:
  far:
    build:
      context: ${SVC_CONTEXT}
    command: ["-name", "far", "-tick", "100ms"]
`)
	r := newTestRuntime(t, p, Options{Host: e.host()})
	t.Cleanup(func() { r.Close() }) // before the engine stops (cleanups run last first)

	var st statuses
	var out buffer
	started := make(chan engine.Instance, 1)
	go func() {
		inst, err := r.Start(t.Context(), spec("far"), nil, engine.Output{Stdout: &out, Status: st.add})
		if err != nil {
			t.Errorf("Start: %v", err)
		}
		started <- inst
	}()
	wait := st.waitFor(t, "waiting for the engine", func(s engine.Status) bool {
		return s.State == engine.Waiting && strings.HasPrefix(s.Detail, "Docker engine not reachable: ")
	})
	t.Logf("before the engine: %q", wait.Detail)

	e.start()
	var inst engine.Instance
	select {
	case inst = <-started:
	case <-time.After(60 * time.Second):
		t.Fatalf("Start did not return once the engine was up; its log:\n%s", e.logTail())
	}
	if inst == nil {
		t.FailNow()
	}
	st.waitFor(t, "building on the private engine", func(s engine.Status) bool {
		return s.State == engine.Preparing && strings.HasPrefix(s.Detail, "building far")
	})
	out.waitText(t, "far: tick 1")

	// The engine goes down: its shutdown stops the container; the run
	// ends.
	e.stop()
	ended := make(chan struct{})
	go func() {
		inst.Wait()
		close(ended)
	}()
	select {
	case <-ended:
	case <-time.After(30 * time.Second):
		t.Fatal("the run did not end with the engine")
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if ok, _ := r.Reachable(); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Error("Reachable() still true with the engine down")
			break
		}
	}

	// Back again: a new start runs.
	e.start()
	var again buffer
	inst, err := r.Start(t.Context(), spec("far"), nil, engine.Output{Stdout: &again})
	if err != nil {
		t.Fatalf("Start once the engine is back: %v\n%s", err, e.logTail())
	}
	again.waitText(t, "far: tick 1")
	if err := inst.Stop(sigterm, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	ps, err := exec.Command("docker", "-H", e.host(), "ps", "-aq").CombinedOutput()
	if s := strings.TrimSpace(string(ps)); err != nil || s != "" {
		t.Errorf("containers left on the private engine: %q, %v", s, err)
	}
}
