package portcheck

import (
	"strconv"
	"syscall"
)

// ErrInUse is the error binding a taken address returns.
var ErrInUse = syscall.EADDRINUSE

// InUseError is a port or socket a service needs that something else
// holds. Its message is what users read in a service's state line:
// "port 8000 is taken by nginx (pid 12)".
type InUseError struct {
	Port   int    // 0 for a socket
	Socket string // "" for a port
	Holder string // "nginx (pid 12)", or "" when the system does not say
}

func (e *InUseError) Error() string {
	what := "port " + strconv.Itoa(e.Port)
	if e.Socket != "" {
		what = "socket " + e.Socket
	}
	if e.Holder == "" {
		return what + " is taken"
	}
	return what + " is taken by " + e.Holder
}

// Unwrap makes errors.Is(err, ErrInUse) hold.
func (e *InUseError) Unwrap() error { return ErrInUse }
