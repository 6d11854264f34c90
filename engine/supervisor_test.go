package engine_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/portcheck"
)

func serving(sp engine.Spec) engine.Spec {
	sp.Serves = true
	return sp
}

func dependsOn(sp engine.Spec, deps ...string) engine.Spec {
	for _, d := range deps {
		name, cond, _ := strings.Cut(d, ":")
		sp.DependsOn = append(sp.DependsOn, engine.Dependency{Service: name, Condition: engine.Condition(cond)})
	}
	return sp
}

func withProbe(sp engine.Spec, p engine.Probe) engine.Spec {
	sp.Probes = append(sp.Probes, p)
	return sp
}

// marking makes a service append its start and stop lines to the file
// mark.
func marking(mark string) func(engine.Spec) engine.Spec {
	return func(sp engine.Spec) engine.Spec {
		sp.Command = append(sp.Command, "-mark", mark)
		return sp
	}
}

func TestServiceGetsPortAndSocket(t *testing.T) {
	s := newStack(t, []engine.Spec{
		serving(svc("web", "-listen", "-say", "port=$PORT")),
		func() engine.Spec {
			sp := serving(svc("api", "-listen", "-say", "socket=${BERTH_SOCKET}"))
			sp.Socket = "api.sock"
			return sp
		}(),
		func() engine.Spec {
			sp := serving(svc("fixed", "-listen", "-say", "port=$PORT"))
			sp.Port = freePort(t)
			return sp
		}(),
	}, engine.Options{})
	s.StartAll()
	for _, name := range []string{"web", "api", "fixed"} {
		s.waitState(name, engine.Running)
	}
	snap := s.Snapshot()
	web, _ := snap.Service("web")
	api, _ := snap.Service("api")
	fixed, _ := snap.Service("fixed")
	if web.Port == 0 || web.Pid == 0 {
		t.Errorf("web: %+v", web)
	}
	s.waitLog("web", "port="+strconv.Itoa(web.Port))
	if want := filepath.Join(s.dir, "api.sock"); api.Socket != want || api.Port != 0 {
		t.Errorf("api serves on %q port %d, want %s", api.Socket, api.Port, want)
	}
	s.waitLog("api", "socket="+api.Socket)
	s.waitLog("fixed", "port="+strconv.Itoa(fixed.Port))
}

