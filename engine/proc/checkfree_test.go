//go:build unix

package proc_test

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/portcheck"
	"github.com/berth-dev/berth/engine/proc"
)

func TestCheckFreeNamesPortHolder(t *testing.T) {
	skipWithoutProc(t)
	t.Parallel()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	holder := exec.Command(self)
	holder.Env = append(os.Environ(), "PROC_TEST_LISTEN=1")
	stdin, _ := holder.StdinPipe()
	stdout, _ := holder.StdoutPipe()
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		holder.Wait()
	}()
	var port int
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if _, err := fmt.Sscanf(line, "%d", &port); err != nil {
		t.Fatalf("holder said %q", line)
	}

	err = proc.CheckFree(port, "")
	var inUse *proc.InUseError
	if !errors.As(err, &inUse) || !errors.Is(err, portcheck.ErrInUse) {
		t.Fatalf("CheckFree(%d) = %v, want an InUseError", port, err)
	}
	wantPid := fmt.Sprintf("(pid %d)", holder.Process.Pid)
	if inUse.Port != port || !strings.Contains(inUse.Holder, wantPid) {
		t.Errorf("InUseError %+v, want port %d held by %s", inUse, port, wantPid)
	}
	if want := fmt.Sprintf("port %d is already in use by ", port); !strings.HasPrefix(err.Error(), want) {
		t.Errorf("message %q, want it to start %q", err, want)
	}
}

func TestCheckFreePortFree(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	if err := proc.CheckFree(port, ""); err != nil {
		t.Errorf("CheckFree(%d) on a free port: %v", port, err)
	}
	if err := proc.CheckFree(0, ""); err != nil {
		t.Errorf("CheckFree(0, \"\"): %v", err)
	}
}

func TestCheckFreeSocket(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()

	live := filepath.Join(dir, "live.sock")
	l, err := net.Listen("unix", live)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	err = proc.CheckFree(0, live)
	var inUse *proc.InUseError
	if !errors.As(err, &inUse) || inUse.Socket != live {
		t.Fatalf("CheckFree on a served socket = %v, want an InUseError", err)
	}
	if _, statErr := os.Stat("/proc/net/unix"); statErr == nil {
		if want := fmt.Sprintf("(pid %d)", os.Getpid()); !strings.Contains(inUse.Holder, want) {
			t.Errorf("holder %q, want %s", inUse.Holder, want)
		}
	}

	stale := filepath.Join(dir, "stale.sock")
	sl, err := net.Listen("unix", stale)
	if err != nil {
		t.Fatal(err)
	}
	sl.(*net.UnixListener).SetUnlinkOnClose(false)
	sl.Close()
	if err := proc.CheckFree(0, stale); err != nil {
		t.Errorf("CheckFree on a stale socket: %v", err)
	}
	if _, err := os.Lstat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale socket not removed: %v", err)
	}

	if err := proc.CheckFree(0, filepath.Join(dir, "missing.sock")); err != nil {
		t.Errorf("CheckFree on no file: %v", err)
	}

	plain := filepath.Join(dir, "plain")
	os.WriteFile(plain, []byte("data"), 0o600)
	if err := proc.CheckFree(0, plain); err == nil || errors.As(err, &inUse) {
		t.Errorf("CheckFree on a regular file = %v, want a plain error", err)
	}
	if _, err := os.Stat(plain); err != nil {
		t.Errorf("regular file touched: %v", err)
	}
}
