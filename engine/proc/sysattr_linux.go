package proc

import (
	"runtime"
	"syscall"
	"unsafe"
)

// sysProcAttr puts a service in its own process group. Pdeathsig kills its
// first process as soon as Berth's starting thread ends; the spawner keeps
// that thread alive for the Runtime's life, and the guardian does the rest.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// selfExecutable is this program, even if its file was replaced since.
func selfExecutable() (string, error) { return "/proc/self/exe", nil }

// spawner starts processes from one goroutine locked to its OS thread, so
// that Pdeathsig fires when Berth dies, not when some thread retires.
type spawner struct {
	reqs chan func()
	quit chan struct{}
	done chan struct{}
}

func newSpawner() *spawner {
	s := &spawner{reqs: make(chan func()), quit: make(chan struct{}), done: make(chan struct{})}
	go s.loop()
	return s
}

func (s *spawner) loop() {
	runtime.LockOSThread()
	// No unlock: when the loop ends the thread ends with it, and Pdeathsig
	// takes down any first process still running.
	defer close(s.done)
	for {
		select {
		case f := <-s.reqs:
			f()
		case <-s.quit:
			return
		}
	}
}

// do runs f on the spawner's thread and waits for it.
func (s *spawner) do(f func()) {
	ran := make(chan struct{})
	s.reqs <- func() { f(); close(ran) }
	<-ran
}

func (s *spawner) stop() {
	close(s.quit)
	<-s.done
}

// waitExited blocks until process pid has exited, leaving it unreaped
// (waitid with WNOWAIT), so that its ID, and so its group's, is not reused
// while Berth still signals the group. It reports whether it could.
func waitExited(pid int) bool {
	const pPID, wEXITED, wNOWAIT = 1, 4, 0x01000000
	var info [128]byte // siginfo_t
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, pPID, uintptr(pid),
			uintptr(unsafe.Pointer(&info[0])), wEXITED|wNOWAIT, 0, 0)
		switch errno {
		case 0:
			return true
		case syscall.EINTR:
			continue
		default:
			return false
		}
	}
}
