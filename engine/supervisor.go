package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/berth-dev/berth/engine/portcheck"
)

// Options are the supervisor's surroundings; every field has a default.
type Options struct {
	Logger hclog.Logger     // the engine's own log; default: none
	Now    func() time.Time // default time.Now
	// RuntimeDir holds what the engine makes for a run of the stack: the
	// unix sockets of socket services. Default: <tmp>/berth.
	RuntimeDir string
	// PickPort finds a free TCP port for a service that serves but declares
	// none. Default: one the kernel hands out on 127.0.0.1.
	PickPort func() (int, error)
	// LogBytes caps each service's log buffer in bytes, on top of
	// Spec.LogLines, so long lines cannot grow it without bound.
	// Default 16 MiB.
	LogBytes int
	// Moved, when not nil, is called while a service moves between
	// runtimes make-before-break (see SetRuntime): snap is the first
	// snapshot that shows the new instance where it serves, and Moved
	// returns once whatever routes to the service follows snap (or ctx
	// ends). Only then is the old instance stopped, so no request is sent
	// to it after it stops taking them.
	Moved func(ctx context.Context, snap Snapshot)
	// Env, when not nil, gives a run environment on top of its Spec's
	// (the Spec's own values win), worked out when the run starts from
	// how every service runs then: the app tells each service where the
	// others are, which depends on whether each is a process or a
	// container.
	Env func(service string, runtimes map[string]RuntimeKind) map[string]string
}

// DefaultLogBytes is Options.LogBytes' default.
const DefaultLogBytes = 16 << 20

// Supervisor runs a stack's services: one goroutine each, started by Run.
// Its commands only record what the user wants and wake the service's
// goroutine, so they are safe at any time and never wait for a service.
type Supervisor struct {
	runtimes   map[RuntimeKind]Runtime
	log        hclog.Logger
	now        func() time.Time
	runtimeDir string
	pickPort   func() (int, error)
	moved      func(context.Context, Snapshot)
	extraEnv   func(string, map[string]RuntimeKind) map[string]string
	specs      []Spec // with defaults, in stack order
	specMap    map[string]Spec
	services   []*service
	byName     map[string]*service
	logChanged broadcast // fired when any service's log grows

	mu      sync.Mutex // guards the fields that follow and each service's guarded fields
	version uint64
	current Snapshot
	subs    map[chan Snapshot]struct{}
	changed broadcast // fired on every new snapshot
	ran     bool
}

// service is one service and what its supervising goroutine shares.
type service struct {
	spec   Spec
	wake   chan struct{} // a command arrived; capacity 1
	logs   *logBuffer
	broken string // why it can never start (dependency cycle), or ""

	// commanded fires on every command for the service, so that a start
	// in progress learns it is no longer wanted.
	commanded broadcast

	// Guarded by Supervisor.mu:
	kind RuntimeKind
	ctl  control
	st   ServiceState // the engine's own view; shownLocked is what is published
	// status is what the runtime of the current run says beyond st
	// (Preparing with progress, Waiting for the Docker engine), shown
	// instead of st's state while set; statusSince is when its State
	// began. runs counts the runs, to tell a late word of an ended run.
	status      Status
	statusSince time.Time
	runs        uint64
	// movingFrom is the state of the instance a runtime switch replaces,
	// shown (it still serves) until the new instance is in good health;
	// nil when no move is under way.
	movingFrom *ServiceState
}

// shownLocked is the service's state as published: the engine's own,
// with what the runtime says on top, or, while the service moves, the
// old instance's with the move's progress as its Detail.
func (svc *service) shownLocked() ServiceState {
	st := svc.st
	if svc.status.State != "" {
		st.State, st.Detail, st.Progress, st.Since = svc.status.State, svc.status.Detail, svc.status.Progress, svc.statusSince
	}
	if svc.movingFrom == nil {
		return st
	}
	shown := *svc.movingFrom
	live := string(st.State)
	if st.Detail != "" {
		live += ", " + st.Detail
	}
	shown.Runtime = st.Runtime
	shown.Detail = "moving to a " + string(svc.kind) + " (" + live + ")"
	shown.Progress = st.Progress
	shown.Restarts = st.Restarts
	return shown
}

// control is what the user asked of a service. Start and Restart begin a
// new run (gen); the goroutine marks a run done when it ended for good
// (exited, failed), so that Start knows to begin another.
type control struct {
	up      bool
	gen     uint64
	doneGen uint64
	ordered bool // a stop that waits for the services depending on it
}

// New prepares a supervisor for specs (in stack order) with the runtimes
// at hand. Nothing runs until Run.
func New(specs []Spec, runtimes map[RuntimeKind]Runtime, opts Options) *Supervisor {
	s := &Supervisor{
		runtimes:   runtimes,
		log:        opts.Logger,
		now:        opts.Now,
		runtimeDir: opts.RuntimeDir,
		pickPort:   opts.PickPort,
		moved:      opts.Moved,
		extraEnv:   opts.Env,
		byName:     map[string]*service{},
		subs:       map[chan Snapshot]struct{}{},
	}
	if s.log == nil {
		s.log = hclog.NewNullLogger()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.runtimeDir == "" {
		s.runtimeDir = filepath.Join(os.TempDir(), "berth")
	}
	if s.pickPort == nil {
		s.pickPort = portcheck.FreePort
	}
	logBytes := opts.LogBytes
	if logBytes <= 0 {
		logBytes = DefaultLogBytes
	}
	for _, sp := range specs {
		s.specs = append(s.specs, withDefaults(sp))
	}
	s.specMap = specMap(s.specs)
	now := s.now()
	for _, sp := range s.specs {
		svc := &service{
			spec:   sp,
			wake:   make(chan struct{}, 1),
			logs:   newLogBuffer(sp.Name, sp.LogLines, logBytes, &s.logChanged),
			broken: dependencyProblem(sp.Name, s.specs),
			kind:   sp.Runtime,
			st:     ServiceState{Name: sp.Name, Runtime: sp.Runtime, State: Stopped, Since: now},
		}
		if svc.broken != "" {
			svc.st.State, svc.st.Detail = Failed, svc.broken
		}
		s.services = append(s.services, svc)
		s.byName[sp.Name] = svc
	}
	s.mu.Lock()
	s.publishLocked()
	s.mu.Unlock()
	return s
}

// Run supervises the services until ctx ends, then stops every service in
// reverse dependency order and returns once all have stopped. Commands
// given before Run take effect when it begins.
func (s *Supervisor) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.ran {
		s.mu.Unlock()
		return errors.New("engine: Run called twice")
	}
	s.ran = true
	s.mu.Unlock()

	// The services outlive ctx until they have stopped in order.
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	var wg sync.WaitGroup
	for _, svc := range s.services {
		wg.Go(func() { s.serve(sctx, svc) })
	}
	<-ctx.Done()
	s.log.Debug("stopping the stack")
	s.StopAll()
	s.waitAllDown()
	cancel()
	wg.Wait()
	return nil
}

// waitAllDown returns once no service has a run going.
func (s *Supervisor) waitAllDown() {
	for {
		s.mu.Lock()
		ch := s.changed.wait()
		busy := false
		for _, svc := range s.services {
			busy = busy || isActive(svc.st.State)
		}
		s.mu.Unlock()
		if !busy {
			return
		}
		<-ch
	}
}
