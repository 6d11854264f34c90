package proc

import (
	"bytes"
	"os"
	"strconv"
)

// liveProcs lists the processes in /proc that are not zombies.
func liveProcs() ([]procEntry, bool) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, false
	}
	var out []procEntry
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // gone meanwhile
		}
		if pgrp, state, ok := parseStat(data); ok && state != 'Z' && state != 'X' {
			out = append(out, procEntry{pid: pid, pgrp: pgrp})
		}
	}
	return out, true
}

// parseStat reads the state and process group from /proc/PID/stat. The
// command name comes in parentheses and may hold both spaces and ')', so
// the fields are counted from the last ')'.
func parseStat(data []byte) (pgrp int, state byte, ok bool) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := bytes.Fields(data[i+1:])
	if len(f) < 3 || len(f[0]) != 1 {
		return 0, 0, false
	}
	pgrp, err := strconv.Atoi(string(f[2]))
	if err != nil {
		return 0, 0, false
	}
	return pgrp, f[0][0], true
}

// hasMarker reports whether process pid's environment holds RunEnv with
// one of the marks. A process Berth may not read is not Berth's.
func hasMarker(pid int, marks map[string]bool) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return false
	}
	return envHasMarker(bytes.Split(data, []byte{0}), marks)
}
