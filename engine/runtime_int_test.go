package engine_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
)

// fakeRuntime is a runtime whose starts the test drives: each Start
// tells the status it is given, then waits until the test lets it
// through (or its ctx ends), and runs a fakeRun that reports health as
// the test says and stops when asked.
type fakeRuntime struct {
	mu      sync.Mutex
	status  []engine.Status // told through Output.Status on Start
	gate    chan struct{}   // Start waits for it when not nil
	started chan *fakeRun   // each run, once started
	ctxErr  chan error      // what a start cut short saw
	keeps   int             // the port it keeps (PortKeeper)
	fail    error           // what Start returns, when not nil
	events  *eventLog
}

func newFakeRuntime() *fakeRuntime {
	return &fakeRuntime{started: make(chan *fakeRun, 16), ctxErr: make(chan error, 16), events: &eventLog{}}
}

func (r *fakeRuntime) Start(ctx context.Context, spec engine.Spec, env map[string]string, out engine.Output) (engine.Instance, error) {
	r.mu.Lock()
	statuses, gate, fail := r.status, r.gate, r.fail
	r.mu.Unlock()
	if fail != nil {
		return nil, fail
	}
	for _, st := range statuses {
		out.Status(st)
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			r.ctxErr <- ctx.Err()
			return nil, ctx.Err()
		}
	}
	if len(statuses) > 0 {
		out.Status(engine.Status{})
	}
	run := &fakeRun{health: make(chan engine.HealthReport, 4), done: make(chan struct{}), events: r.events, port: env["PORT"], env: env}
	r.events.add("start " + spec.Name + " port=" + env["PORT"] + " socket=" + env["BERTH_SOCKET"])
	r.started <- run
	return run, nil
}

func (r *fakeRuntime) Address() string { return "engine.example" }

func (r *fakeRuntime) Keeps(service string, port int) bool { return port == r.keeps }

// fakeRun is one run of fakeRuntime, a HealthReporter.
type fakeRun struct {
	health chan engine.HealthReport
	done   chan struct{}
	once   sync.Once
	events *eventLog
	port   string
	env    map[string]string // what Start was given
}

func (i *fakeRun) Pid() int                           { return 0 }
func (i *fakeRun) Wait() (int, error)                 { <-i.done; return 0, nil }
func (i *fakeRun) Health() <-chan engine.HealthReport { return i.health }
func (i *fakeRun) report(status engine.State, ok bool) {
	i.health <- engine.HealthReport{Status: status, Result: engine.ProbeResult{At: time.Now(), Probe: "healthcheck", OK: ok}}
}
func (i *fakeRun) Stop(syscall.Signal, time.Duration) error {
	i.once.Do(func() {
		i.events.add("stop port=" + i.port)
		close(i.health)
		close(i.done)
	})
	return nil
}

// eventLog records what happened, in order, across goroutines.
type eventLog struct {
	mu   sync.Mutex
	list []string
}

func (l *eventLog) add(e string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, e)
}

func (l *eventLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.list, "\n")
}

