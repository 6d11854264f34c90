//go:build linux

package gateway

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// dialUpstream fails as net.Dial does, with the same error text and the
// same answers from isTimeout (504 or 502) and errors.Is, and connects
// where it connects; it makes its own connection (and timeout) rather
// than falling back to net.Dial, which would pass the rest unnoticed.
func TestDialUpstreamLikeNetDial(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name       string
		addr       func(t *testing.T) Addr
		timeout    time.Duration
		ok         bool
		refused    bool // errors.Is(err, syscall.ECONNREFUSED)
		timeout504 bool
	}{
		{name: "tcp4 listening", addr: listening("tcp4", "127.0.0.1:0"), ok: true},
		{name: "tcp6 listening", addr: listening("tcp6", "[::1]:0"), ok: true},
		{name: "tcp4 mapped listening", addr: func(t *testing.T) Addr {
			a := listening("tcp4", "127.0.0.1:0")(t)
			a.Host = "::ffff:" + a.Host
			return a
		}, ok: true},
		{name: "unix listening", addr: func(t *testing.T) Addr {
			return listening("unix", filepath.Join(dir, "ok.sock"))(t)
		}, ok: true},
		{name: "tcp4 refused", addr: notListening(syscall.AF_INET), refused: true},
		{name: "tcp6 refused", addr: notListening(syscall.AF_INET6), refused: true},
		{name: "unix refused", addr: func(t *testing.T) Addr {
			path := filepath.Join(dir, "closed.sock")
			l, err := net.Listen("unix", path)
			if err != nil {
				t.Fatal(err)
			}
			l.(*net.UnixListener).SetUnlinkOnClose(false)
			l.Close()
			return Addr{Network: "unix", Path: path}
		}, refused: true},
		{name: "unix missing", addr: func(t *testing.T) Addr {
			return Addr{Network: "unix", Path: filepath.Join(dir, "missing.sock")}
		}},
		// A full unix backlog: net.Dial fails at once with EAGAIN, an
		// error whose Timeout() is true but which nginx counts an error
		// (502), as isTimeout does.
		{name: "unix backlog full", addr: fullUnix(filepath.Join(dir, "full.sock"))},
		{name: "tcp4 backlog full", addr: fullTCP(syscall.AF_INET), timeout: 200 * time.Millisecond, timeout504: true},
		{name: "tcp6 backlog full", addr: fullTCP(syscall.AF_INET6), timeout: 200 * time.Millisecond, timeout504: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.addr(t)
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			var errs []error
			for _, dial := range []struct {
				name string
				f    func(Addr, time.Duration) (net.Conn, error)
			}{{"net.Dial", dialNet}, {"dialUpstream", dialUpstream}} {
				start := time.Now()
				c, err := dial.f(a, timeout)
				took := time.Since(start)
				errs = append(errs, err)
				if c != nil {
					if _, raw := c.(*upstreamConn); raw != (dial.name == "dialUpstream") {
						t.Errorf("%s made a %T", dial.name, c)
					}
					c.Close()
				}
				if (err == nil) != tc.ok {
					t.Fatalf("%s: err = %v, want ok %v", dial.name, err, tc.ok)
				}
				if err == nil {
					continue
				}
				if got := isTimeout(err); got != tc.timeout504 {
					t.Errorf("%s: isTimeout(%v) = %v", dial.name, err, got)
				}
				if got := errors.Is(err, syscall.ECONNREFUSED); got != tc.refused {
					t.Errorf("%s: errors.Is(%v, ECONNREFUSED) = %v", dial.name, err, got)
				}
				var ne net.Error
				if !errors.As(err, &ne) {
					t.Errorf("%s: %v (%T) is not a net.Error", dial.name, err, err)
				}
				if tc.timeout > 0 {
					ip := netip.MustParseAddr(a.Host).Unmap()
					want := "dial tcp " + netip.AddrPortFrom(ip, uint16(a.Port)).String() + ": i/o timeout"
					if err.Error() != want {
						t.Errorf("%s: error %q, want %q", dial.name, err, want)
					}
					if dial.name == "dialUpstream" && !errors.Is(err, context.DeadlineExceeded) {
						t.Errorf("%s: %v is not context.DeadlineExceeded, as net's errTimeout is", dial.name, err)
					}
					if got := errors.As(err, new(dialTimeoutError)); got != (dial.name == "dialUpstream") {
						t.Errorf("%s: %v holds dialUpstream's timeout error: %v", dial.name, err, got)
					}
				}
				if tc.timeout > 0 && (took < tc.timeout || took > tc.timeout+2*time.Second) {
					t.Errorf("%s: timed out after %v, want %v", dial.name, took, tc.timeout)
				}
			}
			if nerr, uerr := errs[0], errs[1]; nerr != nil && uerr != nil && nerr.Error() != uerr.Error() {
				t.Errorf("dialUpstream's error %q, net.Dial's %q", uerr, nerr)
			}
		})
	}
}

