package engine

import "time"

// State is what a service is doing: the one list every surface (CLI,
// desktop app) shows.
type State string

const (
	Stopped   State = "stopped"
	Preparing State = "preparing" // pulling or building, with Progress
	Waiting   State = "waiting"   // on a dependency (Detail says which)
	Starting  State = "starting"
	Running   State = "running"
	Healthy   State = "healthy"
	Unhealthy State = "unhealthy"
	Exited    State = "exited"  // ExitCode
	Crashed   State = "crashed" // restarting at RestartAt
	Failed    State = "failed"  // gave up; Detail says why
)

// ServiceState is one service in a snapshot.
type ServiceState struct {
	Name    string
	Runtime RuntimeKind
	State   State
	// Detail is the words a user reads with the state: "waiting for db
	// (healthy)", "needs the Docker runtime", "port 8000 is taken by nginx
	// (pid 12)", "exit code 2".
	Detail    string
	Since     time.Time
	ExitCode  int
	RestartAt time.Time // Crashed: when the next start is due
	Restarts  int
	Pid       int
	Port      int    // where it serves now (PORT), 0 if none
	Socket    string // BERTH_SOCKET, "" if none
	// Host is where Port is reached: "" for this machine's loopback, else
	// the host of the engine that runs the container (its published port
	// is on that host's address).
	Host string
	// Progress is how far Preparing has got, 0..1, or -1 when the
	// runtime cannot tell (a build step, an image being looked up). With
	// Detail ("pulling postgres:16: 12 MB of 80 MB") it is what a
	// progress bar shows. While a service moves to another runtime it
	// keeps the old instance's state, and Progress is the new one's
	// (Detail "moving to a container (preparing, ...)"); else 0.
	Progress float64
	Health   []ProbeResult // the last results, newest last
}

// ProbeResult is one health check run.
type ProbeResult struct {
	At     time.Time
	Probe  string // "healthcheck", "http /health", "tcp 8000", "log /ready/"
	OK     bool
	Output string
}

// Snapshot is the whole stack at one moment. Snapshots are immutable:
// the engine publishes a new one for every change.
type Snapshot struct {
	Version  uint64
	Services []ServiceState // in stack order
}

// Service returns the named service's state.
func (s Snapshot) Service(name string) (ServiceState, bool) {
	for _, st := range s.Services {
		if st.Name == name {
			return st, true
		}
	}
	return ServiceState{}, false
}
