package app

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/berth-dev/berth/app/stack"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/proc"
	"github.com/hashicorp/go-hclog"
)

// Session is one stack opened by this Berth: loaded, locked against a
// second Berth, and run by the engine until Close.
type Session struct {
	Stack *stack.Stack
	sup   *engine.Supervisor
	procs *proc.Runtime
	lock  *stackLock

	cancel context.CancelFunc
	done   chan struct{} // closed when the engine's Run returns
	runErr error
	once   sync.Once
}

// OpenOptions say which stack to open.
type OpenOptions struct {
	Load stack.LoadOptions
	Log  hclog.Logger
}

// Open loads the stack, takes its lock (one Berth per stack) and starts
// the engine; no service starts until asked.
func Open(ctx context.Context, opts OpenOptions) (*Session, error) {
	st, err := stack.Load(ctx, opts.Load)
	if err != nil {
		return nil, err
	}
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
	sup := engine.New(st.Services, map[engine.RuntimeKind]engine.Runtime{engine.Process: procs},
		engine.Options{Logger: opts.Log.Named("engine"), RuntimeDir: dir})
	runCtx, cancel := context.WithCancel(context.Background())
	s := &Session{Stack: st, sup: sup, procs: procs, lock: lock, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		s.runErr = sup.Run(runCtx)
	}()
	return s, nil
}

// Controller is how the surfaces drive the stack.
func (s *Session) Controller() Controller { return s.sup }

// Close stops every service in reverse dependency order, waits for them,
// and releases the stack.
func (s *Session) Close() error {
	s.once.Do(func() {
		s.cancel()
		<-s.done
		s.procs.Close() // whatever still runs, and the guardian
		s.lock.release()
	})
	return s.runErr
}