// listening starts a listener for the test's length and returns its
// address.
func listening(network, address string) func(t *testing.T) Addr {
	return func(t *testing.T) Addr {
		l, err := net.Listen(network, address)
		if err != nil {
			t.Fatalf("no %s: %v", network, err)
		}
		acceptEach(t, l, func(c net.Conn) { c.Close() })
		return addrOf(t, l.Addr())
	}
}

func addrOf(t *testing.T, a net.Addr) Addr {
	switch a := a.(type) {
	case *net.TCPAddr:
		return Addr{Network: "tcp", Host: a.AddrPort().Addr().String(), Port: a.Port}
	case *net.UnixAddr:
		return Addr{Network: "unix", Path: a.Name}
	}
	t.Fatalf("address %v", a)
	return Addr{}
}

// loopback is a socket of family bound to the loopback address.
func loopback(t *testing.T, family int) (fd int, a Addr) {
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("no socket of family %d: %v", family, err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	var sa syscall.Sockaddr = &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}
	host := "127.0.0.1"
	if family == syscall.AF_INET6 {
		sa, host = &syscall.SockaddrInet6{Addr: [16]byte{15: 1}}, "::1"
	}
	if err := syscall.Bind(fd, sa); err != nil {
		t.Fatalf("cannot bind %s: %v", host, err)
	}
	sa, err = syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	port := 0
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		port = sa.Port
	case *syscall.SockaddrInet6:
		port = sa.Port
	}
	return fd, Addr{Network: "tcp", Host: host, Port: port}
}

// notListening is a bound port nobody listens on: connecting is refused,
// and the port stays taken for the test's length.
func notListening(family int) func(t *testing.T) Addr {
	return func(t *testing.T) Addr {
		_, a := loopback(t, family)
		return a
	}
}

// fullTCP is a listener with a backlog of 0 that never accepts, filled
// until a connection attempt times out: the kernel drops the SYNs of
// further ones, so they time out too.
func fullTCP(family int) func(t *testing.T) Addr {
	return func(t *testing.T) Addr {
		fd, a := loopback(t, family)
		if err := syscall.Listen(fd, 0); err != nil {
			t.Fatal(err)
		}
		for range 16 {
			c, err := dialNet(a, 100*time.Millisecond)
			if err != nil {
				if !isTimeout(err) {
					t.Fatal(err)
				}
				return a
			}
			t.Cleanup(func() { c.Close() })
		}
		t.Fatal("could not fill a listen backlog")
		return a
	}
}

// fullUnix is a unix socket listener with a full backlog: a non-blocking
// connect fails with EAGAIN.
func fullUnix(path string) func(t *testing.T) Addr {
	return func(t *testing.T) Addr {
		fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Close(fd) })
		if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: path}); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Listen(fd, 0); err != nil {
			t.Fatal(err)
		}
		a := Addr{Network: "unix", Path: path}
		for range 16 {
			c, err := dialNet(a, time.Second)
			if err != nil {
				if !errors.Is(err, syscall.EAGAIN) {
					t.Fatal(err)
				}
				return a
			}
			t.Cleanup(func() { c.Close() })
		}
		t.Fatal("could not fill a listen backlog")
		return a
	}
}

// Connections made one after another all connect at once: the wait for
// the handshake never misses a connection that completed before it began
// waiting (which would show as a dial that takes its whole timeout).
func TestDialUpstreamManyConnects(t *testing.T) {
	for _, network := range []string{"tcp4", "tcp6"} {
		address := "127.0.0.1:0"
		if network == "tcp6" {
			address = "[::1]:0"
		}
		t.Run(network, func(t *testing.T) {
			a := listening(network, address)(t)
			for i := range 300 {
				start := time.Now()
				c, err := dialUpstream(a, 10*time.Second)
				if err != nil {
					t.Fatalf("dial %d: %v", i, err)
				}
				c.Close()
				if took := time.Since(start); took > 2*time.Second {
					t.Fatalf("dial %d took %v", i, took)
				}
			}
		})
	}
}

