package demo

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"time"
)

// listenUnix listens on the unix socket at path. A socket file there that
// nothing answers on is what a killed server leaves behind, and is
// removed; a live socket, or a file that is not a socket, is an error and
// left alone. The returned unlink removes the socket file, unless another
// server has since replaced it with its own; closing the listener does
// not remove it.
func listenUnix(path string) (ln net.Listener, unlink func(), err error) {
	if err := removeStale(path); err != nil {
		return nil, nil, err
	}
	ln, err = net.Listen("unix", path)
	if err != nil {
		return nil, nil, err
	}
	// Removal is ours to do (below), so that closing never unlinks a
	// newer server's socket at the same path.
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	created, statErr := os.Lstat(path)
	return ln, func() {
		if statErr != nil {
			return
		}
		if now, err := os.Lstat(path); err == nil && os.SameFile(created, now) {
			os.Remove(path)
		}
	}, nil
}

// removeStale removes a dead socket file at path.
func removeStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("%s exists and is not a socket; not removing it", path)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return fmt.Errorf("%s: another server is listening on it", path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing stale socket: %w", err)
	}
	return nil
}
