package proc

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"

	"github.com/berth-dev/berth/engine"
)

// ErrClosed is what Start returns once the Runtime is closed.
var ErrClosed = errors.New("process runtime closed")

// recordFile is the record's name inside Options.StateDir.
const recordFile = "pgids"

// Runtime runs services as local processes, each in its own process group.
// Make one per stack with New and Close it when the stack is done.
type Runtime struct {
	opts  Options
	token string // RunEnv's value for this Runtime
	rec   *record
	guard *guardian // nil where the platform needs none (Windows)
	spawn *spawner

	mu     sync.Mutex // guards the fields that follow
	closed bool
	live   map[*instance]struct{}
}

var _ engine.Runtime = (*Runtime)(nil)

// New reaps what a previous Berth of the same stack left behind (groups in
// the record that still carry that run's marker), then starts the guardian.
func New(opts Options) (*Runtime, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("process runtime: %w", err)
	}
	token, err := newRunToken()
	if err != nil {
		return nil, fmt.Errorf("process runtime: %w", err)
	}
	rec := &record{path: filepath.Join(opts.StateDir, recordFile), token: token, groups: map[int]bool{}}
	if left, err := readRecord(rec.path); err != nil {
		opts.Log.Warn("reading the process record", "error", err)
	} else if len(left) > 0 {
		if reaped := reapLeftovers(left, opts.GuardianGrace); len(reaped) > 0 {
			opts.Log.Info("stopped processes a previous Berth left running", "groups", reaped)
		}
	}
	if err := rec.flush(); err != nil {
		return nil, fmt.Errorf("process runtime: %w", err)
	}
	guard, err := startGuardian(opts.Executable, token, opts.GuardianGrace, opts.Log)
	if err != nil {
		return nil, fmt.Errorf("process runtime: starting the guardian: %w", err)
	}
	return &Runtime{
		opts:  opts,
		token: token,
		rec:   rec,
		guard: guard,
		spawn: newSpawner(),
		live:  map[*instance]struct{}{},
	}, nil
}

// Start runs spec.Command in spec.Dir, in a new process group, with
// os.Environ() overlaid by spec.Env, then env, then the run's markers.
// $PORT and $BERTH_SOCKET in the command's words are expanded from env
// (see ExpandWord). Output goes to out through pipes, one goroutine per
// stream: out's writers must not block (the engine's log buffers don't),
// or the service blocks writing its output. ctx bounds the start only;
// the service runs until it exits or is stopped.
func (r *Runtime) Start(ctx context.Context, spec engine.Spec, env map[string]string, out engine.Output) (engine.Instance, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(spec.Command) == 0 {
		return nil, fmt.Errorf("starting %s: no command", spec.Name)
	}
	argv := make([]string, len(spec.Command))
	for i, w := range spec.Command {
		argv[i] = ExpandWord(w, env)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = spec.Dir
	cmd.Env = r.environ(spec.Env, env)
	cmd.SysProcAttr = sysProcAttr()

	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("starting %s: %w", spec.Name, err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, fmt.Errorf("starting %s: %w", spec.Name, err)
	}
	cmd.Stdout, cmd.Stderr = outW, errW

	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		closeAll(outR, outW, errR, errW)
		return nil, fmt.Errorf("starting %s: %w", spec.Name, ErrClosed)
	}
	var startErr error
	r.spawn.do(func() { startErr = cmd.Start() })
	closeAll(outW, errW) // the child has its copies
	if startErr != nil {
		closeAll(outR, errR)
		return nil, fmt.Errorf("starting %s: %w", spec.Name, startErr)
	}
	grp, err := newGroup(cmd.Process)
	if err != nil {
		r.opts.Log.Warn("service not fully contained", "service", spec.Name, "error", err)
	}
	stopSig := spec.StopSignal
	if stopSig == 0 {
		stopSig = syscall.SIGTERM
	}
	if err := r.rec.add(cmd.Process.Pid); err != nil {
		r.opts.Log.Warn("recording the process group", "service", spec.Name, "error", err)
	}
	r.guard.hold(cmd.Process.Pid, stopSig)
	inst := newInstance(r, cmd, grp, out, outR, errR)
	r.live[inst] = struct{}{}
	go inst.supervise()
	return inst, nil
}

// environ is a service's environment; exec keeps the last of duplicates.
func (r *Runtime) environ(specEnv, env map[string]string) []string {
	e := append(os.Environ(), EnvList(specEnv)...)
	e = append(e, EnvList(env)...)
	return append(e, ProjectEnv+"="+r.opts.Project, RunEnv+"="+r.token)
}

// EnvList is env as KEY=VALUE entries sorted by key: a process's
// environment, and a container's.
func EnvList(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for _, k := range slices.Sorted(maps.Keys(env)) {
		out = append(out, k+"="+env[k])
	}
	return out
}

// forget drops an ended instance's group from the record and the guardian.
func (r *Runtime) forget(i *instance) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.live, i)
	if err := r.rec.remove(i.pid); err != nil {
		r.opts.Log.Warn("updating the process record", "error", err)
	}
	r.guard.release(i.pid)
}

// GuardianPid is the guardian's process ID, or 0 without one; for
// diagnostics and tests.
func (r *Runtime) GuardianPid() int { return r.guard.pid() }

// Close kills whatever still runs (the engine should have stopped it in
// order first) and any process that left its group but carries this run's
// marker, then dismisses the guardian and removes the record. Start fails
// after Close.
func (r *Runtime) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	live := make([]*instance, 0, len(r.live))
	for i := range r.live {
		live = append(live, i)
	}
	r.mu.Unlock()
	for _, i := range live {
		i.Stop(syscall.SIGKILL, 0)
	}
	sweep(r.token, r.opts.GuardianGrace)
	gerr := r.guard.close()
	rerr := r.rec.removeFile()
	r.spawn.stop()
	if gerr != nil {
		return fmt.Errorf("process runtime: guardian: %w", gerr)
	}
	return rerr
}

func closeAll(files ...*os.File) {
	for _, f := range files {
		f.Close()
	}
}