// The connection dialUpstream returns behaves as a net.Conn: data both
// ways, CloseWrite, deadlines and their errors, addresses, Close; it sets
// TCP_NODELAY before its second write only; and io.Copy finds no
// ReadFrom or WriteTo on it.
func TestUpstreamConn(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ network, address string }{
		{"tcp4", "127.0.0.1:0"},
		{"tcp6", "[::1]:0"},
		{"unix", filepath.Join(dir, "conn.sock")},
	} {
		t.Run(tc.network, func(t *testing.T) {
			l, err := net.Listen(tc.network, tc.address)
			if err != nil {
				t.Fatalf("no %s: %v", tc.network, err)
			}
			defer l.Close()
			// The peer echoes what it reads until EOF, then says "bye".
			peerDone := make(chan error, 1)
			accepted := make(chan net.Conn, 1)
			go func() {
				s, err := l.Accept()
				if err != nil {
					peerDone <- err
					return
				}
				accepted <- s
				defer s.Close()
				if _, err := io.Copy(s, s); err != nil {
					peerDone <- err
					return
				}
				_, err = s.Write([]byte("bye"))
				peerDone <- err
			}()
			c, err := dialUpstream(addrOf(t, l.Addr()), 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			s := <-accepted
			if _, ok := c.(*upstreamConn); !ok {
				t.Fatalf("dialUpstream made a %T", c)
			}
			if _, ok := c.(io.ReaderFrom); ok {
				t.Error("the conn has ReadFrom")
			}
			if _, ok := c.(io.WriterTo); ok {
				t.Error("the conn has WriteTo")
			}
			if got, want := c.RemoteAddr().String(), l.Addr().String(); got != want {
				t.Errorf("RemoteAddr %s, want %s", got, want)
			}
			if got, want := c.LocalAddr().String(), s.RemoteAddr().String(); got != want {
				t.Errorf("LocalAddr %s, want %s", got, want)
			}
			tcp := tc.network != "unix"
			nodelay := func() int {
				var v int
				var gerr error
				c.(*upstreamConn).rc.Control(func(fd uintptr) {
					v, gerr = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_NODELAY)
				})
				if gerr != nil {
					t.Fatal(gerr)
				}
				return v
			}
			buf := make([]byte, 16)
			for i, msg := range []string{"one", "two", "three"} {
				if _, err := c.Write([]byte(msg)); err != nil {
					t.Fatal(err)
				}
				if tcp {
					if got, want := nodelay() != 0, i > 0; got != want {
						t.Errorf("after write %d: TCP_NODELAY %v, want %v", i+1, got, want)
					}
				}
				c.SetReadDeadline(time.Now().Add(5 * time.Second))
				n, err := io.ReadFull(c, buf[:len(msg)])
				if err != nil || string(buf[:n]) != msg {
					t.Fatalf("read %q, %v; want %q", buf[:n], err, msg)
				}
			}
			// A read past its deadline: net.Conn's timeout error.
			c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
			_, err = c.Read(buf)
			if !isTimeout(err) || !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("read past the deadline: %v", err)
			}
			prefix := tc.network
			if tcp {
				prefix = "tcp"
			}
			if want := "read " + prefix + " " + c.LocalAddr().String() + "->" + c.RemoteAddr().String() + ": i/o timeout"; err == nil || err.Error() != want {
				t.Errorf("read past the deadline: %v, want %s", err, want)
			}
			// The same error as a net.Conn's, word for word.
			nc, err := net.Dial(prefix, l.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			nc.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
			_, nerr := nc.Read(buf)
			nc.Close()
			if want := "read " + prefix + " " + nc.LocalAddr().String() + "->" + nc.RemoteAddr().String() + ": i/o timeout"; nerr == nil || nerr.Error() != want {
				t.Errorf("net.Conn's error changed: %v, this test expects %s", nerr, want)
			}
			c.SetDeadline(time.Time{})
			// CloseWrite: the peer sees EOF and can still answer.
			if err := c.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
				t.Fatal(err)
			}
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			rest, err := io.ReadAll(c)
			if err != nil || string(rest) != "bye" {
				t.Errorf("after CloseWrite: read %q, %v", rest, err)
			}
			if err := <-peerDone; err != nil {
				t.Error(err)
			}
			if _, err := c.Write([]byte("x")); err == nil {
				t.Error("write after CloseWrite succeeded")
			}
			if err := c.Close(); err != nil {
				t.Error(err)
			}
			if _, err := c.Read(buf); !errors.Is(err, net.ErrClosed) {
				t.Errorf("read after Close: %v", err)
			}
			if err := c.Close(); !errors.Is(err, net.ErrClosed) {
				t.Errorf("second Close: %v", err)
			}
			if err := c.SetDeadline(time.Now()); !errors.Is(err, net.ErrClosed) {
				t.Errorf("SetDeadline after Close: %v", err)
			}
		})
	}
}

