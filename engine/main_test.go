package engine_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/proc"
)

// svcBin is fixtures/procs/engine-svc, built once for the tests.
var svcBin string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "engine-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	svcBin = filepath.Join(dir, "engine-svc")
	build := exec.Command("go", "build", "-o", svcBin, "github.com/berth-dev/berth/fixtures/procs/engine-svc")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building engine-svc: %v\n%s", err, out)
		return 1
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines leaked:", err)
			return 1
		}
	}
	return code
}

// svc is a service running engine-svc with args.
func svc(name string, args ...string) engine.Spec {
	return engine.Spec{Name: name, Command: append([]string{svcBin, "-name", name}, args...)}
}

// stack is a supervisor running specs on the real process runtime.
type stack struct {
	*engine.Supervisor
	t      *testing.T
	cancel context.CancelFunc
	done   chan error
	dir    string // a short folder (unix socket paths are short)
}

// newStack runs specs until the test ends (or stop is called).
func newStack(t *testing.T, specs []engine.Spec, opts engine.Options) *stack {
	t.Helper()
	rt, err := proc.New(proc.Options{Project: "enginetest", StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	return newStackWith(t, specs, map[engine.RuntimeKind]engine.Runtime{engine.Process: rt}, opts)
}

// newStackWith runs specs on the runtimes until the test ends (or stop
// is called).
func newStackWith(t *testing.T, specs []engine.Spec, runtimes map[engine.RuntimeKind]engine.Runtime, opts engine.Options) *stack {
	t.Helper()
	dir, err := os.MkdirTemp("", "be")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if opts.RuntimeDir == "" {
		opts.RuntimeDir = dir
	}
	s := &stack{
		Supervisor: engine.New(specs, runtimes, opts),
		t:          t,
		done:       make(chan error, 1),
		dir:        dir,
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	s.cancel = cancel
	go func() { s.done <- s.Run(ctx) }()
	t.Cleanup(s.stop)
	return s
}

// stop ends Run and waits for it.
func (s *stack) stop() {
	s.cancel()
	select {
	case err := <-s.done:
		if err != nil {
			s.t.Errorf("Run: %v", err)
		}
		s.done <- nil // later stops return at once
	case <-time.After(30 * time.Second):
		s.t.Fatal("Run did not return")
	}
}

// waitFor waits until ok holds for a snapshot, and returns that snapshot.
func (s *stack) waitFor(what string, ok func(engine.Snapshot) bool) engine.Snapshot {
	s.t.Helper()
	ch, cancel := s.Subscribe()
	defer cancel()
	timeout := time.After(15 * time.Second)
	var last engine.Snapshot
	for {
		select {
		case snap := <-ch:
			if ok(snap) {
				return snap
			}
			last = snap
		case <-timeout:
			s.t.Fatalf("timed out waiting for %s; last:\n%s", what, describe(last))
		}
	}
}

// waitState waits until the service is in one of the states.
func (s *stack) waitState(name string, states ...engine.State) engine.ServiceState {
	s.t.Helper()
	snap := s.waitFor(name+" "+fmt.Sprint(states), func(snap engine.Snapshot) bool {
		st, _ := snap.Service(name)
		for _, want := range states {
			if st.State == want {
				return true
			}
		}
		return false
	})
	st, _ := snap.Service(name)
	return st
}

// describe shows a snapshot for a failure message.
func describe(snap engine.Snapshot) string {
	var b strings.Builder
	for _, st := range snap.Services {
		fmt.Fprintf(&b, "  %s: %s %q pid %d port %d\n", st.Name, st.State, st.Detail, st.Pid, st.Port)
	}
	return b.String()
}

// logText is a service's log lines joined by newlines.
func logText(s *engine.Supervisor, name string) string {
	var b strings.Builder
	for _, l := range s.Logs(name) {
		b.WriteString(l.Text + "\n")
	}
	return b.String()
}

// marks reads a -mark file's lines.
func marks(t *testing.T, path string) []string {
	t.Helper()
	ms, err := readMarks(path)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// readMarks reads a -mark file's lines, spaces made underscores.
func readMarks(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	return strings.Fields(strings.ReplaceAll(string(data), " ", "_")), err
}

// before fails unless mark a comes before mark b.
func before(t *testing.T, ms []string, a, b string) {
	t.Helper()
	ia, ib := index(ms, a), index(ms, b)
	if ia < 0 || ib < 0 || ia > ib {
		t.Errorf("want %s before %s in %v", a, b, ms)
	}
}

// index is where mark m is in ms, or -1.
func index(ms []string, m string) int {
	return slices.Index(ms, strings.ReplaceAll(m, " ", "_"))
}

// waitLog waits until one of the service's lines contains text.
func (s *stack) waitLog(name, text string) engine.Line {
	s.t.Helper()
	f, err := s.Follow(-1, name)
	if err != nil {
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(s.t.Context(), 15*time.Second)
	defer cancel()
	for {
		lines, err := f.Next(ctx)
		if err != nil {
			s.t.Fatalf("no line with %q from %s; it has:\n%s", text, name, logText(s.Supervisor, name))
		}
		for _, l := range lines {
			if strings.Contains(l.Text, text) {
				return l
			}
		}
	}
}

// waitMark waits until a -mark file holds the line m: a process's own
// word that it got there (a Running state only says it was started).
func waitMark(t *testing.T, path, m string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if ms, err := readMarks(path); err == nil && index(ms, m) >= 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no %q in %s", m, path)
}
