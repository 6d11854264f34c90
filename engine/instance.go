package engine

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// runner runs a service's runs for its supervising goroutine; its fields
// are that goroutine's alone.
type runner struct {
	s      *Supervisor
	svc    *service
	picked int     // the port the engine picked, kept across runs
	old    *oldRun // the instance a move replaces, while it serves on
}

// ending is how one run ended.
type ending struct {
	byControl bool // a command or the end of the supervisor stopped it
	unhealthy bool // it turned unhealthy and was stopped to restart it
	code      int
	err       error
	why       string        // unhealthy: what the failing check said
	goodFor   time.Duration // how long it was in good health
}

// words says how a run ended, for a Detail.
func (e ending) words() string {
	switch {
	case e.unhealthy:
		return "unhealthy (" + e.why + ")"
	case e.err != nil:
		return fmt.Sprintf("exit code %d: %v", e.code, e.err)
	}
	return fmt.Sprintf("exit code %d", e.code)
}

// run starts run gen of the service with runtime rt (of kind kind) and
// restarts it as its policy says, until it ends for good or a command
// takes over.
func (r *runner) run(ctx context.Context, gen uint64, rt Runtime, kind RuntimeKind) {
	s, svc, spec := r.s, r.svc, r.svc.spec
	if r.old != nil && r.old.kind == kind {
		r.retire() // moved back before the move was done: the old one goes
	}
	attempts := 0
	for {
		var end ending
		var failed string // why the run's instance never ran, or ""
		t, err := r.prepare(kind, rt)
		if err != nil {
			failed = err.Error()
		} else if end, err = r.once(ctx, gen, rt, kind, t); err != nil {
			failed = "could not start: " + err.Error()
		}
		switch {
		case failed != "" && r.old != nil:
			end, kind = r.rollBack(ctx, gen, kind, failed)
		case failed != "":
			s.log.Warn("could not start", "service", spec.Name, "error", failed)
			s.finish(svc, gen, Failed, failed, 0)
			return
		case end.byControl:
			return
		case r.old != nil: // the new instance ended before it was in good health
			end, kind = r.rollBack(ctx, gen, kind, end.words())
		}
		if end.byControl {
			return
		}
		rt = s.runtimes[kind]
		c := s.controlOf(svc)
		d := decideRestart(restartInput{
			Policy:        spec.Restart,
			OnUnhealthy:   spec.RestartOnUnhealthy,
			Unhealthy:     end.unhealthy,
			ExitCode:      end.code,
			StoppedByUser: !c.up || c.gen != gen,
			Attempts:      attempts,
			GoodFor:       end.goodFor,
			Backoff:       spec.Backoff,
		})
		switch {
		case d.GaveUp:
			s.finish(svc, gen, Failed, fmt.Sprintf("gave up after %d restarts; %s", d.Attempts, end.words()), end.code)
			return
		case !d.Restart:
			s.finish(svc, gen, Exited, end.words(), end.code)
			return
		}
		attempts = d.Attempts
		at := s.now().Add(d.Delay)
		s.log.Info("restarting", "service", spec.Name, "after", end.words(), "in", d.Delay)
		s.update(svc, func(st *ServiceState) {
			st.State, st.Detail = Crashed, end.words()+"; restarting at "+at.Format("15:04:05")
			st.RestartAt, st.ExitCode, st.Pid = at, end.code, 0
			st.Restarts++
		})
		if !r.sleep(ctx, gen, d.Delay) || !s.claimRestart(svc, gen) {
			return
		}
	}
}

// sleep waits out a backoff; false when a command or the end of ctx cut
// it short (a Restart or Stop decides what comes next, not the backoff).
func (r *runner) sleep(ctx context.Context, gen uint64, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		select {
		case <-timer.C:
			return true
		case <-r.svc.wake:
			if c := r.s.controlOf(r.svc); !c.up || c.gen != gen {
				return false
			}
		case <-ctx.Done():
			return false
		}
	}
}

