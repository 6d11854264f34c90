package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/berth-dev/berth/engine/portcheck"
)

// takenError is a port or socket a service needs that something else
// holds: "port 8000 is taken by nginx (pid 12)".
type takenError struct {
	What   string // "port 8000", "socket /run/berth/api.sock"
	Holder string // "nginx (pid 12)", or "" when the system does not say
}

func (e *takenError) Error() string {
	if e.Holder == "" {
		return e.What + " is taken"
	}
	return e.What + " is taken by " + e.Holder
}

// prepare works out where a run serves (PORT, BERTH_SOCKET), checks that
// nothing else holds it, and returns the run's environment.
func (r *runner) prepare() (target, error) {
	spec := r.svc.spec
	t := target{Env: maps.Clone(spec.Env), Dir: spec.Dir}
	if t.Env == nil {
		t.Env = map[string]string{}
	}
	if !spec.Serves {
		return t, nil
	}
	if spec.Socket != "" {
		path := spec.Socket
		if !filepath.IsAbs(path) {
			path = filepath.Join(r.s.runtimeDir, path)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return t, fmt.Errorf("making the socket's folder: %w", err)
		}
		if err := checkSocket(path); err != nil {
			return t, err
		}
		t.Socket = path
		t.Env["BERTH_SOCKET"] = path
	}
	port := spec.Port
	switch {
	case port != 0:
		if err := checkPort(port); err != nil {
			return t, err
		}
	case spec.Socket == "":
		p, err := r.freePort()
		if err != nil {
			return t, err
		}
		port = p
	}
	if port != 0 {
		t.Port = port
		t.Env["PORT"] = strconv.Itoa(port)
	}
	return t, nil
}

// freePort is the port the engine picked for this service before, while
// it is free, else a new one.
func (r *runner) freePort() (int, error) {
	if r.picked != 0 && checkPort(r.picked) == nil {
		return r.picked, nil
	}
	for range 5 {
		p, err := r.s.pickPort()
		if err != nil {
			return 0, fmt.Errorf("picking a free port: %w", err)
		}
		if checkPort(p) == nil {
			r.picked = p
			return p, nil
		}
	}
	return 0, errors.New("found no free port")
}

// checkPort tells whether a TCP port is free on every address: it binds
// the wildcard address (dual stack) and the loopback one, since some
// systems let a wildcard bind share a port with a loopback listener.
func checkPort(port int) error {
	for _, host := range []string{"", "127.0.0.1"} {
		l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			if errors.Is(err, portcheck.ErrInUse) {
				return &takenError{What: "port " + strconv.Itoa(port), Holder: portcheck.Holder(port)}
			}
			continue // not ours to judge (a privileged port, say): the service will say
		}
		l.Close()
	}
	return nil
}

// checkSocket tells whether a unix socket path is free. A socket file
// nobody answers on is left over from an earlier run and is removed; a
// file that is not a socket is not ours to remove.
func checkSocket(path string) error {
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
	conn, err := net.DialTimeout("unix", path, time.Second)
	if err == nil {
		conn.Close()
		return &takenError{What: "socket " + path, Holder: socketHolder(path)}
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the stale socket %s: %w", path, err)
	}
	return nil
}
