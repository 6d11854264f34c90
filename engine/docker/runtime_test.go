package docker

import (
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
)

func TestLogsAndExitCode(t *testing.T) {
	t.Parallel()
	needEngine(t)
	p := testProject(t, `
services:
  one:
    image: `+testImage+`
    command: ["-name", "one", "-exit", "3", "-after", "500ms"]
`)
	r := newTestRuntime(t, p, Options{})
	var stdout, stderr buffer
	inst, err := r.Start(t.Context(), spec("one"), nil, engine.Output{Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	code, err := inst.Wait()
	if code != 3 || err != nil {
		t.Errorf("Wait = %d, %v; want 3, nil", code, err)
	}
	for _, want := range []string{"one: out started", "one: exiting with 3"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
		}
	}
	for _, want := range []string{"one: err started", "one: bye from stderr"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if strings.Contains(stdout.String(), "stderr") || strings.Contains(stderr.String(), "out started") {
		t.Errorf("streams mixed:\nstdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
	if left := dockerPS(t, "label=com.docker.compose.project="+p.Name); left != "" {
		t.Errorf("the ended container was not removed:\n%s", left)
	}
}

func TestTTYIsOneStream(t *testing.T) {
	t.Parallel()
	needEngine(t)
	p := testProject(t, `
services:
  tty:
    image: `+testImage+`
    tty: true
    command: ["-name", "tty", "-exit", "0", "-after", "300ms"]
`)
	r := newTestRuntime(t, p, Options{})
	var stdout, stderr buffer
	inst, err := r.Start(t.Context(), spec("tty"), nil, engine.Output{Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	if code, err := inst.Wait(); code != 0 || err != nil {
		t.Errorf("Wait = %d, %v", code, err)
	}
	if out := stdout.String(); !strings.Contains(out, "tty: out started") || !strings.Contains(out, "tty: bye from stderr") {
		t.Errorf("a TTY container's output is one stream, on stdout; got:\n%s", out)
	}
	if stderr.String() != "" {
		t.Errorf("stderr of a TTY container: %q", stderr.String())
	}
}

func TestStopSignalGraceKill(t *testing.T) {
	t.Parallel()
	needEngine(t)
	p := testProject(t, `
services:
  polite:
    image: `+testImage+`
    stop_signal: SIGUSR1
    command: ["-name", "polite", "-signal-code", "7"]
  stubborn:
    image: `+testImage+`
    command: ["-name", "stubborn", "-on-signal", "ignore"]
`)
	r := newTestRuntime(t, p, Options{})
	t.Run("stop signal", func(t *testing.T) {
		t.Parallel()
		var out buffer
		inst, err := r.Start(t.Context(), spec("polite"), nil, engine.Output{Stdout: &out})
		if err != nil {
			t.Fatal(err)
		}
		out.waitText(t, "out started")
		if err := inst.Stop(sigusr1, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		if code, _ := inst.Wait(); code != 7 {
			t.Errorf("exit code %d, want 7 (the service's answer to SIGUSR1)", code)
		}
		if !strings.Contains(out.String(), "polite: got user defined signal 1") {
			t.Errorf("no word of SIGUSR1:\n%s", out.String())
		}
	})
	t.Run("grace then kill", func(t *testing.T) {
		t.Parallel()
		var out buffer
		inst, err := r.Start(t.Context(), spec("stubborn"), nil, engine.Output{Stdout: &out})
		if err != nil {
			t.Fatal(err)
		}
		out.waitText(t, "out started")
		began := time.Now()
		if err := inst.Stop(sigterm, 700*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		took := time.Since(began)
		if code, _ := inst.Wait(); code != 137 {
			t.Errorf("exit code %d, want 137 (killed)", code)
		}
		if took < 700*time.Millisecond || took > 5*time.Second {
			t.Errorf("Stop took %v; want the grace of 700ms, then the kill", took)
		}
		if !strings.Contains(out.String(), "stubborn: got terminated") {
			t.Errorf("SIGTERM did not reach it first:\n%s", out.String())
		}
	})
}