// A read deadline reached while the read waits: the read returns then.
func TestUpstreamConnReadTimeoutWhileWaiting(t *testing.T) {
	a := listeningSilent(t)
	c, err := dialUpstream(a, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(100 * time.Millisecond))
	start := time.Now()
	_, err = c.Read(make([]byte, 1))
	if !isTimeout(err) {
		t.Fatalf("read: %v", err)
	}
	if took := time.Since(start); took < 90*time.Millisecond || took > 3*time.Second {
		t.Errorf("read timed out after %v", took)
	}
}

// listeningSilent is a TCP listener whose connections say nothing.
func listeningSilent(t *testing.T) Addr {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return Addr{Network: "tcp", Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port}
}

// Through the gateway, dialUpstream's failures answer as before: a refused
// connection 502, a connect timeout 504, a read timeout 504; a body sent
// after the head (the conn's second write) arrives; and an upgraded
// connection carries bytes both ways, the client's end of its stream
// passed on with CloseWrite.
func TestUpstreamConnThroughGateway(t *testing.T) {
	_, refused := loopback(t, syscall.AF_INET)
	full := fullTCP(syscall.AF_INET)(t)
	silent := listeningSilent(t)
	sock := filepath.Join(t.TempDir(), "up.sock")
	ul, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %d %s", r.Method, len(b), b[max(0, len(b)-3):])
	})}
	go srv.Serve(ul)
	defer srv.Close()
	upgrade := upgradingUpstream(t)
	fullSock := fullUnix(filepath.Join(t.TempDir(), "full.sock"))(t).Path
	_, addr := startGateway(t, fmt.Sprintf(`server { listen 80;
	location /refused/ { proxy_pass http://%s; }
	location /full/ { proxy_connect_timeout 300ms; proxy_pass http://%s; }
	location /silent/ { proxy_read_timeout 300ms; proxy_pass http://%s; }
	location /unix/ { proxy_pass http://unix:%s:/; }
	location /fullunix/ { proxy_pass http://unix:%s:/; }
	location /ws/ {
		proxy_pass http://%s;
		proxy_http_version 1.1;
		proxy_set_header Upgrade $http_upgrade;
		proxy_set_header Connection "upgrade";
	}
}`, refused, full, silent, sock, fullSock, upgrade))
	for _, tc := range []struct {
		method, path string
		body         string
		status       int
		want         string
	}{
		{"GET", "/refused/", "", 502, ""},
		{"GET", "/full/", "", 504, ""},
		{"GET", "/silent/", "", 504, ""},
		{"GET", "/unix/", "", 200, "GET 0"},
		// A unix socket's full backlog fails the connect at once with
		// EAGAIN, an error to nginx (ngx_event_connect_peer), not a
		// timeout: 502, though Go calls EAGAIN a timeout.
		{"GET", "/fullunix/", "", 502, ""},
		{"POST", "/unix/", strings.Repeat("x", 100<<10) + "end", 200, "POST 102403 end"},
	} {
		req, err := http.NewRequest(tc.method, "http://"+addr+tc.path, strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		if tc.method == "GET" {
			req.Body = nil
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.method, tc.path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || tc.want != "" && !strings.HasPrefix(string(b), tc.want) {
			t.Errorf("%s %s: %d %q, want %d %q", tc.method, tc.path, resp.StatusCode, b, tc.status, tc.want)
		}
	}
	http.DefaultClient.CloseIdleConnections()

	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "GET /ws/ HTTP/1.1\r\nHost: x\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	buf := make([]byte, 4)
	for _, msg := range []string{"ping", "pong"} {
		if _, err := c.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(br, buf); err != nil || string(buf) != msg {
			t.Fatalf("tunnel echoed %q, %v", buf, err)
		}
	}
	c.(*net.TCPConn).CloseWrite()
	rest, err := io.ReadAll(br)
	if err != nil || string(rest) != "bye" {
		t.Errorf("after the client's CloseWrite: %q, %v", rest, err)
	}
}

// upgradingUpstream answers one request with 101, then echoes until EOF
// and says "bye".
func upgradingUpstream(t *testing.T) string {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		br := bufio.NewReader(c)
		if _, err := http.ReadRequest(br); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n")
		io.Copy(c, br)
		io.WriteString(c, "bye")
	}()
	t.Cleanup(func() { l.Close(); <-done })
	return l.Addr().String()
}