// A runtime's word on a start (pulling, with progress) shows in the
// service's state, and a stop during it cancels the start: the service
// is stopped, not failed.
func TestRuntimeStatusAndCancelledStart(t *testing.T) {
	rt := newFakeRuntime()
	rt.status = []engine.Status{{State: engine.Preparing, Detail: "pulling demo: 3 MB of 6 MB", Progress: 0.5}}
	rt.gate = make(chan struct{})
	s := newStackWith(t, []engine.Spec{{Name: "c", Runtime: engine.Container}}, map[engine.RuntimeKind]engine.Runtime{engine.Container: rt}, engine.Options{})
	s.Start("c")
	st := s.waitState("c", engine.Preparing)
	if st.Progress != 0.5 || st.Detail != "pulling demo: 3 MB of 6 MB" {
		t.Errorf("preparing: progress %v detail %q", st.Progress, st.Detail)
	}
	s.Stop("c")
	select {
	case err := <-rt.ctxErr:
		if err != context.Canceled {
			t.Errorf("start ended with %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the stop did not cancel the start")
	}
	st = s.waitState("c", engine.Stopped, engine.Failed)
	if st.State != engine.Stopped || st.Progress != 0 {
		t.Errorf("after the stop: %s %q progress %v", st.State, st.Detail, st.Progress)
	}
}

// A container's own healthcheck decides its health: the Compose
// healthcheck is not run on the host as well (here it would fail).
func TestHealthFromTheRuntime(t *testing.T) {
	rt := newFakeRuntime()
	spec := engine.Spec{Name: "c", Runtime: engine.Container, Serves: true, Port: freePort(t),
		Healthcheck: &engine.Healthcheck{Test: []string{"CMD", "false"}, Interval: 10 * time.Millisecond, StartInterval: 10 * time.Millisecond, Retries: 1}}
	s := newStackWith(t, []engine.Spec{spec}, map[engine.RuntimeKind]engine.Runtime{engine.Container: rt}, engine.Options{})
	s.Start("c")
	run := <-rt.started
	st := s.waitState("c", engine.Running)
	if st.Host != "engine.example" || st.Port != spec.Port {
		t.Errorf("running at %q:%d, want engine.example:%d", st.Host, st.Port, spec.Port)
	}
	run.report(engine.Healthy, true)
	s.waitState("c", engine.Healthy)
	run.report(engine.Unhealthy, false)
	st = s.waitState("c", engine.Unhealthy)
	for _, r := range st.Health {
		if r.Probe != "healthcheck" || r.Output != "" {
			t.Errorf("a result not from the runtime: %+v", r)
		}
	}
}

// The port pre-flight lets a runtime keep the port it holds itself (a
// reattached container), and refuses it otherwise.
func TestPortKeptByTheRuntime(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	rt := newFakeRuntime()
	rt.keeps = port
	specs := []engine.Spec{
		{Name: "kept", Runtime: engine.Container, Serves: true, Port: port},
		{Name: "taken", Runtime: engine.Process, Serves: true, Port: port, Command: []string{"true"}},
	}
	procs := newFakeRuntime()
	procs.keeps = -1
	s := newStackWith(t, specs, map[engine.RuntimeKind]engine.Runtime{engine.Container: rt, engine.Process: procs}, engine.Options{})
	s.StartAll()
	s.waitState("kept", engine.Running)
	if st := s.waitState("taken", engine.Failed); !strings.Contains(st.Detail, "taken") {
		t.Errorf("taken: %q", st.Detail)
	}
}

// Moving a socket service from process to container is make-before-break:
// the process serves on, shown as the service's state, while the
// container starts; once the container is healthy the routes are told
// (Moved) and only then does the process stop.
func TestMoveIsMakeBeforeBreak(t *testing.T) {
	procs, containers := newFakeRuntime(), newFakeRuntime()
	events := &eventLog{}
	procs.events, containers.events = events, events
	containers.gate = make(chan struct{})
	moved := make(chan engine.Snapshot, 1)
	spec := engine.Spec{Name: "web", Serves: true, Socket: "web.sock",
		Healthcheck: &engine.Healthcheck{Test: []string{"CMD", "true"}, Interval: time.Hour, StartInterval: 10 * time.Millisecond}}
	s := newStackWith(t, []engine.Spec{spec}, map[engine.RuntimeKind]engine.Runtime{engine.Process: procs, engine.Container: containers},
		engine.Options{Moved: func(ctx context.Context, snap engine.Snapshot) {
			events.add("moved")
			moved <- snap
		}})
	s.Start("web")
	old := <-procs.started
	old.report(engine.Healthy, true)
	before := s.waitState("web", engine.Healthy)
	if before.Socket == "" {
		t.Fatal("the process has no socket")
	}

	s.SetRuntime("web", engine.Container)
	during := s.waitFor("the move shown", func(snap engine.Snapshot) bool {
		st, _ := snap.Service("web")
		return strings.HasPrefix(st.Detail, "moving to a container")
	})
	st, _ := during.Service("web")
	if st.State != engine.Healthy || st.Socket != before.Socket || st.Runtime != engine.Container {
		t.Errorf("during the move: %+v", st)
	}
	close(containers.gate)
	run := <-containers.started
	run.report(engine.Healthy, true)
	snap := <-moved
	st, _ = snap.Service("web")
	if st.State != engine.Healthy || st.Socket != "" || st.Port == 0 || st.Host != "engine.example" {
		t.Errorf("moved: %+v", st)
	}
	select {
	case <-old.done:
	case <-time.After(15 * time.Second):
		t.Fatalf("the process was not stopped after the move:\n%s", events)
	}
	got := events.String()
	want := []string{"start web port= socket=", "start web port=", "moved", "stop port="}
	at := 0
	for _, w := range want {
		i := strings.Index(got[at:], w)
		if i < 0 {
			t.Fatalf("events out of order, want %q next:\n%s", w, got)
		}
		at += i + len(w)
	}
}

// A move whose new instance cannot start leaves the old one serving, the
// service back on its runtime.
func TestFailedMoveKeepsTheOldInstance(t *testing.T) {
	procs, containers := newFakeRuntime(), newFakeRuntime()
	containers.fail = errors.New("image not found")
	spec := engine.Spec{Name: "web", Serves: true, Socket: "web.sock",
		Healthcheck: &engine.Healthcheck{Test: []string{"CMD", "true"}, Interval: time.Hour, StartInterval: 10 * time.Millisecond}}
	s := newStackWith(t, []engine.Spec{spec}, map[engine.RuntimeKind]engine.Runtime{engine.Process: procs, engine.Container: containers}, engine.Options{})
	s.Start("web")
	old := <-procs.started
	old.report(engine.Healthy, true)
	s.waitState("web", engine.Healthy)
	s.SetRuntime("web", engine.Container)
	s.waitFor("back on the process runtime", func(snap engine.Snapshot) bool {
		st, _ := snap.Service("web")
		return st.Runtime == engine.Process && st.Socket != "" && !strings.HasPrefix(st.Detail, "moving")
	})
	select {
	case <-old.done:
		t.Fatal("the old instance was stopped")
	default:
	}
	old.report(engine.Healthy, true) // its health is followed again
	s.waitState("web", engine.Healthy)
}

// Options.Env adds to each run's environment what the app works out when
// the run starts, from how every service runs then; the Spec's own
// values win.
func TestRunEnvironmentFromOptions(t *testing.T) {
	procs, containers := newFakeRuntime(), newFakeRuntime()
	specs := []engine.Spec{
		{Name: "a", Env: map[string]string{"B_HOST": "set-in-the-stack-file"}},
		{Name: "b", Runtime: engine.Container},
	}
	s := newStackWith(t, specs, map[engine.RuntimeKind]engine.Runtime{engine.Process: procs, engine.Container: containers},
		engine.Options{Env: func(service string, kinds map[string]engine.RuntimeKind) map[string]string {
			return map[string]string{"B_HOST": "told", "B_RUNS_AS": string(kinds["b"]), "SELF": service}
		}})
	s.Start("a")
	run := <-procs.started
	if got := run.env; got["B_HOST"] != "set-in-the-stack-file" || got["B_RUNS_AS"] != "container" || got["SELF"] != "a" {
		t.Errorf("a's environment: %v", got)
	}
	s.SetRuntime("b", engine.Process)
	s.Restart("a")
	run = <-procs.started
	if got := run.env["B_RUNS_AS"]; got != "process" {
		t.Errorf("after b moved, a is told b runs as %q", got)
	}
}

// An old instance that ends by itself during a move is no longer shown
// as serving.
func TestOldInstanceEndsDuringMove(t *testing.T) {
	procs, containers := newFakeRuntime(), newFakeRuntime()
	containers.gate = make(chan struct{})
	spec := engine.Spec{Name: "web", Serves: true, Socket: "web.sock"}
	s := newStackWith(t, []engine.Spec{spec}, map[engine.RuntimeKind]engine.Runtime{engine.Process: procs, engine.Container: containers}, engine.Options{})
	s.Start("web")
	old := <-procs.started
	s.waitState("web", engine.Running)
	s.SetRuntime("web", engine.Container)
	s.waitFor("the move shown", func(snap engine.Snapshot) bool {
		st, _ := snap.Service("web")
		return strings.HasPrefix(st.Detail, "moving to a container")
	})
	old.Stop(syscall.SIGTERM, 0) // it ends on its own, as far as the engine knows
	s.waitFor("the new run's state, not the ended instance's", func(snap engine.Snapshot) bool {
		st, _ := snap.Service("web")
		return !strings.HasPrefix(st.Detail, "moving") && st.State == engine.Starting && st.Socket == ""
	})
	close(containers.gate)
	<-containers.started
	s.waitState("web", engine.Running)
}

// A move whose new instance cannot even be prepared (no port to serve
// on) leaves the old one serving too, supervised as before: when it
// ends by itself the service exits as any run does, not failed with the
// move's error.
func TestUnpreparedMoveKeepsTheOldInstance(t *testing.T) {
	procs, containers := newFakeRuntime(), newFakeRuntime()
	spec := engine.Spec{Name: "web", Serves: true, Socket: "web.sock"}
	s := newStackWith(t, []engine.Spec{spec}, map[engine.RuntimeKind]engine.Runtime{engine.Process: procs, engine.Container: containers},
		engine.Options{PickPort: func() (int, error) { return 0, errors.New("no port today") }})
	s.Start("web")
	old := <-procs.started
	s.waitState("web", engine.Running)
	s.SetRuntime("web", engine.Container)
	s.waitFor("back on the process runtime", func(snap engine.Snapshot) bool {
		st, _ := snap.Service("web")
		return st.Runtime == engine.Process && st.Socket != "" && !strings.HasPrefix(st.Detail, "moving")
	})
	old.Stop(syscall.SIGTERM, 0) // it ends on its own, as far as the engine knows
	if st := s.waitState("web", engine.Exited, engine.Failed); st.State != engine.Exited {
		t.Errorf("after the old instance ended: %s %q, want exited", st.State, st.Detail)
	}
}
