package app

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/portcheck"
)

// needDocker fails the test when no Docker engine answers: `make test`
// installs docker.io and starts dockerd when none runs.
func needDocker(t *testing.T) {
	t.Helper()
	if out, err := exec.Command("docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput(); err != nil {
		t.Fatalf("this test needs a Docker engine, and none answers: %v\n%s\n"+
			"`make test` installs docker.io and starts dockerd when none runs", err, out)
	}
}

// goBuild builds a package of the module into out; static builds are
// for images FROM scratch.
func goBuild(t *testing.T, pkg, out string, static bool) {
	t.Helper()
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, pkg)
	cmd.Env = os.Environ()
	if static {
		cmd.Env = append(cmd.Env, "CGO_ENABLED=0")
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", pkg, err, b)
	}
}

// mixedStack copies fixtures/containers/mixed into a folder of its own
// with the binaries its images and processes need, and returns the
// folder and the environment `berth up` needs there.
func mixedStack(t *testing.T, bin, mark string) (dir string, env []string, gatewayPort int) {
	t.Helper()
	dir = t.TempDir()
	src := filepath.Join("..", "fixtures", "containers", "mixed")
	for _, f := range []string{"compose.yaml", "nginx.conf", "images/svc.Dockerfile", "images/demo.Dockerfile"} {
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	goBuild(t, "github.com/berth-dev/berth/fixtures/containers/svc", filepath.Join(dir, "images", "svc"), true)
	goBuild(t, "github.com/berth-dev/berth/fixtures/containers/demo", filepath.Join(dir, "images", "demo"), true)
	svcBin := filepath.Join(t.TempDir(), "svc")
	goBuild(t, "github.com/berth-dev/berth/fixtures/containers/svc", svcBin, false)
	gatewayPort, err := portcheck.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	env = append(os.Environ(), "XDG_CACHE_HOME="+t.TempDir(), "BERTH_BIN="+bin, "SVC_BIN="+svcBin, "MIXED_MARK="+mark,
		"MIXED_GATEWAY_PORT="+strconv.Itoa(gatewayPort))
	return dir, env, gatewayPort
}

// upRun is a `berth up` whose output the test reads: every line kept,
// the services' latest state texts followed.
type upRun struct {
	cmd *exec.Cmd

	mu      sync.Mutex
	lines   []string
	states  map[string]string
	changed chan struct{} // closed and replaced on every line
	ended   bool
}

func startUp(t *testing.T, bin, dir string, env []string, args ...string) *upRun {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"up"}, args...)...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	u := &upRun{cmd: cmd, states: map[string]string{}, changed: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			u.add(sc.Text())
		}
		u.mu.Lock()
		u.ended = true
		close(u.changed)
		u.mu.Unlock()
	}()
	return u
}

func (u *upRun) add(line string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.lines = append(u.lines, line)
	if who, text, ok := strings.Cut(line, " | "); ok && strings.TrimSpace(who) == "berth" {
		if name, state, ok := strings.Cut(text, ": "); ok && !strings.Contains(name, " ") {
			u.states[name] = state
		}
	}
	close(u.changed)
	u.changed = make(chan struct{})
}

func (u *upRun) output() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return strings.Join(u.lines, "\n")
}

// waitStates waits until ok holds for the services' latest states.
func (u *upRun) waitStates(t *testing.T, what string, timeout time.Duration, ok func(map[string]string) bool) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		u.mu.Lock()
		done, ended, ch := ok(u.states), u.ended, u.changed
		u.mu.Unlock()
		if done {
			return
		}
		if ended {
			t.Fatalf("berth up ended before %s:\n%s", what, u.output())
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("timed out waiting for %s:\n%s", what, u.output())
		}
	}
}

// allHealthy is a waitStates condition: every named service healthy.
func allHealthy(names ...string) func(map[string]string) bool {
	return func(states map[string]string) bool {
		for _, n := range names {
			if states[n] != "healthy" {
				return false
			}
		}
		return true
	}
}

