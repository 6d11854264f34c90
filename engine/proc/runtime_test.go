//go:build unix

package proc_test

import (
	"errors"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/proc"
)

// start runs a fixture script with args and returns the instance and its
// combined output.
func start(t *testing.T, rt *proc.Runtime, spec engine.Spec, env map[string]string) (engine.Instance, *capture) {
	t.Helper()
	out := newCapture()
	inst, err := rt.Start(t.Context(), spec, env, engine.Output{Stdout: out, Stderr: out})
	if err != nil {
		t.Fatal(err)
	}
	return inst, out
}

func script(name string, args ...string) engine.Spec {
	return engine.Spec{Name: name, Command: append([]string{"sh", fixture(name)}, args...)}
}

func TestStopGraceful(t *testing.T) {
	t.Parallel()
	rt := newRuntime(t)
	inst, out := start(t, rt, script("graceful"), nil)
	if err := out.waitFor("ready", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	if err := inst.Stop(syscall.SIGTERM, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Errorf("Stop took %v; the service exits on SIGTERM", d)
	}
	code, err := inst.Wait()
	if err != nil || code != 0 {
		t.Errorf("Wait = %d, %v; want 0", code, err)
	}
	if !strings.Contains(out.String(), "stopping on TERM") {
		t.Errorf("output %q lacks the trap's line", out.String())
	}
}

func TestStopIgnoredSignalKillsAfterGrace(t *testing.T) {
	t.Parallel()
	rt := newRuntime(t)
	inst, out := start(t, rt, script("stubborn"), nil)
	if err := out.waitFor("ready", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	const grace = 200 * time.Millisecond
	begin := time.Now()
	if err := inst.Stop(syscall.SIGTERM, grace); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(begin); d < grace {
		t.Errorf("Stop returned after %v, before the grace period", d)
	}
	if code, err := inst.Wait(); err != nil || code != 128+9 {
		t.Errorf("Wait = %d, %v; want 137 (SIGKILL)", code, err)
	}
}

func TestStopSignalIsTheSpecs(t *testing.T) {
	t.Parallel()
	rt := newRuntime(t)
	// The graceful fixture traps only TERM: SIGINT kills its shell.
	inst, out := start(t, rt, script("graceful"), nil)
	if err := out.waitFor("ready", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	inst.Stop(syscall.SIGINT, 5*time.Second)
	if code, _ := inst.Wait(); code != 128+int(syscall.SIGINT) {
		t.Errorf("exit code %d, want 130", code)
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	rt := newRuntime(t)
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"code", "0"}, 0},
		{[]string{"code", "3"}, 3},
		{[]string{"code", "255"}, 255},
		{[]string{"signal", "TERM"}, 143},
		{[]string{"signal", "KILL"}, 137},
		{[]string{"signal", "HUP"}, 129},
		{[]string{"signal", "USR1"}, 138},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, "-"), func(t *testing.T) {
			inst, _ := start(t, rt, script("exit", tt.args...), nil)
			code, err := inst.Wait()
			if err != nil || code != tt.want {
				t.Errorf("Wait = %d, %v; want %d", code, err, tt.want)
			}
		})
	}
}

func TestAllOutputDelivered(t *testing.T) {
	t.Parallel()
	rt := newRuntime(t)
	stdout, stderr := newCapture(), newCapture()
	inst, err := rt.Start(t.Context(), script("chatty", "2000"), nil, engine.Output{Stdout: stdout, Stderr: stderr})
	if err != nil {
		t.Fatal(err)
	}
	if code, err := inst.Wait(); code != 0 || err != nil {
		t.Fatalf("Wait = %d, %v", code, err)
	}
	for _, c := range []struct {
		name string
		got  string
	}{{"out", stdout.String()}, {"err", stderr.String()}} {
		var want strings.Builder
		for i := range 2000 {
			want.WriteString(c.name + " " + strconv.Itoa(i) + "\n")
		}
		want.WriteString(c.name + " last, no newline")
		if c.got != want.String() {
			t.Errorf("%s: got %d bytes, want %d; tail %q", c.name, len(c.got), want.Len(), tail(c.got))
		}
	}
}

// failingWriter stands for a log sink that gave up: the service must run on.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("sink closed") }

func TestFailingOutputDoesNotBlockTheService(t *testing.T) {
	t.Parallel()
	rt := newRuntime(t)
	inst, err := rt.Start(t.Context(), script("chatty", "5000"), nil, engine.Output{Stdout: failingWriter{}, Stderr: nil})
	if err != nil {
		t.Fatal(err)
	}
	if code, err := inst.Wait(); code != 0 || err != nil {
		t.Fatalf("Wait = %d, %v", code, err)
	}
}

