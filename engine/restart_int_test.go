package engine_test

import (
	"context"
	"slices"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/berth-dev/berth/engine"
)

// crashes records, inside a synctest bubble, each Crashed state's delay
// (RestartAt - Since) until the service reaches one of the final states.
func crashes(s *stack, name string, final ...engine.State) ([]time.Duration, engine.ServiceState) {
	return crashDelays(s.Supervisor, name, func(_ []time.Duration, st engine.ServiceState) bool {
		return slices.Contains(final, st.State)
	})
}

// firstCrashes records the delays of the service's first n crashes.
func firstCrashes(sup *engine.Supervisor, name string, n int) []time.Duration {
	delays, _ := crashDelays(sup, name, func(delays []time.Duration, _ engine.ServiceState) bool {
		return len(delays) == n
	})
	return delays
}

// crashDelays records each Crashed state's delay (RestartAt - Since)
// until done holds, and returns them with the state done held on.
func crashDelays(sup *engine.Supervisor, name string, done func([]time.Duration, engine.ServiceState) bool) ([]time.Duration, engine.ServiceState) {
	ch, cancel := sup.Subscribe()
	defer cancel()
	var delays []time.Duration
	var lastCrash time.Time
	for snap := range ch {
		st, _ := snap.Service(name)
		if st.State == engine.Crashed && !st.RestartAt.Equal(lastCrash) {
			lastCrash = st.RestartAt
			delays = append(delays, st.RestartAt.Sub(st.Since))
		}
		if done(delays, st) {
			return delays, st
		}
	}
	return delays, engine.ServiceState{}
}

func restarting(sp engine.Spec, mode engine.RestartMode, max int) engine.Spec {
	sp.Restart = engine.RestartPolicy{Mode: mode, MaxRetries: max}
	return sp
}

func TestRestartOnFailureGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newStack(t, []engine.Spec{restarting(svc("crasher", "-exit", "3"), engine.RestartOnFailure, 3)}, engine.Options{})
		start := time.Now()
		s.StartAll()
		delays, st := crashes(s, "crasher", engine.Failed)
		if got := fmtDurations(delays); got != "1s 2s 4s" {
			t.Errorf("delays %s, want 1s 2s 4s", got)
		}
		if st.Detail != "gave up after 3 restarts; exit code 3" || st.ExitCode != 3 || st.Restarts != 3 {
			t.Errorf("failed with %q code %d restarts %d", st.Detail, st.ExitCode, st.Restarts)
		}
		if took := time.Since(start); took < 7*time.Second || took > 8*time.Second {
			t.Errorf("took %s of fake time, want 7s and a bit", took)
		}
	})
}

func TestRestartAlwaysBacksOffToTheCap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newStack(t, []engine.Spec{restarting(svc("job", "-exit", "0"), engine.RestartAlways, 0)}, engine.Options{})
		s.StartAll()
		delays := firstCrashes(s.Supervisor, "job", 8)
		if got := fmtDurations(delays); got != "1s 2s 4s 8s 16s 30s 30s 30s" {
			t.Errorf("delays %s", got)
		}
		// A stop while crashed ends the restarts.
		must(t, s.Stop("job"))
		s.waitState("job", engine.Stopped)
		time.Sleep(time.Minute)
		if st, _ := s.Snapshot().Service("job"); st.State != engine.Stopped || st.Restarts != 8 {
			t.Errorf("after a stop: %s, %d restarts", st.State, st.Restarts)
		}
	})
}

