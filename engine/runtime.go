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

// Output receives a running service's output, one stream each, and what
// its runtime has to say about it.
type Output struct {
	Stdout io.Writer
	Stderr io.Writer
	// Status, when not nil, is told what the runtime is doing that the
	// engine cannot see: readying the service (pulling or building its
	// image, with progress) or waiting for what it needs (a Docker engine
	// that does not answer), before Start returns or in the middle of a
	// run. A zero Status says that is over: the run is as the engine last
	// saw it. Calls come from the runtime's goroutines, one at a time, and
	// end before Wait returns (or Start returns an error); Status must not
	// block.
	Status func(Status)
}

// Writers returns Stdout and Stderr, io.Discard for either that is nil:
// where a runtime copies a service's output.
func (o Output) Writers() (stdout, stderr io.Writer) {
	stdout, stderr = o.Stdout, o.Stderr
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	return stdout, stderr
}

// Status is a runtime's word on a service between the engine's own
// states: State is Preparing (Progress 0..1, or -1 when unknown) or
// Waiting, and Detail the words for the user ("pulling postgres:16:
// 12 MB of 80 MB", "Docker engine not reachable: ...").
type Status struct {
	State    State
	Detail   string
	Progress float64
}

// HealthReporter is an Instance whose runtime runs the service's
// healthcheck itself: a container's HEALTHCHECK, which the Docker engine
// runs inside the container. The engine then takes its results instead of
// running the Compose healthcheck on the host.
type HealthReporter interface {
	// Health returns the check's results as they come, or nil when the
	// instance has no healthcheck of its own. The channel is closed when
	// the instance has ended. Results a slow reader leaves unread are
	// dropped oldest first.
	Health() <-chan HealthReport
}

// HealthReport is one result of a runtime's healthcheck and the check's
// status after it: Running while it is yet to decide, Healthy or
// Unhealthy.
type HealthReport struct {
	Status State
	Result ProbeResult
}

// Addresser is a Runtime whose services' ports are reached on a host of
// its own: a Docker engine publishes on its host's address, which is
// another machine's for a remote engine.
type Addresser interface {
	// Address is the host name or IP address published ports are
	// reached on ("127.0.0.1" for this machine).
	Address() string
}

// PortKeeper is a Runtime that may hold a service's port itself, from an
// earlier run it takes over on Start (a container of the stack left
// running, which it reattaches). The port pre-flight does not count such
// a port as taken.
type PortKeeper interface {
	// Keeps tells whether the runtime's own leftover of the service
	// holds port on this machine.
	Keeps(service string, port int) bool
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
