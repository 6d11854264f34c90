//go:build !linux

package portcheck

import "syscall"

// ErrInUse is the error binding a taken address returns.
var ErrInUse = syscall.EADDRINUSE

// Holder cannot tell the holding process outside Linux.
func Holder(port int) string { return "" }
