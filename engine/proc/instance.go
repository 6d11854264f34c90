package proc

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/berth-dev/berth/engine"
)

// drainLimit bounds how long output is read after the whole group was
// killed. Only a process that left the group (setsid) and kept the pipes
// can hold them longer; its later output is not read.
const drainLimit = time.Second

// instance is one run of a service. Its supervise goroutine owns the
// process from start to reaping; Stop only signals and waits.
type instance struct {
	rt      *Runtime
	cmd     *exec.Cmd
	pid     int // also the process group ID
	grp     group
	outR    *os.File
	errR    *os.File
	pending atomic.Int32  // output streams still being copied
	drained chan struct{} // closed when both streams reached EOF
	done    chan struct{} // closed when the service ended and its output is delivered
	code    int           // valid once done is closed
	err     error

	mu       sync.Mutex // guards the fields that follow
	stopping bool
	stopSig  syscall.Signal
	deadline time.Time // when a stopping group gets SIGKILL
	gone     bool      // the group is killed and the leader reaped: no more signals
}

var _ engine.Instance = (*instance)(nil)

func newInstance(rt *Runtime, cmd *exec.Cmd, grp group, out engine.Output, outR, errR *os.File) *instance {
	i := &instance{
		rt:      rt,
		cmd:     cmd,
		pid:     cmd.Process.Pid,
		grp:     grp,
		outR:    outR,
		errR:    errR,
		drained: make(chan struct{}),
		done:    make(chan struct{}),
	}
	i.pending.Store(2)
	stdout, stderr := out.Writers()
	go i.copyOut(stdout, outR)
	go i.copyOut(stderr, errR)
	return i
}

// copyOut delivers one stream until EOF. When the writer fails it keeps
// reading, so the service never blocks on a full pipe.
func (i *instance) copyOut(w io.Writer, r *os.File) {
	defer func() {
		if i.pending.Add(-1) == 0 {
			close(i.drained)
		}
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				w = io.Discard
			}
		}
		if err != nil {
			return
		}
	}
}

// Pid is the service's first process, whose ID is also its group's.
func (i *instance) Pid() int { return i.pid }

// Wait returns the exit code once the service has ended: 128+N for a
// death by signal N, as shells report it.
func (i *instance) Wait() (int, error) {
	<-i.done
	return i.code, i.err
}

// Stop sends sig (SIGTERM when 0) to the service's first process, and
// to the rest of its group once that process has ended, and SIGKILLs the
// group after grace. It returns once the first process has been reaped
// and all output delivered. Stopping an ended service does nothing.
//
// The first process goes first, as Docker stops a container through its
// PID 1: a master process (uWSGI's, gunicorn's) then stops its workers
// itself. Signalling the group at once had uWSGI's worker take the
// master's SIGINT and the group's SIGTERM together, and about one stop
// in forty hung until the grace ran out. What the first process leaves
// (a shell's child) gets sig once it has ended, and the whole group gets
// it after groupSignalAfter if it has not: a shell given SIGINT waits
// for its child and passes nothing on.
func (i *instance) Stop(sig syscall.Signal, grace time.Duration) error {
	if sig == 0 {
		sig = syscall.SIGTERM
	}
	i.mu.Lock()
	if i.gone {
		i.mu.Unlock()
		<-i.done
		return nil
	}
	if d := time.Now().Add(grace); !i.stopping || d.Before(i.deadline) {
		i.deadline = d
	}
	i.stopping, i.stopSig = true, sig
	deadline := i.deadline
	if err := i.grp.signalFirst(sig); err != nil {
		deadline = time.Now() // the signal cannot be delivered: kill now
	}
	i.mu.Unlock()

	// A first process that has not ended by now passes nothing on (a
	// shell waiting for its child, given SIGINT): the group gets sig.
	group := time.NewTimer(min(time.Until(deadline)/2, groupSignalAfter))
	defer group.Stop()
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	for waiting := true; waiting; {
		select {
		case <-i.done:
			return nil
		case <-group.C:
			i.mu.Lock()
			if !i.gone {
				i.grp.signal(sig)
			}
			i.mu.Unlock()
		case <-t.C:
			waiting = false
		}
	}
	i.mu.Lock()
	if !i.gone {
		i.grp.kill()
	}
	i.mu.Unlock()
	<-i.done
	return nil
}

// groupSignalAfter is how long the first process alone has the stop
// signal (half the grace when that is shorter) before the whole group
// gets it.
const groupSignalAfter = 2 * time.Second

// supervise waits for the first process to exit, clears the rest of its
// group (at once after a natural exit, as a container's processes die with
// its init; after the grace period when stopping), reaps it and waits for
// the output.
func (i *instance) supervise() {
	unreaped := waitExited(i.pid) // Linux: exited but not reaped, so the group ID cannot be reused yet
	var werr error
	if !unreaped {
		werr = i.cmd.Wait()
	}
	i.settle()
	i.mu.Lock()
	i.grp.kill()
	i.gone = true
	i.mu.Unlock()
	i.rt.forget(i)
	if unreaped {
		werr = i.cmd.Wait()
	}
	i.drain()
	i.grp.release()
	i.code, i.err = exitStatus(i.cmd.ProcessState, werr)
	close(i.done)
}

// settle gives a stopping group's other processes the stop signal and
// until the deadline to finish, or until they closed the output pipes,
// whichever comes first.
func (i *instance) settle() {
	i.mu.Lock()
	stopping, deadline, sig := i.stopping, i.deadline, i.stopSig
	if stopping {
		i.grp.signal(sig) // those the first process left behind
	}
	i.mu.Unlock()
	if !stopping {
		return
	}
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-i.drained:
	case <-t.C:
	}
}

// drain waits for the output copies to finish, forcing them to after
// drainLimit, then closes the pipes.
func (i *instance) drain() {
	t := time.NewTimer(drainLimit)
	defer t.Stop()
	select {
	case <-i.drained:
	case <-t.C:
		for _, f := range []*os.File{i.outR, i.errR} {
			if f.SetReadDeadline(time.Now()) != nil {
				f.Close()
			}
		}
		<-i.drained
	}
	i.outR.Close()
	i.errR.Close()
}

// exitCodeOf turns cmd.Wait's error into a code: an exit status is a
// result, not an error.
func exitCodeOf(state *os.ProcessState, werr error) (int, error) {
	var exitErr *exec.ExitError
	if werr != nil && !errors.As(werr, &exitErr) {
		return -1, werr
	}
	if state == nil {
		return -1, errors.New("no exit status")
	}
	return state.ExitCode(), nil
}
