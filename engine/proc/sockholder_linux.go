package proc

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// acceptConn is __SO_ACCEPTCON in /proc/net/unix's Flags: a listening socket.
const acceptConn = 0x10000

// socketHolder names the process listening on a unix socket path, found
// through /proc/net/unix's inode and the processes' open files; "" when it
// cannot tell.
func socketHolder(path string) string {
	data, err := os.ReadFile("/proc/net/unix")
	if err != nil {
		return ""
	}
	inode := ""
	for _, line := range strings.Split(string(data), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 8 || f[7] != path {
			continue
		}
		if flags, err := strconv.ParseUint(f[3], 16, 32); err == nil && flags&acceptConn != 0 {
			inode = f[6]
			break
		}
	}
	if inode == "" {
		return ""
	}
	fds, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range fds {
		if target, err := os.Readlink(fd); err != nil || target != "socket:["+inode+"]" {
			continue
		}
		pid := strings.Split(fd, "/")[2]
		comm, _ := os.ReadFile("/proc/" + pid + "/comm")
		return fmt.Sprintf("%s (pid %s)", strings.TrimSpace(string(comm)), pid)
	}
	return ""
}
