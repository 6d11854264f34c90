package engine

import (
	"syscall"
	"time"
)

// RuntimeKind is how a service runs.
type RuntimeKind string

const (
	Process   RuntimeKind = "process"
	Container RuntimeKind = "container"
)

// Spec is one service as the engine runs it: everything the stack file
// says about it, resolved (paths absolute, defaults applied). The app
// builds Specs from the Compose file; the engine never reads files.
type Spec struct {
	Name    string
	Runtime RuntimeKind
	// Command is the argv to run (process mode). Words may hold $PORT,
	// ${PORT}, $BERTH_SOCKET and ${BERTH_SOCKET} (written $$PORT in the
	// Compose file), which Berth expands when it starts the process.
	Command []string
	Dir     string            // working directory
	Env     map[string]string // environment on top of Berth's own
	// Port is what the service serves on: the declared port, or 0 for
	// "pick a free one" when Serves is set. Socket is a unix socket path
	// instead (BERTH_SOCKET).
	Port   int
	Socket string
	// Serves says the service listens (on Port or Socket); only such
	// services get PORT/BERTH_SOCKET and the port pre-flight.
	Serves bool

	DependsOn   []Dependency
	Healthcheck *Healthcheck // Compose healthcheck; nil: none
	Probes      []Probe      // x-berth probes, all must pass
	Restart     RestartPolicy
	// RestartOnUnhealthy restarts a service that turns unhealthy.
	RestartOnUnhealthy bool
	Backoff            Backoff
	StopSignal         syscall.Signal // default SIGTERM
	StopGrace          time.Duration  // default 10s
	LogLines           int            // ring buffer size; default 10,000
}

// Condition is a depends_on condition.
type Condition string

const (
	ServiceStarted               Condition = "service_started"
	ServiceHealthy               Condition = "service_healthy"
	ServiceCompletedSuccessfully Condition = "service_completed_successfully"
)

// Dependency is one depends_on entry.
type Dependency struct {
	Service   string
	Condition Condition
}

// Healthcheck is Compose's healthcheck, run on the host for processes.
type Healthcheck struct {
	// Test is Compose's form: ["CMD", argv...], ["CMD-SHELL", "cmd"] or
	// ["NONE"].
	Test          []string
	Interval      time.Duration // default 30s
	Timeout       time.Duration // default 30s
	Retries       int           // default 3
	StartPeriod   time.Duration
	StartInterval time.Duration // default 5s
}

// ProbeKind is an x-berth probe's kind.
type ProbeKind string

const (
	ProbeHTTP ProbeKind = "http"
	ProbeTCP  ProbeKind = "tcp"
	ProbeUnix ProbeKind = "unix"
	ProbeLog  ProbeKind = "log"
)

// Probe is an x-berth health probe.
type Probe struct {
	Kind ProbeKind
	// HTTP: Path (default "/") and Status (expected; 0 = any 2xx/3xx).
	Path   string
	Status int
	// TCP: Port (default the service's port). Unix: Socket (default the
	// service's socket).
	Port   int
	Socket string
	// Log: Pattern, a regular expression a log line must match once.
	Pattern  string
	Interval time.Duration // default 2s
	Timeout  time.Duration // default 2s
	// Retries, StartPeriod and StartInterval work as in a Compose
	// healthcheck: failures before the first success do not count during
	// StartPeriod, which probes every StartInterval so a service is seen
	// healthy soon after it listens.
	Retries       int           // default 3
	StartPeriod   time.Duration // default 30s
	StartInterval time.Duration // default 100ms
}

// RestartMode is Compose's restart policy.
type RestartMode string

const (
	RestartNo            RestartMode = "no"
	RestartAlways        RestartMode = "always"
	RestartOnFailure     RestartMode = "on-failure"
	RestartUnlessStopped RestartMode = "unless-stopped"
)

// RestartPolicy is `restart:` (on-failure[:max]).
type RestartPolicy struct {
	Mode       RestartMode
	MaxRetries int // on-failure:N; 0 = unlimited
}

// Backoff is the delay between restarts: Initial, doubling up to Max,
// reset after ResetAfter of good health.
type Backoff struct {
	Initial    time.Duration // default 1s
	Max        time.Duration // default 30s
	ResetAfter time.Duration // default 60s
}
