package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/berth-dev/berth/app/demo"
	"github.com/berth-dev/berth/app/stack"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/docker"
	"github.com/berth-dev/berth/engine/portcheck"
	"github.com/berth-dev/berth/engine/proc"
	"github.com/hashicorp/go-hclog"
)

// Session is one stack opened by this Berth: loaded, locked against a
// second Berth, and run by the engine until Close.
type Session struct {
	Stack *stack.Stack
	sup   *engine.Supervisor
	procs *proc.Runtime
	// containers runs the container services; nil when no Docker client
	// can be made from the user's settings (a broken DOCKER_HOST).
	containers *docker.Runtime
	lock       *stackLock
	// gw serves x-berth.gateway's nginx config; nil when the stack has none.
	gw *stackGateway

	cancel   context.CancelFunc
	done     chan struct{} // closed when the engine's Run returns
	gwDone   chan struct{} // closed when the gateway stops following the engine
	runErr   error
	closeErr error // what Close could not clean up
	once     sync.Once
}

// OpenOptions say which stack to open.
type OpenOptions struct {
	Load stack.LoadOptions
	Log  hclog.Logger
	// Events receives what the session has to tell the user beyond
	// service states: gateway reloads and their route diffs.
	Events func(string)
	// Demo opens the built-in demo stack, whatever the folder holds.
	Demo bool
	// GatewayPorts map listen ports to local ports over the stack file's
	// own x-berth.gateway.ports (the desktop app's settings).
	GatewayPorts map[int]int
}

// Open loads the stack, takes its lock (one Berth per stack) and starts
// the engine; no service starts until asked.
func Open(ctx context.Context, opts OpenOptions) (*Session, error) {
	var st *stack.Stack
	var err error
	if opts.Demo {
		st, err = loadDemo(ctx, opts.Load)
	} else {
		st, err = stack.Load(ctx, opts.Load)
		if errors.Is(err, stack.ErrNoStackFile) && len(opts.Load.Files) == 0 {
			st, err = loadDemo(ctx, opts.Load)
		}
	}
	if err != nil {
		return nil, err
	}
	overridePorts(st, opts.GatewayPorts)
	id := stackID(st.Files[0])
	dir, err := runtimeDir(id)
	if err != nil {
		return nil, fmt.Errorf("making the stack's runtime folder: %w", err)
	}
	lock, err := lockStack(dir)
	if errors.Is(err, ErrStackRunning) {
		return nil, fmt.Errorf("stack %s (%s): %w", st.Name, st.Files[0], err)
	}
	if err != nil {
		return nil, err
	}
	procs, err := proc.New(proc.Options{Project: id, StateDir: dir, Log: opts.Log.Named("proc")})
	if err != nil {
		lock.release()
		return nil, fmt.Errorf("starting the process runtime: %w", err)
	}
	runtimes := map[engine.RuntimeKind]engine.Runtime{engine.Process: procs}
	// The container runtime never waits for the engine: without one, the
	// container services say so and the process services run on.
	containers, err := docker.New(docker.Options{Project: st.Project, Stack: id, Log: opts.Log.Named("docker")})
	if err != nil {
		opts.Log.Error("container services cannot run", "error", err)
	} else {
		runtimes[engine.Container] = containers
	}
	specs := withPorts(st.Services, portcheck.FreePort)
	book := addressBook{specs: specs, project: st.Project}
	if containers != nil {
		book.engineHost = containers.Address
	}
	var gw *stackGateway // set before the engine runs
	sup := engine.New(specs, runtimes, engine.Options{
		Logger: opts.Log.Named("engine"), RuntimeDir: dir, Env: book.env,
		// A service moving make-before-break: its old instance stops once
		// the gateway routes to the new one.
		Moved: func(ctx context.Context, snap engine.Snapshot) {
			if gw != nil {
				gw.routed.wait(ctx, snap.Version)
			}
		},
	})
	if st.Gateway != nil {
		gw, err = startStackGateway(st, opts.Log.Named("gateway"), opts.Events)
		if err != nil {
			if containers != nil {
				containers.Close()
			}
			procs.Close()
			lock.release()
			return nil, fmt.Errorf("the stack's gateway: %w", err)
		}
		gw.loadStack = reloader(opts, st)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	s := &Session{Stack: st, sup: sup, procs: procs, containers: containers, lock: lock, gw: gw, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		s.runErr = sup.Run(runCtx)
	}()
	if gw != nil {
		snaps, unsubscribe := sup.Subscribe()
		s.gwDone = make(chan struct{})
		go func() {
			defer close(s.gwDone)
			defer unsubscribe()
			gw.follow(runCtx, snaps)
		}()
	}
	return s, nil
}

// Controller is how the surfaces drive the stack.
func (s *Session) Controller() Controller { return s.sup }

// Close stops every service in reverse dependency order, waits for them,
// removes the stack's containers and its network, and releases the
// stack.
func (s *Session) Close() error {
	s.once.Do(func() {
		s.cancel()
		<-s.done
		if s.gw != nil {
			<-s.gwDone
			s.gw.stop()
		}
		if s.containers != nil {
			s.closeErr = s.containers.Close()
		}
		s.procs.Close() // whatever still runs, and the guardian
		s.lock.release()
	})
	return errors.Join(s.runErr, s.closeErr)
}

// URLs are the local URLs of the stack's server blocks, when it has a
// gateway.
func (s *Session) URLs() []string {
	if s.gw == nil {
		return nil
	}
	return s.gw.urls()
}

// loadDemo loads the built-in demo stack (when there is no stack file):
// the seed's four services, each the berth binary in demo mode, behind
// the seed's nginx config. Its files are written to the user's cache
// folder, so compose-go reads them as any stack.
func loadDemo(ctx context.Context, load stack.LoadOptions) (*stack.Stack, error) {
	dir := demoDir()
	if err := demo.WriteStack(dir); err != nil {
		return nil, fmt.Errorf("writing the demo stack: %w", err)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding Berth's own executable for the demo: %w", err)
	}
	env := load.Env
	if env == nil {
		env = os.Environ()
	}
	load.WorkDir, load.Files = dir, nil
	load.Env = append(append([]string(nil), env...), demo.BinEnv+"="+exe)
	return stack.Load(ctx, load)
}

// demoDir is where the demo's stack files are written.
func demoDir() string {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "berth", "demo")
}
