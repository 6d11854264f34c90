//go:build linux

package gateway

import (
	"context"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

// dialUpstream connects to a peer within the connect timeout with about
// the system calls nginx makes (ngx_event_connect_peer): socket, connect,
// and once the poller reports the socket writable, one call to learn how
// the connect ended. Go's net.Dialer adds a setsockopt(TCP_NODELAY), a
// getpeername and a getsockname to every connection; with nginx's default
// of a new upstream connection per request, and on a machine where every
// system call is dear, they showed. os.NewFile puts the descriptor in Go's
// netpoller (at the price of one fcntl(F_GETFL) of its own), so reads,
// writes and deadlines work as on a net.Conn.
//
// Host names (and IPv6 zones) still go through net.Dialer, for Go's
// resolver and its fallbacks between addresses.
func dialUpstream(a Addr, timeout time.Duration) (net.Conn, error) {
	network, _ := a.Dial()
	if network == "unix" {
		return dialSocket(network, syscall.AF_UNIX, &syscall.SockaddrUnix{Name: a.Path},
			&net.UnixAddr{Name: a.Path, Net: "unix"}, timeout)
	}
	ip, err := netip.ParseAddr(a.Host)
	if err != nil || ip.Zone() != "" || a.Port <= 0 || a.Port > 65535 {
		return dialNet(a, timeout)
	}
	// Like net.Dial, an IPv4-mapped IPv6 address is dialled over IPv4.
	ip = ip.Unmap()
	raddr := &net.TCPAddr{IP: ip.AsSlice(), Port: a.Port}
	if ip.Is4() {
		return dialSocket(network, syscall.AF_INET, &syscall.SockaddrInet4{Port: a.Port, Addr: ip.As4()}, raddr, timeout)
	}
	return dialSocket(network, syscall.AF_INET6, &syscall.SockaddrInet6{Port: a.Port, Addr: ip.As16()}, raddr, timeout)
}

// dialSocket is dialUpstream's connect. Its errors read as net.Dial's
// (`dial tcp 127.0.0.1:9: connect: connection refused`, `dial tcp
// 127.0.0.1:9: i/o timeout`) and answer Timeout() and errors.Is as they do.
func dialSocket(network string, family int, sa syscall.Sockaddr, raddr net.Addr, timeout time.Duration) (net.Conn, error) {
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	dialError := func(err error) error { return &net.OpError{Op: "dial", Net: network, Addr: raddr, Err: err} }
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, dialError(os.NewSyscallError("socket", err))
	}
	connected := false
	switch err := syscall.Connect(fd, sa); err {
	case syscall.EINPROGRESS, syscall.EALREADY, syscall.EINTR:
	case nil, syscall.EISCONN:
		connected = true
	default:
		// Among them EAGAIN, a unix socket's full backlog: net.Dial
		// fails at once too, with the same error (whose Timeout() is
		// true, as syscall.Errno's is for EAGAIN).
		syscall.Close(fd)
		return nil, dialError(os.NewSyscallError("connect", err))
	}
	// The descriptor is non-blocking, so NewFile registers it with the
	// netpoller (and the File closes it from here on).
	f := os.NewFile(uintptr(fd), "upstream")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, dialError(err)
	}
	if !connected {
		if err := waitConnect(f, rc, sa, deadline); err != nil {
			f.Close()
			return nil, dialError(err)
		}
	}
	return &upstreamConn{f: f, rc: rc, network: network, raddr: raddr}, nil
}

// waitConnect waits, until deadline, for the poller to report the socket
// writable and then learns how the connect ended by calling connect again
// (on Linux it returns 0 once connected, EALREADY while the handshake is
// under way, or the error that ended it); that is one system call, as
// nginx's getsockopt(SO_ERROR) is, where Go's SO_ERROR of 0 then needs a
// getpeername to tell a connection from a spurious wakeup.
func waitConnect(f *os.File, rc syscall.RawConn, sa syscall.Sockaddr, deadline time.Time) error {
	if !deadline.IsZero() {
		if err := f.SetWriteDeadline(deadline); err != nil {
			return err
		}
		defer f.SetWriteDeadline(time.Time{})
	}
	var cerr error
	// RawConn.Write resets the poller's readiness before its first call
	// of the function, so a connection that completed before then has
	// no event left to wait for: every call, the first included, must
	// look rather than assume it has to wait.
	err := rc.Write(func(fd uintptr) bool {
		for {
			switch err := syscall.Connect(int(fd), sa); err {
			case syscall.EINTR:
				continue
			case syscall.EALREADY, syscall.EINPROGRESS:
				return false
			case nil, syscall.EISCONN:
				return true
			default:
				cerr = os.NewSyscallError("connect", err)
				return true
			}
		}
	})
	if err == os.ErrDeadlineExceeded {
		return errDialTimeout
	}
	if err != nil {
		return err
	}
	return cerr
}

// errDialTimeout is net's error for a dial past its deadline: "i/o
// timeout", a timeout, and context.DeadlineExceeded to errors.Is.
var errDialTimeout error = dialTimeoutError{}

