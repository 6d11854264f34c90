package proc

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/berth-dev/berth/engine/portcheck"
)

// InUseError says which port or socket a service needs is taken, and by
// which process where the system tells ("nginx (pid 1234)").
type InUseError struct {
	Port   int    // 0 for a socket
	Socket string // "" for a port
	Holder string // "" when unknown
}

func (e *InUseError) Error() string {
	what := "port " + strconv.Itoa(e.Port)
	if e.Socket != "" {
		what = "socket " + e.Socket
	}
	if e.Holder == "" {
		return what + " is already in use"
	}
	return what + " is already in use by " + e.Holder
}

// Unwrap makes errors.Is(err, portcheck.ErrInUse) hold.
func (e *InUseError) Unwrap() error { return portcheck.ErrInUse }

// dialTimeout bounds the look at a socket file: a live server answers a
// local connect at once.
const dialTimeout = 500 * time.Millisecond

// CheckFree is the port pre-flight: an *InUseError when port (if not 0)
// or socket (if not "") is taken. A socket file nobody accepts on is a
// leftover and is removed, so the service can bind it.
func CheckFree(port int, socket string) error {
	if port > 0 {
		if err := checkPort(port); err != nil {
			return err
		}
	}
	if socket != "" {
		return checkSocket(socket)
	}
	return nil
}

// checkPort binds the port on every address, then on loopback, where some
// systems let a wildcard bind coexist with a specific one.
func checkPort(port int) error {
	for _, addr := range []string{":", "127.0.0.1:"} {
		l, err := net.Listen("tcp", addr+strconv.Itoa(port))
		if err == nil {
			l.Close()
			continue
		}
		if isAddrInUse(err) {
			return &InUseError{Port: port, Holder: portcheck.Holder(port)}
		}
		return fmt.Errorf("checking port %d: %w", port, err)
	}
	return nil
}

func checkSocket(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checking socket %s: %w", path, err)
	}
	if fi.Mode()&fs.ModeSocket == 0 {
		return fmt.Errorf("checking socket %s: a file that is not a socket is in the way", path)
	}
	c, err := net.DialTimeout("unix", path, dialTimeout)
	if err == nil {
		c.Close()
		return &InUseError{Socket: path, Holder: socketHolder(path)}
	}
	if !isRefused(err) {
		return fmt.Errorf("checking socket %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing stale socket %s: %w", path, err)
	}
	return nil
}