// once starts one instance and supervises it until it ends. A start
// that a newer command makes pointless (a stop while the image is
// pulled) is cancelled, and ends by control.
func (r *runner) once(ctx context.Context, gen uint64, rt Runtime, kind RuntimeKind, t target) (ending, error) {
	s, svc := r.s, r.svc
	stdout := newLineWriter(svc.logs, Stdout, s.now)
	stderr := newLineWriter(svc.logs, Stderr, s.now)
	defer stdout.Flush()
	defer stderr.Flush()
	from := svc.logs.nextSeq()
	ictx, icancel := context.WithCancel(ctx)
	defer icancel()
	run := s.beginRun(svc)
	defer s.setStatus(svc, run, Status{}) // whatever the runtime said is over
	out := Output{Stdout: stdout, Stderr: stderr, Status: func(st Status) { s.setStatus(svc, run, st) }}
	started := s.now()
	superseded := make(chan struct{})
	var watch sync.WaitGroup
	watch.Go(func() { r.cancelWhenSuperseded(ictx, gen, icancel, superseded) })
	inst, err := rt.Start(ictx, svc.spec, t.Env, out)
	close(superseded)
	watch.Wait()
	if err != nil {
		if ictx.Err() != nil { // a command or the end of the supervisor took over
			return ending{byControl: true}, nil
		}
		return ending{}, err
	}
	s.log.Debug("started", "service", svc.spec.Name, "pid", inst.Pid())
	return r.supervise(ctx, gen, inst, waitFor(inst), kind, t, started, from), nil
}

// cancelWhenSuperseded cancels a start in progress once the user wants
// something else of the service (a stop, a restart, another runtime),
// until done is closed.
func (r *runner) cancelWhenSuperseded(ctx context.Context, gen uint64, cancel context.CancelFunc, done <-chan struct{}) {
	for {
		ch := r.svc.commanded.wait()
		if c := r.s.controlOf(r.svc); !c.up || c.gen != gen {
			cancel()
			return
		}
		select {
		case <-ch:
		case <-done:
			return
		case <-ctx.Done():
			return
		}
	}
}

type exitResult struct {
	code int
	err  error
}

// waitFor delivers the instance's end on the channel it returns. Its
// goroutine ends when the instance does; whoever runs the instance waits
// for that.
func waitFor(inst Instance) <-chan exitResult {
	exited := make(chan exitResult, 1)
	go func() {
		code, err := inst.Wait()
		exited <- exitResult{code, err}
	}()
	return exited
}

// healthEvent is one check's result and the check's status after it.
type healthEvent struct {
	idx    int
	result ProbeResult
	status healthStatus
}

// supervise watches a running instance: its exit (delivered on exited,
// see waitFor), its health checks and the user's commands. It returns
// once the instance has ended, or has been handed to a move (keep).
func (r *runner) supervise(ctx context.Context, gen uint64, inst Instance, exited <-chan exitResult, kind RuntimeKind, t target, started time.Time, logFrom uint64) ending {
	s, svc, spec := r.s, r.svc, r.svc.spec
	stop := func() {
		if err := inst.Stop(spec.StopSignal, spec.StopGrace); err != nil {
			s.log.Warn("stopping", "service", spec.Name, "error", err)
		}
		<-exited
	}
	hctx, hcancel := context.WithCancel(ctx)
	events := make(chan healthEvent)
	health := r.startChecks(hctx, inst, t, started, logFrom, events)
	defer health.wg.Wait()
	defer hcancel()

	detail := ""
	if len(health.statuses) > 0 {
		detail = "health: starting"
	}
	s.update(svc, func(st *ServiceState) {
		st.State, st.Detail = Running, detail
		st.Pid, st.Port, st.Socket, st.Host, st.RestartAt = inst.Pid(), t.Port, t.Socket, t.Host, time.Time{}
	})
	if len(health.statuses) == 0 {
		r.handOver(ctx) // in good health from the start
	}
	for {
		s.mu.Lock()
		changed := s.changed.wait()
		c, want := svc.ctl, svc.kind
		s.mu.Unlock()
		var waitOthers <-chan struct{}
		switch {
		case ctx.Err() != nil:
			stop()
			return ending{byControl: true}
		case c.gen != gen:
			if c.up && movable(spec, kind, want) && r.old == nil {
				r.keep(&oldRun{inst: inst, kind: kind, exited: exited, t: t, started: started, logFrom: logFrom}, hcancel)
				return ending{byControl: true}
			}
			stop()
			return ending{byControl: true}
		case !c.up:
			if blockers := s.stopBlockersOf(svc); c.ordered && len(blockers) > 0 {
				waitOthers = changed
				s.update(svc, func(st *ServiceState) { st.Detail = "stopping after " + strings.Join(blockers, ", ") })
				break
			}
			stop()
			return ending{byControl: true}
		}
		select {
		case e := <-exited:
			return ending{code: e.code, err: e.err, goodFor: health.goodFor(s.now())}
		case ev := <-events:
			goodFor := health.goodFor(s.now())
			h := health.take(ev, s.now())
			s.update(svc, func(st *ServiceState) { applyHealth(st, h, ev.result) })
			if h == healthGood {
				r.handOver(ctx)
			}
			if h == healthBad && spec.RestartOnUnhealthy && c.up {
				stop()
				return ending{unhealthy: true, why: health.lastFailure, goodFor: goodFor}
			}
		case <-svc.wake:
		case <-waitOthers:
		case <-ctx.Done():
		}
	}
}

