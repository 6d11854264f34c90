package uwsgi

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const nginxBin = "/usr/sbin/nginx"

// TestResponseHeadMatchesNginx replays every responseCases head through
// real nginx (uwsgi_pass to a fake upstream that answers those bytes) and
// checks that nginx's status agrees with ReadResponseHead (502 where it
// errs), and that the headers nginx passes on are ours, in order, in case.
func TestResponseHeadMatchesNginx(t *testing.T) {
	dir := t.TempDir()
	upstream := filepath.Join(dir, "up.sock")
	var answers []string
	for _, tc := range responseCases {
		answers = append(answers, tc.in)
	}
	startCannedUpstream(t, upstream, answers)
	front := startNginx(t, dir, upstream)

	for i, tc := range responseCases {
		t.Run(tc.name, func(t *testing.T) {
			status, headers := getThroughNginx(t, front, "/", i)
			if tc.wantErr != nil {
				if status != 502 {
					t.Errorf("nginx answered %d, we say %v; want 502", status, tc.wantErr)
				}
				return
			}
			if status != tc.want.Status {
				t.Errorf("nginx status %d, ours %d", status, tc.want.Status)
			}
			if got, want := passed(headers), passed(tc.want.Headers); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("headers differ\nnginx %q\nours  %q", got, want)
			}
		})
	}
}

// TestHeadLimitMatchesNginx checks ReadResponseHeadLimit against nginx's
// uwsgi_buffer_size: a head that exactly fills the buffer passes, one byte
// more is a 502.
func TestHeadLimitMatchesNginx(t *testing.T) {
	const bufferSize = 4096 // the /small/ location's uwsgi_buffer_size
	dir := t.TempDir()
	upstream := filepath.Join(dir, "up.sock")
	head := func(size int) string {
		start, end := "HTTP/1.1 200 OK\r\nX-Pad: ", "\r\n\r\n"
		return start + strings.Repeat("p", size-len(start)-len(end)) + end + "body"
	}
	sizes := []int{bufferSize - 1, bufferSize, bufferSize + 1, 2 * bufferSize}
	var answers []string
	for _, n := range sizes {
		answers = append(answers, head(n))
	}
	startCannedUpstream(t, upstream, answers)
	front := startNginx(t, dir, upstream)

	for i, n := range sizes {
		status, _ := getThroughNginx(t, front, "/small/", i)
		_, err := ReadResponseHeadLimit(bufio.NewReader(strings.NewReader(answers[i])), bufferSize)
		switch {
		case (err == nil) != (n <= bufferSize):
			t.Errorf("head of %d bytes with a %d cap: err %v", n, bufferSize, err)
		case err == nil && status != 200, err != nil && status != 502:
			t.Errorf("head of %d bytes: nginx %d, ours %v", n, status, err)
		case err != nil && !errors.Is(err, ErrHeadTooBig):
			t.Errorf("head of %d bytes: %v", n, err)
		}
	}
}

// passed drops the headers nginx adds, replaces or consumes itself, leaving
// those it copies through from the upstream.
func passed(hs []Header) []Header {
	var out []Header
	for _, h := range hs {
		switch strings.ToLower(h.Name) {
		case "server", "date", "connection", "content-length", "content-type",
			"transfer-encoding", "location", "status":
			continue
		}
		out = append(out, h)
	}
	return out
}

// startCannedUpstream listens on a unix socket and answers each uwsgi
// request with the raw bytes of answers[HTTP_X_CASE], then closes, as
// uWSGI does. It stops when the test ends.
func startCannedUpstream(t *testing.T, path string, answers []string) {
	t.Helper()
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				p, err := ReadPacket(bufio.NewReader(c))
				if err != nil {
					return
				}
				v, _ := p.Lookup("HTTP_X_CASE")
				i, err := strconv.Atoi(v)
				if err != nil || i < 0 || i >= len(answers) {
					return
				}
				c.Write([]byte(answers[i]))
			})
		}
	})
}

// startNginx runs nginx in the foreground, single process, listening on a
// unix socket in dir and passing everything to upstream, with a 4k
// uwsgi_buffer_size under /small/. It is stopped when the test ends.
func startNginx(t *testing.T, dir, upstream string) string {
	t.Helper()
	if _, err := os.Stat(nginxBin); err != nil {
		t.Fatalf("%s is needed (run make test, it installs nginx): %v", nginxBin, err)
	}
	front := filepath.Join(dir, "front.sock")
	conf := fmt.Sprintf(`daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events {}
http {
    access_log off;
    client_body_temp_path %[1]s/tmp;
    proxy_temp_path %[1]s/tmp;
    fastcgi_temp_path %[1]s/tmp;
    uwsgi_temp_path %[1]s/tmp;
    scgi_temp_path %[1]s/tmp;
    server {
        listen unix:%[2]s;
        location / { uwsgi_pass unix:%[3]s; }
        location /small/ { uwsgi_pass unix:%[3]s; uwsgi_buffer_size 4k; }
    }
}
`, dir, front, upstream)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nginxBin, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", confPath)
	out := startLogged(t, cmd, filepath.Join(dir, "nginx.out"))
	waitForSocket(t, front, func() (string, bool) {
		text, exited := out()
		log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
		return text + string(log), exited
	})
	return front
}

// startLogged starts cmd with its output going to logPath, and ends it when
// the test ends: SIGTERM (nginx exits at once, uWSGI with --die-on-term),
// then SIGKILL after 5 seconds. The returned func gives the output so far
// and whether the process has exited.
func startLogged(t *testing.T, cmd *exec.Cmd, logPath string) func() (string, bool) {
	t.Helper()
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close() // the child keeps its own copy
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", cmd.Path, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	return func() (string, bool) {
		text, _ := os.ReadFile(logPath)
		select {
		case <-exited:
			return string(text), true
		default:
			return string(text), false
		}
	}
}

// waitForSocket waits until something accepts on the unix socket path, and
// fails the test, with the server's output, if it exits first or takes
// over 10 seconds.
func waitForSocket(t *testing.T, path string, output func() (string, bool)) {
	t.Helper()
	ctx := t.Context()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for {
		if c, err := net.Dial("unix", path); err == nil {
			c.Close()
			return
		}
		if text, exited := output(); exited {
			t.Fatalf("server exited before listening on %s:\n%s", path, text)
		}
		select {
		case <-deadline:
			text, _ := output()
			t.Fatalf("nothing listening on %s after 10s:\n%s", path, text)
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-tick.C:
		}
	}
}

// getThroughNginx asks nginx for path with answer i and returns the status
// and headers nginx answered with.
func getThroughNginx(t *testing.T, front, path string, i int) (int, []Header) {
	t.Helper()
	c, err := net.Dial("unix", front)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.0\r\nHost: t\r\nX-Case: %d\r\n\r\n", path, i)
	r := bufio.NewReader(c)
	// nginx writes "HTTP/1.1 " and then the upstream's status text as is,
	// which need not parse as a status line ("200abc"): take the code from
	// the fixed position, then read the rest as CGI-style headers.
	line, err := r.ReadString('\n')
	if err != nil || len(line) < 12 || !strings.HasPrefix(line, "HTTP/1.1 ") {
		t.Fatalf("nginx status line %q: %v", line, err)
	}
	status, err := strconv.Atoi(line[9:12])
	if err != nil {
		t.Fatalf("nginx status line %q: %v", line, err)
	}
	head, err := ReadResponseHead(r)
	if err != nil {
		t.Fatalf("reading nginx's headers: %v", err)
	}
	return status, head.Headers
}
