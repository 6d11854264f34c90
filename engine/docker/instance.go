package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"syscall"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/berth-dev/berth/engine"
)

// drainLimit bounds how long output is read after the container exited.
const drainLimit = 2 * time.Second

// killTimeout bounds a signal's delivery: an engine that does not answer
// by then is taken for gone.
const killTimeout = 10 * time.Second

// healthBuffer is how many health results wait for a slow reader before
// the oldest are dropped.
const healthBuffer = 16

// instance is one run of a service as a container. Its supervise
// goroutine owns the run from start to removal; Stop only signals and
// waits.
type instance struct {
	rt *Runtime
	// ctx is the run's life: it ends with the runtime, or when Stop gives
	// the run up because the engine does not answer.
	ctx    context.Context
	cancel context.CancelFunc
	id     string
	name   string
	pid    int
	tty    bool
	out    engine.Output
	health chan engine.HealthReport // nil when the container has no healthcheck
	exited chan struct{}            // closed when the container's end is known
	done   chan struct{}            // closed when the run is over: output read, container removed
	code   int                      // valid once done is closed
	err    error

	mu         sync.Mutex // guards the fields that follow
	abandoned  bool       // stopped while the engine was away
	healthDone bool       // health is closed
	lastCheck  time.Time  // the newest healthcheck result sent
}

var (
	_ engine.Instance       = (*instance)(nil)
	_ engine.HealthReporter = (*instance)(nil)
)

func newInstance(rt *Runtime, id, name string, pid int, tty, withHealth bool, out engine.Output) *instance {
	i := &instance{
		rt: rt, id: id, name: name, pid: pid, tty: tty, out: out,
		exited: make(chan struct{}),
		done:   make(chan struct{}),
	}
	i.ctx, i.cancel = context.WithCancel(rt.ctx)
	if withHealth {
		i.health = make(chan engine.HealthReport, healthBuffer)
	}
	return i
}

// Pid is the container's first process as the host sees it, or 0 for a
// remote engine.
func (i *instance) Pid() int { return i.pid }

// Health returns the results of the container's own healthcheck, which
// the engine runs inside it; nil when it has none.
func (i *instance) Health() <-chan engine.HealthReport {
	if i.health == nil {
		return nil
	}
	return i.health
}

// Wait returns the container's exit code once it has ended, its output
// has been read and it has been removed: 128+N for a death by signal N.
func (i *instance) Wait() (int, error) {
	<-i.done
	return i.code, i.err
}

// Stop sends sig to the container and kills it after grace; it returns
// once the run is over. With the engine away it cannot: the container is
// left to be removed once the engine is back, and Stop returns at once.
func (i *instance) Stop(sig syscall.Signal, grace time.Duration) error {
	select {
	case <-i.done:
		return nil
	default:
	}
	if sig == 0 {
		sig = syscall.SIGTERM
	}
	ctx := i.rt.ctx
	if err := i.kill(ctx, sig); err != nil {
		return err
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-i.exited:
	case <-i.done:
	case <-t.C:
		if err := i.kill(ctx, syscall.SIGKILL); err != nil {
			return err
		}
	}
	<-i.done
	return nil
}

// kill sends sig; when the engine does not answer, the run is abandoned.
func (i *instance) kill(ctx context.Context, sig syscall.Signal) error {
	kctx, cancel := context.WithTimeout(ctx, killTimeout)
	err := i.rt.cli.ContainerKill(kctx, i.id, strconv.Itoa(int(sig)))
	cancel()
	if err == nil || cerrdefs.IsNotFound(err) || cerrdefs.IsConflict(err) { // gone, or not running any more
		return nil
	}
	if i.rt.conn.check(ctx) == nil {
		return fmt.Errorf("stopping container %s: %w", i.name, err)
	}
	i.mu.Lock()
	i.abandoned = true
	i.mu.Unlock()
	i.cancel() // the supervising goroutine stops waiting for the engine
	<-i.done
	return nil
}

// logsFrom says where the output starts: a new container's from its
// beginning, a reattached one's last lines, a resumed one's from when the
// stream broke.
type logsFrom struct {
	tail  int
	since time.Time
}

// supervise follows the container until it ends, through the engine
// going away and coming back, then removes it.
func (i *instance) supervise(from logsFrom) {
	ctx := i.ctx
	defer i.cancel()
	for {
		lctx, lcancel := context.WithCancel(ctx)
		logsDone := make(chan struct{})
		go func() { // ends with the stream or lctx
			defer close(logsDone)
			i.follow(lctx, from)
		}()
		code, err := i.wait(ctx)
		if err == nil {
			close(i.exited)
			select {
			case <-logsDone:
			case <-time.After(drainLimit):
			}
			lcancel()
			<-logsDone
			i.finish(code, nil, true)
			return
		}
		lcancel()
		<-logsDone
		broke := time.Now()
		if ctx.Err() != nil {
			i.givenUp()
			return
		}
		done, code, ferr := i.afterBreak(ctx)
		if ctx.Err() != nil {
			i.givenUp()
			return
		}
		if done {
			close(i.exited)
			i.finish(code, ferr, ferr == nil)
			return
		}
		from = logsFrom{since: broke}
	}
}