func TestRestartPolicies(t *testing.T) {
	tests := []struct {
		name   string
		spec   engine.Spec
		state  engine.State
		detail string
	}{
		{"no", restarting(svc("s", "-exit", "1"), engine.RestartNo, 0), engine.Exited, "exit code 1"},
		{"default is no", svc("s", "-exit", "2"), engine.Exited, "exit code 2"},
		{"on-failure, clean exit", restarting(svc("s", "-exit", "0"), engine.RestartOnFailure, 0), engine.Exited, "exit code 0"},
		{"command not found", restarting(engine.Spec{Name: "s", Command: []string{"/nonexistent/x"}}, engine.RestartAlways, 0),
			engine.Failed, "could not start: starting s: fork/exec /nonexistent/x: no such file or directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := newStack(t, []engine.Spec{tc.spec}, engine.Options{})
				s.StartAll()
				delays, st := crashes(s, "s", engine.Exited, engine.Failed)
				if st.State != tc.state || st.Detail != tc.detail || len(delays) > 0 {
					t.Errorf("%s %q after %d restarts; want %s %q", st.State, st.Detail, len(delays), tc.state, tc.detail)
				}
			})
		})
	}
}

func TestRestartCommandSkipsBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sp := restarting(svc("s", "-exit", "1"), engine.RestartUnlessStopped, 0)
		sp.Backoff.Initial = time.Hour
		sp.Backoff.Max = time.Hour
		s := newStack(t, []engine.Spec{sp}, engine.Options{})
		s.StartAll()
		st := s.waitState("s", engine.Crashed)
		start := time.Now()
		must(t, s.Restart("s"))
		s.waitFor("a new run", func(snap engine.Snapshot) bool {
			now, _ := snap.Service("s")
			return now.State == engine.Crashed && now.Restarts == st.Restarts+1
		})
		if took := time.Since(start); took > time.Second {
			t.Errorf("restart waited %s", took)
		}
	})
}

func fmtDurations(ds []time.Duration) string {
	var s string
	for i, d := range ds {
		if i > 0 {
			s += " "
		}
		s += d.String()
	}
	return s
}

// TestBackoffResetsAfterGoodHealth needs runs that last a minute of fake
// time, which a real process cannot give a synctest bubble (a goroutine
// blocked on its pipes keeps the fake clock still), so its runs come from
// a small in-memory runtime.
func TestBackoffResetsAfterGoodHealth(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := &scripted{runs: []time.Duration{0, 0, 0, 0, 61 * time.Second, 0, 59 * time.Second, 0}}
		sup := engine.New([]engine.Spec{restarting(engine.Spec{Name: "s"}, engine.RestartAlways, 0)},
			map[engine.RuntimeKind]engine.Runtime{engine.Process: rt}, engine.Options{})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- sup.Run(ctx) }()
		sup.StartAll()
		delays := firstCrashes(sup, "s", 8)
		cancel()
		<-done
		if got := fmtDurations(delays); got != "1s 2s 4s 8s 1s 2s 4s 8s" {
			t.Errorf("delays %s, want 1s 2s 4s 8s 1s 2s 4s 8s", got)
		}
	})
}

// scripted runs each start for the next of runs, then exits with code 1.
type scripted struct {
	mu   sync.Mutex
	runs []time.Duration
}

func (r *scripted) Start(ctx context.Context, spec engine.Spec, env map[string]string, out engine.Output) (engine.Instance, error) {
	r.mu.Lock()
	var d time.Duration
	if len(r.runs) > 0 {
		d, r.runs = r.runs[0], r.runs[1:]
	}
	r.mu.Unlock()
	i := &scriptedRun{done: make(chan struct{}), stop: make(chan struct{})}
	go func() {
		defer close(i.done)
		select {
		case <-time.After(d):
			i.code = 1
		case <-i.stop:
			i.code = 143
		}
	}()
	return i, nil
}

type scriptedRun struct {
	done, stop chan struct{}
	once       sync.Once
	code       int
}

func (i *scriptedRun) Pid() int           { return 0 }
func (i *scriptedRun) Wait() (int, error) { <-i.done; return i.code, nil }
func (i *scriptedRun) Stop(syscall.Signal, time.Duration) error {
	i.once.Do(func() { close(i.stop) })
	<-i.done
	return nil
}