type dialTimeoutError struct{}

func (dialTimeoutError) Error() string        { return "i/o timeout" }
func (dialTimeoutError) Timeout() bool        { return true }
func (dialTimeoutError) Temporary() bool      { return true }
func (dialTimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// upstreamConn is a connection dialUpstream made: a net.Conn over an
// *os.File with only what the gateway uses. It deliberately has no
// ReadFrom or WriteTo: io.Copy would find *os.File's, which try splice,
// sendfile and copy_file_range first, more system calls for nothing.
//
// It sets TCP_NODELAY only before a second write, as nginx sets it only
// where Nagle's algorithm could hold data back: a request whose body
// follows its head in separate writes, and upgraded connections. A lone
// write (a request without a body, a uwsgi packet with a small body) goes
// out at once anyway, as nothing is in flight before it.
type upstreamConn struct {
	f       *os.File
	rc      syscall.RawConn
	network string // "tcp" or "unix", as net.Dial names it
	raddr   net.Addr

	// writes counts Writes up to the second, before which a TCP
	// connection sets TCP_NODELAY.
	writes atomic.Uint32
}

func (c *upstreamConn) Read(p []byte) (int, error) {
	n, err := c.f.Read(p)
	if err != nil {
		err = c.opError("read", err)
	}
	return n, err
}

func (c *upstreamConn) Write(p []byte) (int, error) {
	if c.network == "tcp" && c.writes.Load() < 2 && c.writes.Add(1) == 2 {
		c.rc.Control(func(fd uintptr) {
			syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
		})
	}
	n, err := c.f.Write(p)
	if err != nil {
		err = c.opError("write", err)
	}
	return n, err
}

func (c *upstreamConn) Close() error {
	if err := c.f.Close(); err != nil {
		return c.opError("close", err)
	}
	return nil
}

// CloseWrite shuts the sending side down, as *net.TCPConn's does; the
// websocket tunnel passes the client's end of its stream on with it.
func (c *upstreamConn) CloseWrite() error {
	var serr error
	if err := c.rc.Control(func(fd uintptr) { serr = syscall.Shutdown(int(fd), syscall.SHUT_WR) }); err != nil {
		return c.opError("close", err)
	}
	if serr != nil {
		return c.opError("close", os.NewSyscallError("shutdown", serr))
	}
	return nil
}

func (c *upstreamConn) SetDeadline(t time.Time) error {
	return c.setError(c.f.SetDeadline(t))
}

func (c *upstreamConn) SetReadDeadline(t time.Time) error {
	return c.setError(c.f.SetReadDeadline(t))
}

func (c *upstreamConn) SetWriteDeadline(t time.Time) error {
	return c.setError(c.f.SetWriteDeadline(t))
}

func (c *upstreamConn) setError(err error) error {
	if err != nil {
		return c.opError("set", err)
	}
	return nil
}

func (c *upstreamConn) RemoteAddr() net.Addr { return c.raddr }

// LocalAddr asks the kernel (getsockname) each time: nothing in the
// gateway needs it but an error message, so no connection keeps it. It
// is nil once the connection is closed.
func (c *upstreamConn) LocalAddr() net.Addr {
	var sa syscall.Sockaddr
	var err error
	if cerr := c.rc.Control(func(fd uintptr) { sa, err = syscall.Getsockname(int(fd)) }); cerr != nil || err != nil {
		return nil
	}
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		return &net.TCPAddr{IP: sa.Addr[:], Port: sa.Port}
	case *syscall.SockaddrInet6:
		zone := ""
		if sa.ZoneId != 0 {
			zone = strconv.Itoa(int(sa.ZoneId))
			if ifi, err := net.InterfaceByIndex(int(sa.ZoneId)); err == nil {
				zone = ifi.Name
			}
		}
		return &net.TCPAddr{IP: sa.Addr[:], Port: sa.Port, Zone: zone}
	case *syscall.SockaddrUnix:
		return &net.UnixAddr{Name: sa.Name, Net: "unix"}
	}
	return nil
}

// opError makes an *os.File error what a net.Conn returns: an *OpError
// naming the connection, around os.SyscallError for a read's or write's
// errno, and net.ErrClosed for a closed connection. A read's io.EOF
// passes as it is.
func (c *upstreamConn) opError(op string, err error) error {
	if pe, ok := err.(*os.PathError); ok {
		err = pe.Err
	}
	if err == nil || op == "read" && err == io.EOF {
		return err
	}
	if e, ok := err.(syscall.Errno); ok && (op == "read" || op == "write") {
		err = os.NewSyscallError(op, e)
	} else if err == os.ErrClosed || err.Error() == "use of closed file" {
		// the second is internal/poll's ErrFileClosing, which the
		// deadline setters return unwrapped
		err = net.ErrClosed
	}
	return &net.OpError{Op: op, Net: c.network, Source: c.LocalAddr(), Addr: c.raddr, Err: err}
}
