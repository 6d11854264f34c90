package portcheck

import (
	"errors"
	"syscall"

	"golang.org/x/sys/windows"
)

// Windows sockets report WSA codes, which syscall's POSIX-like names do
// not match.
func isAddrInUse(err error) bool {
	return errors.Is(err, windows.WSAEADDRINUSE) || errors.Is(err, syscall.EADDRINUSE)
}

func isRefused(err error) bool {
	return errors.Is(err, windows.WSAECONNREFUSED) || errors.Is(err, syscall.ECONNREFUSED)
}