func freePort(t *testing.T) int {
	t.Helper()
	port, err := portcheck.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// TestDependencyConditions runs db (healthy once it listens, after a
// delay), cache, migrate (a job after db is healthy) and web (after all
// three, each with its own condition), and checks from the processes' own
// notes that each started only once its condition held.
func TestDependencyConditions(t *testing.T) {
	mark := filepath.Join(t.TempDir(), "marks")
	m := marking(mark)
	s := newStack(t, []engine.Spec{
		dependsOn(m(svc("web", "-listen")), "db:service_healthy", "cache:service_started", "migrate:service_completed_successfully"),
		withProbe(serving(m(svc("db", "-delay", "300ms", "-listen"))), engine.Probe{Kind: engine.ProbeTCP}),
		dependsOn(m(svc("migrate", "-exit", "0", "-after", "200ms")), "db:service_healthy"),
		m(svc("cache")),
	}, engine.Options{})
	s.StartAll()
	s.waitState("web", engine.Running)
	waitMark(t, mark, "web start")
	ms := marks(t, mark)
	before(t, ms, "db ready", "migrate start")
	before(t, ms, "cache start", "web start")
	before(t, ms, "migrate exit", "web start")
	snap := s.Snapshot()
	if st, _ := snap.Service("migrate"); st.State != engine.Exited || st.ExitCode != 0 || st.Detail != "exit code 0" {
		t.Errorf("migrate: %s %q code %d", st.State, st.Detail, st.ExitCode)
	}
	if st, _ := snap.Service("db"); st.State != engine.Healthy {
		t.Errorf("db: %s", st.State)
	}
}

func TestWaitingSaysOnWhat(t *testing.T) {
	s := newStack(t, []engine.Spec{
		withProbe(svc("db", "-delay", "1h"), engine.Probe{Kind: engine.ProbeLog, Pattern: "ready"}),
		dependsOn(svc("web"), "db:service_healthy"),
		dependsOn(svc("job", "-exit", "4"), "db:service_started"),
		dependsOn(svc("after-job"), "job:service_completed_successfully"),
	}, engine.Options{})
	s.StartAll()
	s.waitState("db", engine.Running)
	st := s.waitState("web", engine.Waiting)
	if st.Detail != "waiting for db (healthy)" {
		t.Errorf("web waits with %q", st.Detail)
	}
	s.waitState("job", engine.Exited)
	st = s.waitState("after-job", engine.Waiting)
	s.waitFor("after-job's reason", func(snap engine.Snapshot) bool {
		st, _ = snap.Service("after-job")
		return st.Detail == "waiting for job (completed successfully); it exited with code 4"
	})
}

func TestContainerServiceNeedsDocker(t *testing.T) {
	sp := svc("db")
	sp.Runtime = engine.Container
	s := newStack(t, []engine.Spec{sp, dependsOn(svc("web"), "db:service_started")}, engine.Options{})
	s.StartAll()
	st := s.waitState("db", engine.Waiting)
	if st.Detail != "needs the Docker runtime" || st.Runtime != engine.Container {
		t.Errorf("db: %q runtime %s", st.Detail, st.Runtime)
	}
	s.waitState("web", engine.Waiting)
	if err := s.SetRuntime("db", engine.Process); err != nil {
		t.Fatal(err)
	}
	s.waitState("db", engine.Running)
	s.waitState("web", engine.Running)
}

func TestDependencyCycleFails(t *testing.T) {
	s := newStack(t, []engine.Spec{
		dependsOn(svc("a"), "b:service_started"),
		dependsOn(svc("b"), "a:service_started"),
		svc("c"),
	}, engine.Options{})
	s.StartAll()
	s.waitState("c", engine.Running)
	for _, name := range []string{"a", "b"} {
		st, _ := s.Snapshot().Service(name)
		if st.State != engine.Failed || !strings.HasPrefix(st.Detail, "dependency cycle: ") {
			t.Errorf("%s: %s %q", name, st.State, st.Detail)
		}
	}
}

// TestCommandsWhileOthersStart toggles, restarts and stops services while
// a slow one is still starting and its dependent waits.
func TestCommandsWhileOthersStart(t *testing.T) {
	gate := filepath.Join(t.TempDir(), "gate")
	s := newStack(t, []engine.Spec{
		withProbe(svc("slow", "-until", gate, "-ready", "ready"), engine.Probe{Kind: engine.ProbeLog, Pattern: "^ready$"}),
		dependsOn(svc("dependent"), "slow:service_healthy"),
		svc("other"),
	}, engine.Options{})
	s.StartAll()
	s.waitState("slow", engine.Running)
	s.waitState("dependent", engine.Waiting)
	first := s.waitState("other", engine.Running)

	// Toggle other off and on, restart it, while slow starts.
	must(t, s.Toggle("other"))
	s.waitState("other", engine.Stopped)
	must(t, s.Toggle("other"))
	second := s.waitState("other", engine.Running)
	must(t, s.Restart("other"))
	third := s.waitFor("other restarted", func(snap engine.Snapshot) bool {
		st, _ := snap.Service("other")
		return st.State == engine.Running && st.Pid != second.Pid
	})
	if st, _ := third.Service("other"); first.Pid == second.Pid || st.Pid == first.Pid {
		t.Errorf("pids %d %d %d: not new processes", first.Pid, second.Pid, st.Pid)
	}

	// Restarting a waiting service keeps it waiting; stopping it stops it.
	must(t, s.Restart("dependent"))
	if st, _ := s.Snapshot().Service("dependent"); st.State != engine.Waiting && st.State != engine.Stopped {
		t.Errorf("dependent after restart: %s", st.State)
	}
	must(t, s.Stop("dependent"))
	s.waitState("dependent", engine.Stopped)
	must(t, s.Toggle("dependent"))
	s.waitState("dependent", engine.Waiting)

	// Restart slow while it starts: a new process, and once it is healthy
	// the dependent follows.
	slowPid := s.waitState("slow", engine.Running).Pid
	must(t, s.Restart("slow"))
	s.waitFor("slow restarted", func(snap engine.Snapshot) bool {
		st, _ := snap.Service("slow")
		return st.State == engine.Running && st.Pid != slowPid
	})
	if st, _ := s.Snapshot().Service("dependent"); st.State != engine.Waiting {
		t.Errorf("dependent %s before slow is healthy", st.State)
	}
	must(t, os.WriteFile(gate, nil, 0o644))
	s.waitState("slow", engine.Healthy)
	s.waitState("dependent", engine.Running)

	if err := s.Start("nope"); err == nil {
		t.Error("starting an unknown service: no error")
	}
}

func TestStartStartsDependencies(t *testing.T) {
	s := newStack(t, []engine.Spec{
		svc("db"),
		dependsOn(svc("api"), "db:service_started"),
		dependsOn(svc("web"), "api:service_started"),
		svc("unrelated"),
	}, engine.Options{})
	must(t, s.Start("web"))
	s.waitState("web", engine.Running)
	snap := s.Snapshot()
	for name, want := range map[string]engine.State{"db": engine.Running, "api": engine.Running, "unrelated": engine.Stopped} {
		if st, _ := snap.Service(name); st.State != want {
			t.Errorf("%s: %s, want %s", name, st.State, want)
		}
	}
	// Stopping one service leaves its dependents running.
	must(t, s.Stop("db"))
	s.waitState("db", engine.Stopped)
	if st, _ := s.Snapshot().Service("web"); st.State != engine.Running {
		t.Errorf("web: %s", st.State)
	}
}

// TestRunStopsInReverseOrder cancels Run and checks from the processes'
// own notes that dependents stopped before their dependencies, and that
// no process is left.
func TestRunStopsInReverseOrder(t *testing.T) {
	mark := filepath.Join(t.TempDir(), "marks")
	m := marking(mark)
	s := newStack(t, []engine.Spec{
		dependsOn(m(svc("web")), "api:service_started"),
		dependsOn(m(svc("api")), "db:service_started"),
		m(svc("db")),
		dependsOn(m(svc("worker")), "db:service_started"),
		m(svc("cache")),
	}, engine.Options{})
	s.StartAll()
	var pids []int
	for _, n := range []string{"web", "api", "db", "worker", "cache"} {
		pids = append(pids, s.waitState(n, engine.Running).Pid)
		waitMark(t, mark, n+" ready")
	}
	s.stop()
	ms := marks(t, mark)
	before(t, ms, "web stop", "api stop")
	before(t, ms, "api stop", "db stop")
	before(t, ms, "worker stop", "db stop")
	if index(ms, "cache stop") < 0 {
		t.Errorf("cache did not stop: %v", ms)
	}
	for _, st := range s.Snapshot().Services {
		if st.State != engine.Stopped {
			t.Errorf("%s: %s after Run", st.Name, st.State)
		}
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("pid %d still alive", pid)
		}
	}
}