func TestDirEnvAndExpansion(t *testing.T) {
	t.Parallel()
	rt := newRuntime(t)
	dir := t.TempDir()
	spec := script("showenv", "--port=$PORT", "${BERTH_SOCKET}", "$$PORT", "$HOME", "a b")
	spec.Dir = dir
	spec.Env = map[string]string{"EXTRA": "from spec", "PORT": "overridden"}
	env := map[string]string{"PORT": "4321", "BERTH_SOCKET": "/run/x.sock"}
	inst, out := start(t, rt, spec, env)
	if code, err := inst.Wait(); code != 0 || err != nil {
		t.Fatalf("Wait = %d, %v", code, err)
	}
	want := strings.Join([]string{
		"dir=" + dir,
		"PORT=4321",
		"BERTH_SOCKET=/run/x.sock",
		"EXTRA=from spec",
		"BERTH_PROJECT=test",
		"arg=--port=4321",
		"arg=/run/x.sock",
		"arg=$PORT",
		"arg=$HOME",
		"arg=a b",
	}, "\n") + "\n"
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestStopReachesGrandchildren(t *testing.T) {
	skipWithoutProc(t)
	t.Parallel()
	rt := newRuntime(t)
	mark := uniqueMark(t)
	spec := script("family")
	spec.Env = map[string]string{markerEnv: mark}
	inst, out := start(t, rt, spec, nil)
	for _, s := range []string{"stubborn ready", "nested ready", "family ready"} {
		if err := out.waitFor(s, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(marked(mark)); n < 4 {
		t.Fatalf("%d marked processes before the stop, want 4 or more", n)
	}
	inst.Stop(syscall.SIGTERM, 300*time.Millisecond)
	waitNoneMarked(t, mark)
}

func TestNaturalExitClearsTheGroup(t *testing.T) {
	skipWithoutProc(t)
	t.Parallel()
	rt := newRuntime(t)
	mark := uniqueMark(t)
	spec := engine.Spec{
		Name:    "leaver",
		Command: []string{"sh", "-c", "sleep 30 & echo started"},
		Env:     map[string]string{markerEnv: mark},
	}
	inst, out := start(t, rt, spec, nil)
	if code, err := inst.Wait(); code != 0 || err != nil {
		t.Fatalf("Wait = %d, %v", code, err)
	}
	if out.String() != "started\n" {
		t.Errorf("output %q", out.String())
	}
	waitNoneMarked(t, mark)
}

func TestStopTwiceAndAfterExit(t *testing.T) {
	t.Parallel()
	rt := newRuntime(t)
	inst, out := start(t, rt, script("stubborn"), nil)
	if err := out.waitFor("ready", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 2)
	for range 2 {
		go func() { done <- inst.Stop(syscall.SIGTERM, 100*time.Millisecond) }()
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	if err := inst.Stop(syscall.SIGTERM, time.Minute); err != nil {
		t.Error(err)
	}
	if code, _ := inst.Wait(); code != 137 {
		t.Errorf("exit code %d, want 137", code)
	}
}

func TestStartErrors(t *testing.T) {
	t.Parallel()
	rt := newRuntime(t)
	out := engine.Output{}
	if _, err := rt.Start(t.Context(), engine.Spec{Name: "empty"}, nil, out); err == nil {
		t.Error("no error for an empty command")
	}
	if _, err := rt.Start(t.Context(), engine.Spec{Name: "missing", Command: []string{"/nonexistent/berth-test"}}, nil, out); err == nil {
		t.Error("no error for a missing program")
	}
	if _, err := rt.Start(t.Context(), engine.Spec{Name: "baddir", Command: []string{"true"}, Dir: "/nonexistent"}, nil, out); err == nil {
		t.Error("no error for a missing directory")
	}
	rt2 := newRuntime(t)
	rt2.Close()
	if _, err := rt2.Start(t.Context(), script("graceful"), nil, out); !errors.Is(err, proc.ErrClosed) {
		t.Errorf("Start after Close: %v, want ErrClosed", err)
	}
}

func TestCloseKillsWhatRuns(t *testing.T) {
	t.Parallel()
	rt, err := proc.New(proc.Options{Project: "test", StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	inst, out := start(t, rt, script("stubborn"), nil)
	if err := out.waitFor("ready", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}
	if code, _ := inst.Wait(); code != 137 {
		t.Errorf("exit code %d, want 137", code)
	}
}

func tail(s string) string {
	if len(s) > 60 {
		return s[len(s)-60:]
	}
	return s
}

// A shell as the first process, given SIGINT, waits for its child and
// passes nothing on: the group gets the signal too, before the grace
// runs out, and the child stops cleanly.
func TestStopReachesAShellsChild(t *testing.T) {
	t.Parallel()
	rt := newRuntime(t)
	child := `trap "echo child stopping; exit 0" INT; echo ready; while :; do sleep 0.1; done`
	spec := engine.Spec{Name: "shell", Command: []string{"sh", "-c", "sh -c '" + child + "'; echo shell done"}}
	inst, out := start(t, rt, spec, nil)
	if err := out.waitFor("ready", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	const grace = 20 * time.Second
	begin := time.Now()
	if err := inst.Stop(syscall.SIGINT, grace); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(begin); d >= grace {
		t.Errorf("Stop took the whole grace (%v): the child never had the signal", d)
	}
	if !strings.Contains(out.String(), "child stopping") {
		t.Errorf("output %q: the child was not stopped by SIGINT", out.String())
	}
}