// get fetches url and returns the status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// dockerPS lists containers as "name state" lines for a label filter.
func dockerPS(t *testing.T, label string) string {
	t.Helper()
	out, err := exec.Command("docker", "ps", "-a", "--format", "{{.Names}} {{.State}}", "--filter", "label="+label).CombinedOutput()
	if err != nil {
		t.Fatalf("docker ps: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

// The containers issue's "done when": a stack of two containers (images
// built FROM scratch through the engine) and two processes comes up
// healthy with `berth up`, the gateway routes to each where it runs (a
// container's published port, uwsgi over TCP to the demo service in a
// container), each is told where the others are, and Ctrl-C leaves no
// container and no process behind.
func TestUpMixedStack(t *testing.T) {
	needDocker(t)
	bin := buildBerth(t)
	b := make([]byte, 6)
	rand.Read(b)
	mark := hex.EncodeToString(b)
	project := "berth-mixed-" + mark
	dir, env, gatewayPort := mixedStack(t, bin, mark)
	u := startUp(t, bin, dir, env, "-p", project)
	defer func() {
		if u.cmd.ProcessState == nil {
			u.cmd.Process.Kill()
			u.cmd.Wait()
			exec.Command("sh", "-c", "docker rm -f $(docker ps -aq --filter label=com.docker.compose.project="+project+")").Run()
		}
	}()
	u.waitStates(t, "all four services healthy", 5*time.Minute, allHealthy("api", "web", "pages", "admin"))

	if ps := dockerPS(t, "com.docker.compose.project="+project); strings.Count(ps, "running") != 2 {
		t.Errorf("docker ps shows, for the project:\n%s\nwant api and web running", ps)
	}
	gw := fmt.Sprintf("http://127.0.0.1:%d", gatewayPort)
	for _, c := range []struct{ path, want string }{
		{"/api/", "hello from api"},
		{"/admin/", "hello from admin"},
		{"/web/x?y=1", `"service":"web","path":"/web/x"`},
		{"/pages/p", `"service":"pages","path":"/pages/p"`},
		// Addresses: a process reaches the container on its published
		// port; the container reaches a process through the host gateway.
		{"/admin/env/API_HOST", "127.0.0.1"},
		{"/api/env/ADMIN_HOST", "host.docker.internal"},
		{"/admin/call/API", "hello from api"},
		{"/api/call/ADMIN", "hello from admin"},
	} {
		code, body := get(t, gw+c.path)
		if code != 200 || !strings.Contains(body, c.want) {
			t.Errorf("GET %s: %d %q, want 200 with %q", c.path, code, body, c.want)
		}
	}
	// pages, admin and api's process (a container's processes are this
	// machine's too) carry the mark: none may be left after Ctrl-C.
	if n := len(marked("MARK=" + mark)); n < 3 {
		t.Errorf("%d processes carry the stack's mark, want pages, admin and api's", n)
	}

	u.cmd.Process.Signal(os.Interrupt)
	if err := u.cmd.Wait(); err != nil {
		t.Fatalf("berth up after Ctrl-C: %v\n%s", err, u.output())
	}
	if ps := dockerPS(t, "com.docker.compose.project="+project); ps != "" {
		t.Errorf("containers left after Ctrl-C:\n%s", ps)
	}
	if left := marked("MARK=" + mark); len(left) > 0 {
		t.Errorf("processes left after Ctrl-C: %v", left)
	}
	if out, _ := exec.Command("docker", "network", "ls", "-q", "--filter", "label=com.docker.compose.project="+project).Output(); len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("the project's network is left after Ctrl-C")
	}
}

// Without a Docker engine, a stack's process services run on while its
// container services say why they wait, and Ctrl-C still ends cleanly.
func TestUpWithoutDocker(t *testing.T) {
	bin := buildBerth(t)
	dir := t.TempDir()
	compose := `services:
  web:
    image: berth-test/never-pulled:latest
  local:
    command: ["sh", "-c", "echo local up; exec sleep 600"]
`
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "XDG_CACHE_HOME="+t.TempDir(), "DOCKER_HOST=unix://"+filepath.Join(dir, "no-docker.sock"))
	u := startUp(t, bin, dir, env)
	defer func() {
		if u.cmd.ProcessState == nil {
			u.cmd.Process.Kill()
			u.cmd.Wait()
		}
	}()
	u.waitStates(t, "local running and web waiting for the engine", time.Minute, func(states map[string]string) bool {
		return states["local"] == "running" && strings.HasPrefix(states["web"], "waiting (Docker engine not reachable")
	})
	u.cmd.Process.Signal(os.Interrupt)
	if err := u.cmd.Wait(); err != nil {
		t.Fatalf("berth up after Ctrl-C: %v\n%s", err, u.output())
	}
}
