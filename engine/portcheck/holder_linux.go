package portcheck

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Holder names the process listening on a TCP port ("nginx (pid 1234)"),
// from /proc on Linux; "" when nothing listens there, and a vaguer name
// when the listener belongs to a process Berth may not inspect.
func Holder(port int) string {
	inodes := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n")[1:] {
			fields := strings.Fields(line)
			if len(fields) < 10 || fields[3] != "0A" { // 0A: LISTEN
				continue
			}
			_, hexPort, _ := strings.Cut(fields[1], ":")
			if p, err := strconv.ParseInt(hexPort, 16, 32); err == nil && int(p) == port {
				inodes["socket:["+fields[9]+"]"] = true
			}
		}
	}
	if len(inodes) == 0 {
		return ""
	}
	if name := processWith(inodes); name != "" {
		return name
	}
	return "a process Berth may not inspect"
}

// acceptConn is __SO_ACCEPTCON in /proc/net/unix's Flags: a listening
// socket.
const acceptConn = 0x10000

// SocketHolder names the process listening on a unix socket path ("api
// (pid 12)"), from /proc/net/unix's inode and the processes' open files;
// "" when it cannot tell.
func SocketHolder(path string) string {
	data, err := os.ReadFile("/proc/net/unix")
	if err != nil {
		return ""
	}
	inodes := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n")[1:] {
		// Num RefCount Protocol Flags Type St Inode Path
		f := strings.Fields(line)
		if len(f) < 8 || f[7] != path {
			continue
		}
		if flags, err := strconv.ParseUint(f[3], 16, 32); err == nil && flags&acceptConn != 0 {
			inodes["socket:["+f[6]+"]"] = true
		}
	}
	if len(inodes) == 0 {
		return ""
	}
	return processWith(inodes)
}

// processWith names the first process with an open file descriptor on one
// of the socket inodes ("socket:[1234]"); "" when none Berth may read has.
func processWith(inodes map[string]bool) string {
	fds, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range fds {
		if target, err := os.Readlink(fd); err != nil || !inodes[target] {
			continue
		}
		pid := strings.Split(fd, "/")[2]
		comm, _ := os.ReadFile("/proc/" + pid + "/comm")
		return fmt.Sprintf("%s (pid %s)", strings.TrimSpace(string(comm)), pid)
	}
	return ""
}
