package gateway

import (
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
