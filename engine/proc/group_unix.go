//go:build unix

package proc

import (
	"errors"
	"os"
	"syscall"
)

// group is a service's process group, named by its first process's ID.
type group struct{ pgid int }

func newGroup(p *os.Process) (group, error) { return group{pgid: p.Pid}, nil }

// signal sends sig to every process in the group; a group that is already
// empty is not an error.
func (g group) signal(sig syscall.Signal) error { return g.send(-g.pgid, sig) }

// signalFirst sends sig to the group's first process alone, as Docker
// stops a container through its PID 1.
func (g group) signalFirst(sig syscall.Signal) error { return g.send(g.pgid, sig) }

// send is kill(2) to the group (-pgid) or its first process (pgid); a
// process already gone is not an error.
func (g group) send(pid int, sig syscall.Signal) error {
	if g.pgid <= 1 {
		return syscall.EINVAL // kill(-1) would reach every process
	}
	if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
}

func (g group) kill() error { return g.signal(syscall.SIGKILL) }

func (g group) release() {}

// exitStatus reports a death by signal N as 128+N, as shells do.
func exitStatus(state *os.ProcessState, werr error) (int, error) {
	if state != nil {
		if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
	}
	return exitCodeOf(state, werr)
}
