package demo

import (
	"bytes"
	"debug/elf"
	"errors"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/fixtures"
)

func TestMainCommandLine(t *testing.T) {
	cases := []struct {
		name     string
		args     []string
		env      map[string]string
		wantCode int
		wantErr  string
	}{
		{"no name", []string{"--socket", "/tmp/x.sock"}, nil, 2, "--name is required"},
		{"both", []string{"--name", "a", "--socket", "/tmp/x.sock", "--listen", ":1"}, nil, 2, "not both"},
		{"nowhere", []string{"--name", "a"}, nil, 2, "nowhere to listen"},
		{"extra", []string{"--name", "a", "--socket", "/tmp/x.sock", "more"}, nil, 2, "unexpected arguments"},
		{"unknown flag", []string{"--nmae", "a"}, nil, 2, "flag provided but not defined: -nmae"},
		{"help", []string{"-h"}, nil, 0, "usage: berth demo-service --name NAME"},
		{"bad listen", []string{"--name", "a", "--listen", "nonsense"}, nil, 1, "demo service a:"},
		{"bad PORT", []string{"--name", "a"}, map[string]string{"PORT": "x"}, 1, "demo service a:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("BERTH_SOCKET", "")
			t.Setenv("PORT", "")
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			if code := Main(tc.args, &stdout, &stderr); code != tc.wantCode {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.wantCode, &stderr)
			}
			if !strings.Contains(stderr.String(), tc.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tc.wantErr, &stderr)
			}
		})
	}
}

// TestWhere covers where the service listens by default: $BERTH_SOCKET,
// else :$PORT, flags first.
func TestWhere(t *testing.T) {
	cases := []struct {
		socket, listen, envSocket, envPort string
		wantNet, wantAddr                  string
	}{
		{"/s.sock", "", "/env.sock", "9", "unix", "/s.sock"},
		{"", "127.0.0.1:7", "/env.sock", "9", "tcp", "127.0.0.1:7"},
		{"", "", "/env.sock", "9", "unix", "/env.sock"},
		{"", "", "", "9", "tcp", ":9"},
	}
	for _, tc := range cases {
		t.Setenv("BERTH_SOCKET", tc.envSocket)
		t.Setenv("PORT", tc.envPort)
		network, addr, err := where("a", tc.socket, tc.listen, 0)
		if err != nil || network != tc.wantNet || addr != tc.wantAddr {
			t.Errorf("%+v: %s %s %v", tc, network, addr, err)
		}
	}
}

// buildStatic builds fixtures/containers/demo with CGO_ENABLED=0, as the
// container tests' FROM scratch image needs it.
func buildStatic(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the static demo service: %v", err)
	}
	out := filepath.Join(t.TempDir(), "demo")
	cmd := exec.Command(goBin, "build", "-o", out, "../../fixtures/containers/demo")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return out
}

// TestStaticBinary builds the demo service alone, checks that it is
// statically linked (no program interpreter, no shared libraries), and
// runs it: on a socket from $BERTH_SOCKET and on TCP from $PORT, answering
// and exiting 0 on SIGTERM, the socket removed.
func TestStaticBinary(t *testing.T) {
	bin := buildStatic(t)
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s has a program interpreter: dynamically linked", bin)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("%s needs shared libraries %q", bin, libs)
	}
	f.Close()

	sock := filepath.Join(t.TempDir(), "service2.sock")
	runBinary(t, bin, []string{"BERTH_SOCKET=" + sock}, "unix", sock)
	if _, err := os.Lstat(sock); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("socket left behind after SIGTERM: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	runBinary(t, bin, []string{"PORT=" + strconv.Itoa(port)}, "tcp", "127.0.0.1:"+strconv.Itoa(port))
}

// runBinary runs the demo service as service2 with env, asks it one
// request at network/addr, then stops it with SIGTERM and expects exit 0.
func runBinary(t *testing.T, bin string, env []string, network, addr string) {
	t.Helper()
	cmd := exec.Command(bin, "--name", "service2")
	cmd.Env = append([]string{"PATH=/usr/bin:/bin"}, env...)
	var stdout, stderr fixtures.LockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cmd.Process.Kill()
		<-exited
	}()
	waitFor(t, "the service to listen", func() bool {
		c, err := net.Dial(network, addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	_, _, body := ask(t, network, addr, request{method: "GET", uri: "/api/service2/?q=1", path: "/api/service2/", query: "q=1"})
	want := Reply{Service: "service2", Path: "/api/service2/", RequestURI: "/api/service2/?q=1", Query: "q=1", Count: 1}
	if got := decode(t, body); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		exited <- err // for the deferred wait
		if err != nil {
			t.Errorf("after SIGTERM: %v; stderr:\n%s", err, &stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("still running 10s after SIGTERM")
	}
	if !strings.Contains(stdout.String(), "GET /api/service2/?q=1 -> 200 (request 1)") {
		t.Errorf("stdout lacks the request line:\n%s", &stdout)
	}
}