// TestStopAllWaitsForDependents: a dependent that takes its time to stop
// keeps its dependency running until it is gone.
func TestStopAllWaitsForDependents(t *testing.T) {
	mark := filepath.Join(t.TempDir(), "marks")
	web := dependsOn(svc("web", "-ignore-term", "-mark", mark), "db:service_started")
	web.StopGrace = 500 * time.Millisecond // then SIGKILL
	s := newStack(t, []engine.Spec{svc("db", "-mark", mark), web}, engine.Options{})
	s.StartAll()
	waitMark(t, mark, "web ready")
	waitMark(t, mark, "db ready")
	s.StopAll()
	st := s.waitFor("db waiting for web", func(snap engine.Snapshot) bool {
		st, _ := snap.Service("db")
		return st.Detail == "stopping after web"
	})
	if db, _ := st.Service("db"); db.State != engine.Running {
		t.Errorf("db %s while web stops", db.State)
	}
	s.waitState("db", engine.Stopped)
	if w, _ := s.Snapshot().Service("web"); w.State != engine.Stopped {
		t.Errorf("web %s after db stopped", w.State)
	}
	ms := marks(t, mark)
	if index(ms, "db stop") < 0 || index(ms, "web stop") >= 0 {
		t.Errorf("marks %v: want db's stop, none from web (killed)", ms)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// alive tells whether a process exists (not reaped), from /proc where
// there is one.
func alive(pid int) bool {
	_, err := os.Stat("/proc/" + strconv.Itoa(pid))
	return err == nil
}
