package docker

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/proc"
)

// TestUnderTheSupervisor runs containers and a process side by side under
// the engine's supervisor: restarts with backoff apply to a crashing
// container as to a process, and the engine's HTTP probe reaches a
// container on the port the engine picked.
func TestUnderTheSupervisor(t *testing.T) {
	t.Parallel()
	needEngine(t)
	p := testProject(t, `
services:
  crashy:
    image: `+testImage+`
    command: ["-name", "crashy", "-exit", "1", "-after", "200ms"]
  web:
    image: `+testImage+`
    command: ["-name", "web"]
`)
	docker := newTestRuntime(t, p, Options{})
	procs, err := proc.New(proc.Options{Project: p.Name, StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { procs.Close() })
	specs := []engine.Spec{
		{
			Name: "crashy", Runtime: engine.Container,
			Restart: engine.RestartPolicy{Mode: engine.RestartOnFailure, MaxRetries: 2},
			Backoff: engine.Backoff{Initial: 200 * time.Millisecond, Max: 400 * time.Millisecond},
		},
		{
			Name: "web", Runtime: engine.Container, Serves: true,
			Probes: []engine.Probe{{Kind: engine.ProbeHTTP, Path: "/health", Interval: 200 * time.Millisecond}},
		},
		{Name: "local", Runtime: engine.Process, Command: []string{"sleep", "60"}},
	}
	sup := engine.New(specs, map[engine.RuntimeKind]engine.Runtime{engine.Container: docker, engine.Process: procs},
		engine.Options{RuntimeDir: t.TempDir()})
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	done := make(chan error, 1)
	go func() { done <- sup.Run(ctx) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(60 * time.Second):
			t.Fatal("Run did not return")
		}
	}
	t.Cleanup(stop)
	sup.StartAll()

	crashy := waitService(t, sup, "crashy", func(st engine.ServiceState) bool { return st.State == engine.Failed })
	if crashy.Restarts != 2 || !strings.Contains(crashy.Detail, "gave up after 2 restarts; exit code 1") {
		t.Errorf("crashy: %d restarts, %q", crashy.Restarts, crashy.Detail)
	}
	if n := strings.Count(logText(sup, "crashy"), "crashy: out started"); n != 3 {
		t.Errorf("crashy ran %d times, want 3 (2 restarts):\n%s", n, logText(sup, "crashy"))
	}
	web := waitService(t, sup, "web", func(st engine.ServiceState) bool { return st.State == engine.Healthy })
	if web.Port == 0 {
		t.Error("web has no port")
	}
	if got := get(t, fmt.Sprintf("http://127.0.0.1:%d/env/PORT", web.Port)); got != "8000" {
		t.Errorf("web's PORT inside = %q, want the image's exposed 8000", got)
	}
	waitService(t, sup, "local", func(st engine.ServiceState) bool { return st.State == engine.Running })
	if !strings.Contains(logText(sup, "web"), "web: err started") {
		t.Errorf("web's stderr is not in its log:\n%s", logText(sup, "web"))
	}
	stop()
	for _, name := range []string{"crashy", "web", "local"} {
		st, _ := sup.Snapshot().Service(name)
		if st.State != engine.Stopped && st.State != engine.Failed {
			t.Errorf("%s: %s after the stack stopped", name, st.State)
		}
	}
	if left := dockerPS(t, "label=com.docker.compose.project="+p.Name); left != "" {
		t.Errorf("containers left after the stack stopped:\n%s", left)
	}
}

// waitService waits until the service's state satisfies ok.
func waitService(t *testing.T, sup *engine.Supervisor, name string, ok func(engine.ServiceState) bool) engine.ServiceState {
	t.Helper()
	ch, cancel := sup.Subscribe()
	defer cancel()
	timeout := time.After(30 * time.Second)
	var last engine.ServiceState
	for {
		select {
		case snap := <-ch:
			st, _ := snap.Service(name)
			if ok(st) {
				return st
			}
			last = st
		case <-timeout:
			t.Fatalf("%s: timed out; last %s %q", name, last.State, last.Detail)
		}
	}
}

func logText(sup *engine.Supervisor, name string) string {
	var b strings.Builder
	for _, l := range sup.Logs(name) {
		b.WriteString(l.Text + "\n")
	}
	return b.String()
}