// givenUp ends a run that is no longer followed: the runtime closed, or
// Stop gave it up with the engine away. Then the container is removed
// once the engine answers again.
func (i *instance) givenUp() {
	i.mu.Lock()
	abandoned := i.abandoned
	i.mu.Unlock()
	if !abandoned {
		i.finish(-1, ErrClosed, false)
		return
	}
	i.rt.doom(i.id)
	i.finish(-1, fmt.Errorf("%w: container %s is removed once it answers", ErrUnreachable, i.name), false)
}

// afterBreak handles a wait that failed: with the engine there it asks
// how the container is; with the engine away it waits for it, saying so
// through Status, until it answers or ctx ends (Stop gave the run up, or
// the runtime closed). done is set when the run is over, with its exit
// code or why it was lost.
func (i *instance) afterBreak(ctx context.Context) (done bool, code int, err error) {
	r := i.rt
	if r.conn.check(ctx) != nil {
		status := i.out.Status
		if status == nil {
			status = func(engine.Status) {}
		}
		werr := r.conn.ready(ctx, func(reason string) {
			status(engine.Status{State: engine.Waiting, Detail: ErrUnreachable.Error() + ": " + reason})
		})
		status(engine.Status{})
		if werr != nil {
			return false, 0, nil // the caller sees ctx ended
		}
	}
	info, err := r.cli.ContainerInspect(ctx, i.id)
	switch {
	case cerrdefs.IsNotFound(err):
		return true, -1, fmt.Errorf("container %s was removed outside Berth", i.name)
	case err != nil: // try again, not in a hot loop
		select {
		case <-time.After(r.conn.every):
		case <-ctx.Done():
		}
		return false, 0, nil
	case info.State == nil || !info.State.Running:
		code := 0
		if info.State != nil {
			code = info.State.ExitCode
		}
		return true, code, nil
	}
	i.healthChanged(ctx) // results that came while away
	return false, 0, nil
}

// wait blocks until the container is not running and returns its exit
// code; an error means the engine could not say (gone away, or the
// container removed).
func (i *instance) wait(ctx context.Context) (int, error) {
	waitCh, errCh := i.rt.cli.ContainerWait(ctx, i.id, container.WaitConditionNotRunning)
	select {
	case w := <-waitCh:
		if w.Error != nil && w.Error.Message != "" {
			return int(w.StatusCode), errors.New(w.Error.Message)
		}
		return int(w.StatusCode), nil
	case err := <-errCh:
		return 0, err
	}
}

// follow copies the container's output into out until the stream ends:
// two streams demultiplexed, or one for a TTY container.
func (i *instance) follow(ctx context.Context, from logsFrom) {
	opts := container.LogsOptions{ShowStdout: true, ShowStderr: true, Follow: true}
	if from.tail > 0 {
		opts.Tail = strconv.Itoa(from.tail)
	}
	if !from.since.IsZero() {
		opts.Since = fmt.Sprintf("%d.%09d", from.since.Unix(), from.since.Nanosecond())
	}
	rc, err := i.rt.cli.ContainerLogs(ctx, i.id, opts)
	if err != nil {
		return
	}
	defer rc.Close()
	stdout, stderr := i.out.Writers()
	if i.tty {
		io.Copy(stdout, rc)
		return
	}
	stdcopy.StdCopy(stdout, stderr, rc)
}

// finish ends the run: the container removed (unless the engine cannot
// be asked), health closed, Wait released.
func (i *instance) finish(code int, err error, remove bool) {
	r := i.rt
	if remove {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), 30*time.Second)
		if rerr := r.remove(ctx, i.id, false); rerr != nil {
			r.log.Warn("removing an ended container", "container", i.name, "error", rerr)
			r.doom(i.id)
			r.conn.check(ctx) // perhaps the engine went away
		}
		cancel()
	}
	i.mu.Lock()
	if i.health != nil && !i.healthDone {
		i.healthDone = true
		close(i.health)
	}
	i.mu.Unlock()
	i.code, i.err = code, err
	r.forget(i)
	close(i.done)
}

// healthChanged reads the container's health results and sends the ones
// not sent yet, each with the status after the newest.
func (i *instance) healthChanged(ctx context.Context) {
	if i.health == nil {
		return
	}
	info, err := i.rt.cli.ContainerInspect(ctx, i.id)
	if err != nil || info.State == nil || info.State.Health == nil {
		return
	}
	h := info.State.Health
	status := healthState(h.Status)
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.healthDone {
		return
	}
	for _, res := range h.Log {
		if res == nil || !res.Start.After(i.lastCheck) {
			continue
		}
		i.lastCheck = res.Start
		i.sendLocked(engine.HealthReport{Status: status, Result: engine.ProbeResult{
			At: res.Start, Probe: "healthcheck", OK: res.ExitCode == 0, Output: engine.HealthOutput(res.Output, res.ExitCode),
		}})
	}
}

// sendLocked queues a report, dropping the oldest when the reader is
// behind: the newest status is what counts.
func (i *instance) sendLocked(rep engine.HealthReport) {
	for {
		select {
		case i.health <- rep:
			return
		default:
		}
		select {
		case <-i.health:
		default:
		}
	}
}

// healthState maps Docker's health words to the engine's states.
func healthState(s string) engine.State {
	switch s {
	case container.Healthy:
		return engine.Healthy
	case container.Unhealthy:
		return engine.Unhealthy
	}
	return engine.Running
}
