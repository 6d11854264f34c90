package portcheck

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"
)

// dialTimeout bounds the look at a socket file: a live server answers a
// local connect at once.
const dialTimeout = time.Second

// CheckPort returns an *InUseError when a TCP port is taken. It binds the
// wildcard address (dual stack) and then the loopback one, since some
// systems let a wildcard bind share a port with a loopback listener. A
// bind that fails for another reason (a privileged port, say) is not ours
// to judge: the service will say.
func CheckPort(port int) error {
	// A process forked while a probe socket is open holds a copy of it
	// until it execs, and the next bind then fails although nobody
	// listens: probe with forks held off, and look again before saying
	// a port without a holder is taken.
	var err error
	for try := 0; try < 5; try++ {
		if err = probePort(port); err == nil {
			return nil
		}
		if ie, ok := err.(*InUseError); ok && ie.Holder != "" {
			return err
		}
		time.Sleep(5 * time.Millisecond)
	}
	return err
}

func probePort(port int) error {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	for _, host := range []string{"", "127.0.0.1"} {
		l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			if isAddrInUse(err) {
				return &InUseError{Port: port, Holder: Holder(port)}
			}
			continue
		}
		l.Close()
	}
	return nil
}

// CheckSocket returns an *InUseError when a process accepts on the unix
// socket at path. A socket file that refuses connections is left over
// from an earlier run and is removed, so the service can bind it; a file
// that is not a socket is not ours to remove and is an error.
func CheckSocket(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checking socket %s: %w", path, err)
	}
	if fi.Mode()&fs.ModeSocket == 0 {
		return fmt.Errorf("socket %s: a file that is not a socket is in the way", path)
	}
	c, err := net.DialTimeout("unix", path, dialTimeout)
	if err == nil {
		c.Close()
		return &InUseError{Socket: path, Holder: SocketHolder(path)}
	}
	if !isRefused(err) {
		return fmt.Errorf("checking socket %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the stale socket %s: %w", path, err)
	}
	return nil
}

// FreePort asks the kernel for a TCP port free right now on the loopback
// address. Another process may take it before it is bound.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
