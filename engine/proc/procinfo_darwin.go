package proc

import "golang.org/x/sys/unix"

// sZOMB is a zombie's p_stat on macOS.
const sZOMB = 5

// liveProcs lists processes through sysctl(kern.proc.all).
func liveProcs() ([]procEntry, bool) {
	kps, err := unix.SysctlKinfoProcSlice("kern.proc.all")
	if err != nil {
		return nil, false
	}
	out := make([]procEntry, 0, len(kps))
	for _, kp := range kps {
		if kp.Proc.P_stat == sZOMB || kp.Proc.P_pid <= 0 {
			continue
		}
		out = append(out, procEntry{pid: int(kp.Proc.P_pid), pgrp: int(kp.Eproc.Pgid)})
	}
	return out, true
}

// hasMarker reads the environment through sysctl(kern.procargs2), which
// answers for this user's processes, the only ones Berth starts.
func hasMarker(pid int, marks map[string]bool) bool {
	buf, err := unix.SysctlRaw("kern.procargs2", pid)
	if err != nil {
		return false
	}
	return envHasMarker(procargsEnv(buf), marks)
}
