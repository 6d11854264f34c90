package gateway

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/gateway/uwsgi"
)

// An application that answers without reading the request body (a Django
// view that never looks at it) and closes: nginx has read a small body
// before it connects and sends it with the packet, so the answer reaches
// the client even when the client's body comes late. So must Berth's.
func TestUWSGISmallBodySentWithThePacket(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "app.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	served := make(chan struct{})
	go func() { // answers one request, then ends
		defer close(served)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		if _, err := uwsgi.ReadPacket(bufio.NewReader(c)); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nanswered")
	}()
	_, addr := startGateway(t, fmt.Sprintf("server { listen 80; location / { uwsgi_pass unix:%s; } }", sock))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST /form HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\nConnection: close\r\n\r\n")
	// The body comes later than the headers, as it may from any client.
	time.Sleep(100 * time.Millisecond)
	io.WriteString(c, "a=1&b=2")
	resp, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(resp), "HTTP/1.1 200") || !strings.Contains(string(resp), "\r\nanswered\r\n") {
		t.Errorf("response:\n%s", resp)
	}
	<-served
}
