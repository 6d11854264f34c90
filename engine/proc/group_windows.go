package proc

import (
	"errors"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// group is a service's job object: closing Berth's handle, which Windows
// does when Berth dies however it dies, kills every process in it,
// grandchildren included (children join their parent's job).
type group struct {
	pid int
	job windows.Handle // 0 if the process could not be put in a job
	p   *os.Process
}

// newGroup puts a started process in a new kill-on-close job. A process
// that starts children in its very first instants, before it joins the
// job, leaves those children outside it: os/exec cannot start a process
// suspended and resume it.
func newGroup(p *os.Process) (group, error) {
	g := group{pid: p.Pid, p: p}
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return g, err
	}
	info := windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION{}
	info.BasicLimitInformation.LimitFlags = windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
	if _, err := windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
		windows.CloseHandle(job)
		return g, err
	}
	h, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE, false, uint32(p.Pid))
	if err != nil {
		windows.CloseHandle(job)
		return g, err
	}
	defer windows.CloseHandle(h)
	if err := windows.AssignProcessToJobObject(job, h); err != nil {
		windows.CloseHandle(job)
		return g, err
	}
	g.job = job
	return g, nil
}

// signal has only one graceful stop to offer on Windows: CTRL_BREAK to the
// service's process group, which reaches console programs sharing Berth's
// console. Any other case fails, and the caller kills at once.
func (g group) signal(sig syscall.Signal) error {
	if sig == syscall.SIGKILL {
		return g.kill()
	}
	return windows.GenerateConsoleCtrlEvent(windows.CTRL_BREAK_EVENT, uint32(g.pid))
}

// signalFirst is signal: the console event reaches the group as a whole.
func (g group) signalFirst(sig syscall.Signal) error { return g.signal(sig) }

// kill ends every process in the job, or the first process without one.
func (g group) kill() error {
	if g.job != 0 {
		return windows.TerminateJobObject(g.job, 1)
	}
	if err := g.p.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	return nil
}

func (g group) release() {
	if g.job != 0 {
		windows.CloseHandle(g.job)
	}
}

func exitStatus(state *os.ProcessState, werr error) (int, error) { return exitCodeOf(state, werr) }

// sysProcAttr gives the service a console process group of its own, the
// target of CTRL_BREAK.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}

func selfExecutable() (string, error) { return os.Executable() }

func waitExited(int) bool { return false }
