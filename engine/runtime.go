package engine

import (
	"context"
	"io"
	"syscall"
	"time"
)

// Runtime starts services of one kind (engine/proc for processes,
// engine/docker for containers). It is the engine's only way to run
// anything.
type Runtime interface {
	Start(ctx context.Context, spec Spec, env map[string]string, out Output) (Instance, error)
}

// Output receives a running service's output, one stream each.
type Output struct {
	Stdout io.Writer
	Stderr io.Writer
}

// Instance is one run of a service.
type Instance interface {
	// Pid is the process (group) ID, or 0.
	Pid() int
	// Wait blocks until the service ends and returns its exit code.
	Wait() (exitCode int, err error)
	// Stop sends sig to the whole service (process group), then kills it
	// after grace; it returns once the service has ended.
	Stop(sig syscall.Signal, grace time.Duration) error
}
