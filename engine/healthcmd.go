package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"syscall"
)

// commandCheck runs a Compose healthcheck test on the host, as Docker runs
// it in the container: CMD runs its words, CMD-SHELL gives its one string
// to the system shell; exit status 0 is healthy, anything else is not. It
// runs through the process runtime, like a service (its own process group,
// the service's environment and folder, $PORT and $BERTH_SOCKET expanded
// in CMD words), so that nothing it starts outlives Berth either.
type commandCheck struct {
	test   []string
	spec   Spec // the service's
	target target
	rt     Runtime // the process runtime; nil when there is none
	r      healthRules
}

func (c *commandCheck) name() string       { return "healthcheck" }
func (c *commandCheck) rules() healthRules { return c.r }

func (c *commandCheck) check(ctx context.Context) (bool, string) {
	argv, err := healthArgv(c.test)
	if err != nil {
		return false, err.Error()
	}
	if c.rt == nil {
		return false, "no process runtime to run the healthcheck with"
	}
	out := &capWriter{n: maxProbeOutput}
	spec := Spec{Name: c.spec.Name + " healthcheck", Command: argv, Dir: c.target.Dir}
	inst, err := c.rt.Start(ctx, spec, c.target.Env, Output{Stdout: out, Stderr: out})
	if err != nil {
		return false, err.Error()
	}
	done := waitFor(inst) // ends when the check's process does; Stop below sees to it
	var e exitResult
	select {
	case e = <-done:
	case <-ctx.Done():
		inst.Stop(syscall.SIGKILL, 0)
		<-done
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return false, fmt.Sprintf("Health check exceeded timeout (%s)", c.r.Timeout)
		}
		return false, ctx.Err().Error()
	}
	if e.err != nil {
		return false, e.err.Error()
	}
	return e.code == 0, HealthOutput(out.String(), e.code)
}

// HealthOutput is a healthcheck's output as probe results show it, for
// the host's checks and the Docker engine's alike: the text, and the exit
// status when it failed.
func HealthOutput(out string, code int) string {
	out = strings.TrimSpace(out)
	switch {
	case code == 0:
		return out
	case out == "":
		return fmt.Sprintf("exit status %d", code)
	}
	return fmt.Sprintf("%s\n(exit status %d)", out, code)
}

// healthArgv turns a Compose test into the command to run. CMD-SHELL's
// string is escaped for the runtime's expansion of $PORT and $$, so that
// the shell alone reads it.
func healthArgv(test []string) ([]string, error) {
	if len(test) < 2 {
		return nil, fmt.Errorf("healthcheck test %q has no command", test)
	}
	switch test[0] {
	case "CMD":
		return test[1:], nil
	case "CMD-SHELL":
		s := strings.ReplaceAll(strings.Join(test[1:], " "), "$", "$$")
		if runtime.GOOS == "windows" {
			return []string{"cmd", "/S", "/C", s}, nil
		}
		return []string{"/bin/sh", "-c", s}, nil
	}
	return nil, fmt.Errorf("healthcheck test must start with CMD, CMD-SHELL or NONE, not %q", test[0])
}

// capWriter keeps the first n bytes written to it and drops the rest. Both
// output streams write to it.
type capWriter struct {
	mu  sync.Mutex
	buf []byte
	n   int
}

func (w *capWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if room := w.n - len(w.buf); room > 0 {
		w.buf = append(w.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (w *capWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.buf)
}
