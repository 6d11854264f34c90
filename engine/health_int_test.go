package engine_test

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
)

// fast makes a probe quick for tests.
func fast(p engine.Probe) engine.Probe {
	p.Interval, p.StartInterval, p.Retries = 50*time.Millisecond, 20*time.Millisecond, 2
	return p
}

func healthcheck(sp engine.Spec, timeout time.Duration, test ...string) engine.Spec {
	sp.Healthcheck = &engine.Healthcheck{Test: test, Interval: 50 * time.Millisecond, Timeout: timeout, Retries: 1}
	return sp
}

// lastResult is the newest health result of a service.
func lastResult(st engine.ServiceState) engine.ProbeResult {
	if len(st.Health) == 0 {
		return engine.ProbeResult{}
	}
	return st.Health[len(st.Health)-1]
}

func TestHealthyFromEachProbe(t *testing.T) {
	mark := filepath.Join(t.TempDir(), "marks")
	unix := serving(svc("unix", "-delay", "100ms", "-listen"))
	unix.Socket = "unix.sock"
	shellHC := serving(svc("shell", "-delay", "100ms", "-listen", "-mark", mark))
	execHC := serving(svc("exec", "-delay", "100ms", "-listen"))
	execHC.Socket = "exec.sock"
	s := newStack(t, []engine.Spec{
		withProbe(serving(svc("http", "-delay", "100ms", "-listen")), fast(engine.Probe{Kind: engine.ProbeHTTP, Path: "/health", Status: 200})),
		withProbe(serving(svc("tcp", "-delay", "100ms", "-listen")), fast(engine.Probe{Kind: engine.ProbeTCP})),
		withProbe(unix, fast(engine.Probe{Kind: engine.ProbeUnix})),
		withProbe(svc("log", "-delay", "100ms", "-say", "starting", "-ready", "server is ready"), engine.Probe{Kind: engine.ProbeLog, Pattern: "is ready$"}),
		healthcheck(shellHC, time.Second, "CMD-SHELL", "grep -q 'shell ready' "+mark+" && echo port $PORT 'a$$b'"),
		healthcheck(execHC, time.Second, "CMD", "test", "-S", "$BERTH_SOCKET"),
	}, engine.Options{})
	s.StartAll()
	want := map[string]string{
		"http":  "http /health: HTTP 200 OK\n/health 200",
		"tcp":   "tcp PORT: connected to localhost:PORT",
		"unix":  "unix SOCKET: connected to SOCKET",
		"log":   "log /is ready$/: server is ready",
		"shell": "healthcheck: port PORT a$$b",
		"exec":  "healthcheck: ",
	}
	for name, w := range want {
		st := s.waitState(name, engine.Healthy)
		r := lastResult(st)
		w = strings.ReplaceAll(w, "PORT", strconv.Itoa(st.Port))
		w = strings.ReplaceAll(w, "SOCKET", st.Socket)
		if got := r.Probe + ": " + r.Output; !r.OK || got != w {
			t.Errorf("%s: last result %q (ok %v), want %q", name, got, r.OK, w)
		}
		if st.Detail != "" {
			t.Errorf("%s: healthy with detail %q", name, st.Detail)
		}
	}
}

func TestUnhealthy(t *testing.T) {
	wrongStatus := fast(engine.Probe{Kind: engine.ProbeHTTP, Path: "/", Status: 204})
	wrongStatus.StartPeriod = time.Nanosecond
	s := newStack(t, []engine.Spec{
		// Healthy at first, then answering 503.
		withProbe(serving(svc("turns", "-listen", "-unhealthy-after", "300ms")), fast(engine.Probe{Kind: engine.ProbeHTTP, Path: "/health"})),
		withProbe(serving(svc("status", "-listen")), wrongStatus),
		healthcheck(svc("slow"), 100*time.Millisecond, "CMD-SHELL", "sleep 10"),
		healthcheck(svc("failing"), time.Second, "CMD-SHELL", "echo database is down; exit 1"),
	}, engine.Options{})
	s.StartAll()
	st := s.waitState("turns", engine.Healthy)
	st = s.waitState("turns", engine.Unhealthy)
	if st.Detail != "http /health: HTTP 503 Service Unavailable" {
		t.Errorf("turns: %q", st.Detail)
	}
	var oks []bool
	for _, r := range st.Health {
		oks = append(oks, r.OK)
	}
	if len(oks) < 3 || !oks[len(oks)-3] || oks[len(oks)-1] || oks[len(oks)-2] {
		t.Errorf("turns' history %v: want a success, then two failures", oks)
	}
	want := map[string]string{
		"status":  "http /: HTTP 200 OK (want 204)",
		"slow":    "healthcheck: Health check exceeded timeout (100ms)",
		"failing": "healthcheck: database is down",
	}
	for name, w := range want {
		s.waitFor(name+" unhealthy with "+w, func(snap engine.Snapshot) bool {
			st, _ := snap.Service(name)
			return st.State == engine.Unhealthy && st.Detail == w
		})
	}
	if r := lastResult(s.waitState("failing", engine.Unhealthy)); r.Output != "database is down\n(exit status 1)" {
		t.Errorf("failing's output %q", r.Output)
	}
	if r := lastResult(s.waitState("slow", engine.Unhealthy)); r.At.IsZero() {
		t.Errorf("slow's result has no time")
	}
}

func TestRestartOnUnhealthy(t *testing.T) {
	// Only the first run turns unhealthy, so "healthy again" lasts long
	// enough to be seen on a loaded machine.
	once := filepath.Join(t.TempDir(), "unhealthy-once")
	sp := withProbe(serving(svc("flaky", "-listen", "-unhealthy-after", "200ms", "-unhealthy-once", once)), fast(engine.Probe{Kind: engine.ProbeHTTP, Path: "/health"}))
	sp.RestartOnUnhealthy = true
	sp.Backoff.Initial = 50 * time.Millisecond
	s := newStack(t, []engine.Spec{sp}, engine.Options{})
	s.StartAll()
	first := s.waitState("flaky", engine.Healthy)
	st := s.waitState("flaky", engine.Crashed)
	if !strings.HasPrefix(st.Detail, "unhealthy (http /health: HTTP 503 Service Unavailable); restarting at ") {
		t.Errorf("crashed with %q", st.Detail)
	}
	s.waitFor("healthy again", func(snap engine.Snapshot) bool {
		st, _ := snap.Service("flaky")
		return st.State == engine.Healthy && st.Pid != first.Pid && st.Restarts >= 1
	})
}

// TestHealthHistoryIsBounded: a service probed many times keeps only the
// last results.
func TestHealthHistoryIsBounded(t *testing.T) {
	p := fast(engine.Probe{Kind: engine.ProbeTCP})
	p.Interval = 5 * time.Millisecond
	s := newStack(t, []engine.Spec{withProbe(serving(svc("web", "-listen")), p)}, engine.Options{})
	s.StartAll()
	s.waitFor("30 results", func(snap engine.Snapshot) bool {
		st, _ := snap.Service("web")
		return st.State == engine.Healthy && len(st.Health) == 20 && st.Health[19].At.Sub(st.Health[0].At) > 19*p.Interval
	})
}
