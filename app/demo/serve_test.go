package demo

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/fixtures"
)

// checkAnswers sends the same requests to a running service and checks
// the JSON, the counter going up by one per request, and one log line
// each. Probing connections (connect, close) count for nothing.
func checkAnswers(t *testing.T, network, addr string, log *fixtures.LockedBuffer) {
	t.Helper()
	// A health probe: connects and closes without a request.
	if c, err := net.Dial(network, addr); err == nil {
		c.Close()
	} else {
		t.Fatal(err)
	}
	cases := []struct {
		req  request
		want Reply
	}{
		{request{method: "GET", uri: "/api/service1/", path: "/api/service1/"},
			Reply{Service: "service1", Path: "/api/service1/", RequestURI: "/api/service1/", Count: 1}},
		{request{method: "GET", uri: "/api/service1/a%20b?x=1&y=%20", path: "/api/service1/a b", query: "x=1&y=%20"},
			Reply{Service: "service1", Path: "/api/service1/a b", RequestURI: "/api/service1/a%20b?x=1&y=%20", Query: "x=1&y=%20", Count: 2}},
		{request{method: "POST", uri: "/api/service1/form?<&>", path: "/api/service1/form", query: "<&>", body: "a=1&b=two%203"},
			Reply{Service: "service1", Path: "/api/service1/form", RequestURI: "/api/service1/form?<&>", Query: "<&>", Count: 3}},
	}
	for _, tc := range cases {
		status, ctype, body := ask(t, network, addr, tc.req)
		if status != 200 || ctype != "application/json" {
			t.Errorf("%s %s: status %d, Content-Type %q", tc.req.method, tc.req.uri, status, ctype)
		}
		if got := decode(t, body); got != tc.want {
			t.Errorf("%s %s:\n got %+v\nwant %+v", tc.req.method, tc.req.uri, got, tc.want)
		}
	}
	// HEAD: the head says how long the body would be, and no body follows.
	status, _, body := ask(t, network, addr, request{method: "HEAD", uri: "/x", path: "/x"})
	if status != 200 || len(body) != 0 {
		t.Errorf("HEAD: status %d, %d body bytes", status, len(body))
	}
	waitFor(t, "four request lines in the log", func() bool { return strings.Count(log.String(), " -> 200 ") == 4 })
	for _, want := range []string{
		"GET /api/service1/ -> 200 (request 1)\n",
		"GET /api/service1/a%20b?x=1&y=%20 -> 200 (request 2)\n",
		"POST /api/service1/form?<&> -> 200 (request 3)\n",
		"HEAD /x -> 200 (request 4)\n",
	} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

func TestServeUnix(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "service1.sock")
	log := &fixtures.LockedBuffer{}
	stop := startServe(t, func(ctx context.Context) error { return Serve(ctx, "service1", sock, log) })
	waitFor(t, "the listening line", func() bool { return strings.Contains(log.String(), "service1 listening on unix:"+sock+"\n") })
	checkAnswers(t, "unix", sock, log)
	if err := stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if _, err := os.Lstat(sock); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("socket left behind after Serve returned: %v", err)
	}
	if strings.Contains(log.String(), "bad request") {
		t.Errorf("the probe was logged as a bad request:\n%s", log)
	}
}

func TestServeTCP(t *testing.T) {
	log := &fixtures.LockedBuffer{}
	startServe(t, func(ctx context.Context) error { return ServeTCP(ctx, "service1", "127.0.0.1:0", log) })
	listening := regexp.MustCompile(`service1 listening on (127\.0\.0\.1:\d+)\n`)
	waitFor(t, "the listening line", func() bool { return listening.MatchString(log.String()) })
	addr := listening.FindStringSubmatch(log.String())[1]
	checkAnswers(t, "tcp", addr, log)
}

func TestServeTCPAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = ServeTCP(t.Context(), "service1", ln.Addr().String(), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "demo service service1:") {
		t.Fatalf("ServeTCP on a taken port: %v", err)
	}
}

