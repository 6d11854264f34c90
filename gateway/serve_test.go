package gateway

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/fixtures/echo"
)

func TestPlanListenersKeepsNginxGroupsApart(t *testing.T) {
	tbl := compileSnippet(t, `
server { listen 127.0.0.1:80; server_name a.test; }
server { listen 80; server_name b.test; }
server { listen 10.0.0.5:80; server_name c.test; }
server { listen [::]:80; server_name d.test; }
server { server_name e.test; }
server { listen 8081; }
`)
	var got []string
	for _, p := range planListeners(tbl, DefaultPortMap, false) {
		got = append(got, p.group.Socket()+" -> "+p.local.String())
	}
	want := []string{
		"127.0.0.1:80 -> 127.0.0.1:8080",
		"0.0.0.0:80 -> 127.0.0.2:8080", // 127.0.0.1 belongs to the explicit group
		"10.0.0.5:80 -> 127.0.0.3:8080",
		"[::]:80 -> [::1]:8080",
		"0.0.0.0:8081 -> 127.0.0.1:8081",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var public []string
	for _, p := range planListeners(tbl, func(p int) int { return p + 10000 }, true) {
		public = append(public, p.local.String())
	}
	if strings.Join(public, " ") != "127.0.0.1:10080 0.0.0.0:10080 10.0.0.5:10080 [::]:10080 0.0.0.0:18081" {
		t.Errorf("public plan: %v", public)
	}
}

func TestPortTakenNamesItsHolder(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	tbl := compileSnippet(t, "server { listen 80; }")
	g := NewGateway(tbl, ServeOptions{MapPort: func(int) int { return port }})
	err = g.Start()
	if err == nil {
		g.Shutdown(t.Context())
		t.Fatal("Start succeeded on a taken port")
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("port %d is taken by", port)) || !strings.Contains(err.Error(), "pid") {
		t.Errorf("error %q does not name the holder", err)
	}
}

// acceptEach calls serve with each connection ln accepts, in the accept
// loop's goroutine, until the test ends: then ln is closed and the loop
// waited for.
func acceptEach(t *testing.T, ln net.Listener, serve func(net.Conn)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			serve(c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
}

// startGateway serves src with its production ports on free local ones.
func startGateway(t *testing.T, src string) (*Gateway, string) {
	t.Helper()
	g := NewGateway(compileSnippet(t, src), ServeOptions{MapPort: func(int) int { return 0 }})
	if err := g.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Shutdown(context.Background()) })
	return g, g.Listeners()[0].Addr
}

func TestSwapKeepsRequestsInFlightAndDrains(t *testing.T) {
	slow := make(chan struct{})
	up := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-slow
		io.WriteString(w, "old")
	})}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go up.Serve(ln)
	defer up.Close()
	g, addr := startGateway(t, fmt.Sprintf("server { listen 80; location / { proxy_pass http://%s; } }", ln.Addr()))

	done := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/x")
		if err != nil {
			done <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- string(b)
	}()
	time.Sleep(100 * time.Millisecond) // the request is now waiting on the old upstream
	// Swap serves the new table at once, and returns only once the
	// request on the old one has finished: whatever the old table
	// routed to may be stopped then.
	swapped := make(chan struct{})
	newTable := compileSnippet(t, `server { listen 80; location / { return 200 "new"; } }`)
	go func() {
		g.Swap(newTable)
		close(swapped)
	}()
	for g.Table() != newTable {
		time.Sleep(time.Millisecond)
	}
	resp, err := http.Get("http://" + addr + "/x")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "new" {
		t.Errorf("after Swap: %q, want the new table's answer", b)
	}
	select {
	case <-swapped:
		t.Error("Swap returned with a request still in flight on the old table")
	default:
	}
	shut := make(chan error, 1)
	go func() { shut <- g.Shutdown(context.Background()) }()
	time.Sleep(50 * time.Millisecond)
	close(slow)
	if got := <-done; got != "old" {
		t.Errorf("request in flight: %q, want it finished by the old table", got)
	}
	<-swapped
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

func TestProxyPassSendsNginxRequest(t *testing.T) {
	up, err := echo.StartHTTP("tcp", "127.0.0.1:0", "b1")
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	_, addr := startGateway(t, fmt.Sprintf(`server { listen 80; location /s/ { proxy_pass http://%s/x/; } }`, up.Addr()))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /s/a%%20b?q=1 HTTP/1.1\r\nHost: example.test\r\nX_Under: 1\r\nX-Custom: 1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
	raw, _ := io.ReadAll(c)
	_, body, _ := strings.Cut(string(raw), "\r\n\r\n")
	rec, err := echo.ParseReceived([]byte(body))
	if err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	if rec.Proto != "HTTP/1.0" || rec.Target != "/x/a%20b?q=1" || rec.BodyLen != 5 {
		t.Errorf("upstream got %s %s body %d", rec.Proto, rec.Target, rec.BodyLen)
	}
	got := map[string]string{}
	for _, h := range rec.Headers {
		got[strings.ToLower(h[0])] = h[1]
	}
	if got["host"] != up.Addr() || got["connection"] != "close" || got["x-custom"] != "1" || got["content-length"] != "5" {
		t.Errorf("headers %v", rec.Headers)
	}
	if _, ok := got["x_under"]; ok {
		t.Errorf("X_Under forwarded; nginx drops headers with underscores")
	}
}

// A websocket tunnel, however long it stays open, does not hold a route
// change: the request stops counting once it has the connection.
func TestSwapDoesNotWaitForTunnels(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // the upstream: switches protocols, then holds the connection
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		bufio.NewReader(c).ReadString('\n')
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		io.Copy(io.Discard, c)
	}()
	g, addr := startGateway(t, fmt.Sprintf(`server { listen 80; location / { proxy_pass http://%s;
		proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade"; } }`, ln.Addr()))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
	status, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.Contains(status, "101") {
		t.Fatalf("upgrade: %q, %v", status, err)
	}
	begin := time.Now()
	g.Swap(compileSnippet(t, `server { listen 80; location / { return 200 "new"; } }`))
	if d := time.Since(begin); d >= drainLimit {
		t.Errorf("Swap waited %v for an open websocket", d)
	}
}
