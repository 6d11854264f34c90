package gateway

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/fixtures/echo"
)

// A client that stops sending its body is cut off after
// client_body_timeout with no answer, as nginx cuts it off, and the peer
// its body was going to is not blamed: both peers still take requests.
func TestStalledBodyClosesWithoutBlamingThePeer(t *testing.T) {
	a, err := echo.StartHTTP("tcp", "127.0.0.1:0", "a")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := echo.StartHTTP("tcp", "127.0.0.1:0", "b")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	_, addr := startGateway(t, fmt.Sprintf(`upstream pool { server %s max_fails=1 fail_timeout=60s; server %s max_fails=1 fail_timeout=60s; }
		server { listen 80; client_body_timeout 1s; location / { proxy_pass http://pool; } }`, a.Addr(), b.Addr()))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprint(c, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	got, err := io.ReadAll(c)
	if len(got) != 0 || err != nil {
		t.Fatalf("after a stalled body: %q, %v; want the connection closed without an answer", got, err)
	}
	seen := map[string]bool{}
	for range 2 {
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		seen[resp.Header.Get("X-Echo-Upstream")] = true
	}
	if !seen["a"] || !seen["b"] {
		t.Errorf("after the stalled body, requests reached %v; want both peers", seen)
	}
}

// A client that stops reading a long answer is cut off after
// send_timeout, instead of holding the request for ever.
func TestClientThatStopsReadingIsCutOff(t *testing.T) {
	dir := t.TempDir()
	const size = 64 << 20 // far more than the sockets' buffers
	if err := os.WriteFile(filepath.Join(dir, "big.bin"), make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
	_, addr := startGateway(t, fmt.Sprintf(`server { listen 80; send_timeout 1s; root %s; }`, dir))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprint(c, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(3 * time.Second) // not reading, for longer than send_timeout
	c.SetReadDeadline(time.Now().Add(60 * time.Second))
	got, err := io.Copy(io.Discard, c)
	if err != nil || got >= size {
		t.Errorf("read %d bytes (%v); want the answer cut off short of %d and the connection closed", got, err, size)
	}
}

// keepalive_requests ends a client connection with its Nth answer, as
// nginx ends it.
func TestKeepaliveRequestsEndsTheConnection(t *testing.T) {
	_, addr := startGateway(t, `server { listen 80; keepalive_requests 2; location / { return 200 "ok\n"; } }`)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprint(c, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(got), "HTTP/1.1 200"); n != 2 || !strings.Contains(string(got), "Connection: close") {
		t.Errorf("%d answers on one connection:\n%s\nwant 2, the second with Connection: close", n, got)
	}
}

// A client that leaves in the middle of an answer is no failure of the
// peer that was sending it: both peers keep taking requests, as nginx
// frees the peer without counting one once the answer has begun.
func TestClientLeavingMidAnswerDoesNotBlameThePeer(t *testing.T) {
	big := strings.Repeat("x", 32<<20) // more than the sockets hold
	var peers [2]*http.Server
	addrs := make([]string, 2)
	for i := range peers {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		name := string(rune('a' + i))
		peers[i] = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Peer", name)
			if r.URL.Path == "/big" {
				io.WriteString(w, big)
			}
		})}
		go peers[i].Serve(ln)
		defer peers[i].Close()
		addrs[i] = ln.Addr().String()
	}
	_, addr := startGateway(t, fmt.Sprintf(`upstream two { server %s max_fails=1 fail_timeout=60s; server %s max_fails=1 fail_timeout=60s; }
		server { listen 80; location / { proxy_pass http://two; } }`, addrs[0], addrs[1]))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(c, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
	io.ReadFull(c, make([]byte, 64<<10))
	c.(*net.TCPConn).SetLinger(0)
	c.Close() // gone, with most of the answer unsent
	seen := map[string]bool{}
	for range 4 {
		resp, err := http.Get("http://" + addr + "/small")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		seen[resp.Header.Get("X-Peer")] = true
	}
	if !seen["a"] || !seen["b"] {
		t.Errorf("after a client left mid-answer, requests reached %v; want both peers", seen)
	}
}

// return answers while a chunked body is still coming, as nginx answers
// after dropping what has arrived.
func TestReturnAnswersBeforeTheBodyEnds(t *testing.T) {
	_, addr := startGateway(t, `server { listen 80; location / { return 200 "ok\n"; } }`)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprint(c, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n") // and no end yet
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer while the body was unfinished: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d, want 200", resp.StatusCode)
	}
}

// keepalive_timeout is the location's: 0 in the default server closes
// its connections, not those of another server on the same socket.
func TestKeepaliveTimeoutZeroIsPerServer(t *testing.T) {
	_, addr := startGateway(t, `server { listen 80 default_server; keepalive_timeout 0; return 200 "a\n"; }
		server { listen 80; server_name b.test; return 200 "b\n"; }`)
	for host, wantClose := range map[string]bool{"a.test": true, "b.test": false} {
		req, _ := http.NewRequest("GET", "http://"+addr+"/", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.Close != wantClose {
			t.Errorf("%s: connection closes %v, want %v", host, resp.Close, wantClose)
		}
	}
}