// TestStopEndsEverything cancels while a connection idles and another has
// sent its request: the request is answered, the idle one is closed
// within drainTime, the socket is removed, and no goroutine is left (the
// goleak check in TestMain).
func TestStopEndsEverything(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s.sock")
	log := &fixtures.LockedBuffer{}
	stop := startServe(t, func(ctx context.Context) error { return Serve(ctx, "s", sock, log) })
	waitAccepting(t, "the socket", sock)

	idle, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	status, _, _ := ask(t, "unix", sock, request{method: "GET", uri: "/", path: "/"})
	if status != 200 {
		t.Fatalf("status %d", status)
	}

	start := time.Now()
	if err := stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if took := time.Since(start); took > drainTime+2*time.Second {
		t.Errorf("stopping took %s with an idle connection; want about %s", took, drainTime)
	}
	idle.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := idle.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("idle connection after stop: read %d bytes, %v; want EOF", n, err)
	}
	if _, err := os.Lstat(sock); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("socket left behind: %v", err)
	}
	if _, err := net.Dial("unix", sock); err == nil {
		t.Error("still accepting after stop")
	}
}

// TestDrainAnswersSentRequest stops the service right after a client
// has sent its request: the request is answered before Serve returns.
func TestDrainAnswersSentRequest(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s.sock")
	stop := startServe(t, func(ctx context.Context) error { return Serve(ctx, "s", sock, io.Discard) })
	waitAccepting(t, "the socket", sock)
	c := send(t, "unix", sock, request{method: "GET", uri: "/late", path: "/late"})
	defer c.Close()
	if err := stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if status, _, body := answer(t, c, "GET"); status != 200 || decode(t, body).Path != "/late" {
		t.Fatalf("a request sent as the service stopped got %d %s", status, body)
	}
}

func TestStaleSocketRemoved(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s.sock")
	// What a killed server leaves: the file, and nothing answering on it.
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	if _, err := os.Lstat(sock); err != nil {
		t.Fatalf("setting up the stale socket: %v", err)
	}
	log := &fixtures.LockedBuffer{}
	startServe(t, func(ctx context.Context) error { return Serve(ctx, "s", sock, log) })
	waitFor(t, "the listening line", func() bool { return strings.Contains(log.String(), "listening") })
	if status, _, _ := ask(t, "unix", sock, request{method: "GET", uri: "/", path: "/"}); status != 200 {
		t.Fatalf("status %d", status)
	}
}

func TestSocketNotTaken(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "live.sock")
	ln, err := net.Listen("unix", live)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{})
	go func() { // answers the liveness dial
		defer close(accepted)
		if c, err := ln.Accept(); err == nil {
			c.Close()
		}
	}()
	err = Serve(t.Context(), "s", live, io.Discard)
	<-accepted
	if err == nil || !strings.Contains(err.Error(), "another server is listening") {
		t.Errorf("Serve on a live socket: %v", err)
	}

	file := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(file, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = Serve(t.Context(), "s", file, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "is not a socket") {
		t.Errorf("Serve on a regular file: %v", err)
	}
	if b, _ := os.ReadFile(file); string(b) != "mine" {
		t.Errorf("the regular file was touched: %q", b)
	}
}

// TestReplacedSocketKept: a newer server that took over the path keeps
// its socket when the old one stops.
func TestReplacedSocketKept(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s.sock")
	stop := startServe(t, func(ctx context.Context) error { return Serve(ctx, "old", sock, io.Discard) })
	waitAccepting(t, "the socket", sock)
	if err := os.Remove(sock); err != nil {
		t.Fatal(err)
	}
	log := &fixtures.LockedBuffer{}
	startServe(t, func(ctx context.Context) error { return Serve(ctx, "new", sock, log) })
	waitFor(t, "the new listening line", func() bool { return strings.Contains(log.String(), "listening") })
	stop()
	_, _, body := ask(t, "unix", sock, request{method: "GET", uri: "/", path: "/"})
	if got := decode(t, body).Service; got != "new" {
		t.Errorf("after the old server stopped, %q answers; want new", got)
	}
}

// TestConcurrentCount: requests on many connections at once are each
// answered, and the counter hands out every number exactly once.
func TestConcurrentCount(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s.sock")
	startServe(t, func(ctx context.Context) error { return Serve(ctx, "s", sock, io.Discard) })
	waitAccepting(t, "the socket", sock)
	const n = 64
	conns := make([]net.Conn, n)
	for i := range conns {
		conns[i] = send(t, "unix", sock, request{method: "GET", uri: "/", path: "/"})
		defer conns[i].Close()
	}
	seen := map[int64]bool{}
	for _, c := range conns {
		_, _, body := answer(t, c, "GET")
		seen[decode(t, body).Count] = true
	}
	for i := int64(1); i <= n; i++ {
		if !seen[i] {
			t.Errorf("no answer had count %d", i)
		}
	}
}
