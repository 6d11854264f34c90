//go:build unix

package portcheck_test

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/berth-dev/berth/engine/portcheck"
)

func TestCheckPortNamesHolder(t *testing.T) {
	skipWithoutProc(t)
	t.Parallel()
	addr, pid := holder(t, "tcp")
	_, p, _ := strings.Cut(addr, ":")
	var port int
	if _, err := fmt.Sscanf(p, "%d", &port); err != nil {
		t.Fatalf("holder listens on %q", addr)
	}

	err := portcheck.CheckPort(port)
	var inUse *portcheck.InUseError
	if !errors.As(err, &inUse) || !errors.Is(err, portcheck.ErrInUse) {
		t.Fatalf("CheckPort(%d) = %v, want an InUseError", port, err)
	}
	wantHolder := fmt.Sprintf("(pid %d)", pid)
	if inUse.Port != port || inUse.Socket != "" || !strings.HasSuffix(inUse.Holder, wantHolder) {
		t.Errorf("InUseError %+v, want port %d held by ... %s", inUse, port, wantHolder)
	}
	if want := fmt.Sprintf("port %d is taken by %s", port, inUse.Holder); err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if h := portcheck.Holder(port); h != inUse.Holder {
		t.Errorf("Holder(%d) = %q, want %q", port, h, inUse.Holder)
	}
}

// A port just freed may be taken again by another test binary at once, so
// the check gets a few ports to find one free.
func TestCheckPortFree(t *testing.T) {
	t.Parallel()
	var errs []error
	for range 5 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		err = portcheck.CheckPort(port)
		if err == nil {
			return
		}
		errs = append(errs, err)
	}
	t.Errorf("CheckPort on five freed ports: %v", errs)
}

func TestCheckSocketNamesHolder(t *testing.T) {
	skipWithoutProc(t)
	t.Parallel()
	path := filepath.Join(shortTempDir(t), "live.sock")
	_, pid := holder(t, "unix:"+path)

	err := portcheck.CheckSocket(path)
	var inUse *portcheck.InUseError
	if !errors.As(err, &inUse) || !errors.Is(err, portcheck.ErrInUse) {
		t.Fatalf("CheckSocket on a served socket = %v, want an InUseError", err)
	}
	wantHolder := fmt.Sprintf("(pid %d)", pid)
	if inUse.Socket != path || inUse.Port != 0 || !strings.HasSuffix(inUse.Holder, wantHolder) {
		t.Errorf("InUseError %+v, want socket %s held by ... %s", inUse, path, wantHolder)
	}
	if want := fmt.Sprintf("socket %s is taken by %s", path, inUse.Holder); err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if _, err := os.Lstat(path); err != nil {
		t.Errorf("served socket touched: %v", err)
	}
}

func TestCheckSocketFiles(t *testing.T) {
	t.Parallel()
	dir := shortTempDir(t)

	stale := filepath.Join(dir, "stale.sock")
	// No process may fork while the listener is open: a child between
	// fork and exec holds a copy of it, and the socket answers (a test
	// starting a process in parallel once made it look taken).
	syscall.ForkLock.RLock()
	l, err := net.Listen("unix", stale)
	if err != nil {
		syscall.ForkLock.RUnlock()
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	syscall.ForkLock.RUnlock()
	if err := portcheck.CheckSocket(stale); err != nil {
		t.Errorf("CheckSocket on a stale socket: %v", err)
	}
	if _, err := os.Lstat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale socket not removed: %v", err)
	}

	if err := portcheck.CheckSocket(filepath.Join(dir, "missing.sock")); err != nil {
		t.Errorf("CheckSocket on no file: %v", err)
	}

	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, []byte("data"), 0o600); err != nil {
		t.Fatal(err)
	}
	err = portcheck.CheckSocket(plain)
	var inUse *portcheck.InUseError
	if err == nil || errors.As(err, &inUse) {
		t.Errorf("CheckSocket on a regular file = %v, want a plain error", err)
	} else if want := "socket " + plain + ": a file that is not a socket is in the way"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if _, err := os.Stat(plain); err != nil {
		t.Errorf("regular file touched: %v", err)
	}
}

// shortTempDir is a temporary folder whose socket paths fit sun_path
// (t.TempDir's can be too long on macOS).
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "pc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