// runHealth is one run's health as its checks report it.
type runHealth struct {
	wg          sync.WaitGroup // the checks' goroutines
	statuses    []healthStatus // per check
	goodSince   time.Time      // zero while not in good health
	lastFailure string
}

// startChecks starts a goroutine per check of the run, each sending its
// results on events until ctx ends. A run without checks is in good
// health from its start.
func (r *runner) startChecks(ctx context.Context, inst Instance, t target, started time.Time, logFrom uint64, events chan<- healthEvent) *runHealth {
	s, spec := r.s, r.svc.spec
	h := &runHealth{}
	// A runtime that runs the healthcheck itself (a container's
	// HEALTHCHECK, inside the container) reports its results; the
	// Compose healthcheck is then not run on the host as well.
	reporter, ownCheck := inst.(HealthReporter)
	checks := checkersFor(spec, t, s.runtimes[Process], !ownCheck)
	for i, c := range checks {
		h.wg.Go(func() { runCheck(ctx, c, i, started, events, s.now) })
	}
	logs := logProbes(spec)
	for j, p := range logs {
		f := &Follower{bufs: []*logBuffer{r.svc.logs}, next: []uint64{logFrom}, changed: &s.logChanged}
		h.wg.Go(func() { watchLog(ctx, f, p, len(checks)+j, events, s.now) })
	}
	n := len(checks) + len(logs)
	if ownCheck {
		if reports := reporter.Health(); reports != nil {
			idx := n
			h.wg.Go(func() { relayHealth(ctx, reports, idx, events) })
			n++
		}
	}
	h.statuses = make([]healthStatus, n)
	if len(h.statuses) == 0 {
		h.goodSince = started
	}
	return h
}

// take records a check's result and returns the run's overall health.
func (h *runHealth) take(ev healthEvent, now time.Time) healthStatus {
	h.statuses[ev.idx] = ev.status
	if !ev.result.OK {
		h.lastFailure = failureWords(ev.result)
	}
	overall := overallHealth(h.statuses)
	switch {
	case overall == healthGood && h.goodSince.IsZero():
		h.goodSince = now
	case overall == healthBad:
		h.goodSince = time.Time{}
	}
	return overall
}

// goodFor is how long the run has been in good health.
func (h *runHealth) goodFor(now time.Time) time.Duration {
	if h.goodSince.IsZero() {
		return 0
	}
	return now.Sub(h.goodSince)
}

// applyHealth shows a service's overall health in its state, with the
// result that just came in.
func applyHealth(st *ServiceState, h healthStatus, res ProbeResult) {
	st.Health = withResult(st.Health, res)
	switch h {
	case healthGood:
		st.State, st.Detail = Healthy, ""
	case healthBad:
		st.State = Unhealthy
		if !res.OK || st.Detail == "" {
			st.Detail = failureWords(res)
		}
	default:
		st.State, st.Detail = Running, "health: starting"
	}
}

// failureWords is a failed check in a few words: "http /health: HTTP
// 503 Service Unavailable".
func failureWords(res ProbeResult) string {
	if l := firstLine(res.Output); l != "" {
		return res.Probe + ": " + l
	}
	return res.Probe + " failed"
}
