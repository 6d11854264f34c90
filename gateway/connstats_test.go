package gateway

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// stub_status answers as Debian's nginx answered the same requests
// (curl against `location = /status { stub_status; }`): the counters of
// connections and requests, its own request writing; an idle
// keep-alive connection waiting.
func TestStubStatus(t *testing.T) {
	g, addr := startGateway(t, `server { listen 80;
		location = /status { stub_status; }
		location = /vars { return 200 "$connections_active $connections_reading $connections_writing $connections_waiting\n"; } }`)
	c1, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	br := bufio.NewReader(c1)
	get := func(path string) (string, string) {
		t.Helper()
		fmt.Fprintf(c1, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.Header.Get("Content-Type"), string(b)
	}
	ctype, body := get("/status")
	want := "Active connections: 1 \nserver accepts handled requests\n 1 1 1 \nReading: 0 Writing: 1 Waiting: 0 \n"
	if ctype != "text/plain" || body != want {
		t.Errorf("first request: %s %q, want text/plain %q", ctype, body, want)
	}
	if _, body = get("/vars"); body != "1 0 1 0\n" {
		t.Errorf("$connections_*: %q, want \"1 0 1 0\\n\"", body)
	}
	// A second connection sees the first one waiting, once net/http
	// has marked it idle after its answer.
	for deadline := time.Now().Add(10 * time.Second); g.conns.counts().waiting != 1 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	c2 := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c2.Get("http://" + addr + "/status")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := "Active connections: 2 \nserver accepts handled requests\n 2 2 3 \nReading: 0 Writing: 1 Waiting: 1 \n"; string(b) != want {
		t.Errorf("from a second connection: %q, want %q", b, want)
	}
	resp, err = http.Post("http://"+addr+"/status", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Errorf("POST /status: %d, want 405", resp.StatusCode)
	}
}

// The counters through a connection's life, as nginx keeps them: a new
// connection waits, an idle one waits, a tunnel stays active until it
// ends.
func TestConnStatsTrack(t *testing.T) {
	var s connStats
	a, b := &net.TCPConn{}, &net.UnixConn{}
	want := func(step string, active, waiting int64) {
		t.Helper()
		if n := s.counts(); n.active != active || n.waiting != waiting {
			t.Errorf("%s: active %d waiting %d, want %d and %d", step, n.active, n.waiting, active, waiting)
		}
	}
	s.track(a, http.StateNew)
	s.track(b, http.StateNew)
	want("two new", 2, 2)
	s.track(a, http.StateActive)
	want("a request on a", 2, 1)
	s.track(a, http.StateIdle)
	want("a idle again", 2, 2)
	s.track(b, http.StateActive)
	s.track(b, http.StateHijacked)
	want("b a tunnel", 2, 1)
	s.tunnelClosed(b)
	want("the tunnel ended", 1, 1)
	s.track(a, http.StateClosed)
	want("a closed", 0, 0)
}
