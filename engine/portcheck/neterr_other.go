//go:build !windows

package portcheck

import (
	"errors"
	"syscall"
)

func isAddrInUse(err error) bool { return errors.Is(err, syscall.EADDRINUSE) }
func isRefused(err error) bool   { return errors.Is(err, syscall.ECONNREFUSED) }
