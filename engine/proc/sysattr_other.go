//go:build unix && !linux

package proc

import (
	"os"
	"syscall"
)

// sysProcAttr puts a service in its own process group. There is no
// Pdeathsig here: the guardian and the record do the work.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

func selfExecutable() (string, error) { return os.Executable() }

// waitExited cannot wait without reaping here; the caller reaps first, so
// a group emptied at that moment could in theory see its ID reused before
// the final SIGKILL to it.
func waitExited(int) bool { return false }
