package engine

import (
	"context"
	"time"
)

// movedTimeout bounds the wait for Options.Moved: a router that never
// answers delays the old instance's stop, never blocks it for good.
const movedTimeout = 10 * time.Second

// movable tells whether a service switching from one runtime to another
// can have its new instance up beside the old one (make-before-break):
// only when the two serve at different addresses. A socket service does:
// as a process it serves on its unix socket, as a container on a TCP
// port Berth picks. A service on a fixed port has the two compete for
// it, and one that serves nothing would have two workers at a time, so
// both stop first.
func movable(spec Spec, from, to RuntimeKind) bool {
	return from != to && spec.Serves && spec.Socket != "" && spec.Port == 0
}

// oldRun is the instance a move replaces, serving until the new one is
// in good health.
type oldRun struct {
	inst    Instance
	kind    RuntimeKind
	exited  <-chan exitResult
	t       target    // where it serves
	started time.Time // when it started
	logFrom uint64    // its first log line

	gone   chan struct{} // closed once it has ended (watch)
	result exitResult    // how, once gone is closed
}

// keep hands a running instance over to the move under way: it serves
// on, shown as the service's state, while the new instance starts.
func (r *runner) keep(old *oldRun, stopChecks context.CancelFunc) {
	stopChecks()
	r.old = old
	old.gone = make(chan struct{})
	s, svc := r.s, r.svc
	s.mu.Lock()
	shown := svc.shownLocked()
	svc.movingFrom = &shown
	s.log.Info("moving", "service", svc.spec.Name, "to", svc.kind)
	s.publishLocked()
	s.mu.Unlock()
	go r.watch(old, &shown) // ends with the old instance, which every path stops
}

// watch waits for the end of a move's old instance. One that ends by
// itself before the move is done is no longer shown as serving: the
// service shows the new run's state.
func (r *runner) watch(old *oldRun, shown *ServiceState) {
	old.result = <-old.exited
	close(old.gone)
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.svc.movingFrom == shown {
		r.svc.movingFrom = nil
		s.log.Warn("the instance being replaced ended", "service", r.svc.spec.Name, "exit code", old.result.code)
		s.publishLocked()
	}
}

// handOver ends a move whose new instance is in good health: the new
// instance is published where it serves, whatever routes to the service
// is given the time to follow (Options.Moved), then the old instance
// stops. Without a move it does nothing.
func (r *runner) handOver(ctx context.Context) {
	if r.old == nil {
		return
	}
	s := r.s
	s.mu.Lock()
	r.svc.movingFrom = nil
	s.publishLocked()
	snap := s.current.clone()
	s.mu.Unlock()
	if s.moved != nil {
		mctx, cancel := context.WithTimeout(ctx, movedTimeout)
		s.moved(mctx, snap)
		cancel()
	}
	r.stopOld()
}

// rollBack ends a move whose new instance (of kind to) could not start
// or ended before it was in good health: the old instance serves on, the
// service back on its runtime, and is supervised as the run's instance
// until it ends. It returns how it ended and its runtime's kind.
func (r *runner) rollBack(ctx context.Context, gen uint64, to RuntimeKind, why string) (ending, RuntimeKind) {
	s, svc, old := r.s, r.svc, r.old
	r.old = nil
	s.log.Warn("could not move; the old instance serves on", "service", svc.spec.Name, "to", to, "why", why)
	s.mu.Lock()
	svc.movingFrom = nil
	if svc.kind == to {
		svc.kind = old.kind
	}
	s.updateLocked(svc, func(st *ServiceState) { st.Runtime = svc.kind })
	s.mu.Unlock()
	exited := make(chan exitResult, 1)
	go func() { // ends with the old instance, which supervise waits for
		<-old.gone
		exited <- old.result
	}()
	return r.supervise(ctx, gen, old.inst, exited, old.kind, old.t, old.started, old.logFrom), old.kind
}

// retire ends a move that is called off or failed: the old instance
// stops, and the service shows the new run's state. Without a move it
// does nothing.
func (r *runner) retire() {
	if r.old == nil {
		return
	}
	r.s.mu.Lock()
	r.svc.movingFrom = nil
	r.s.publishLocked()
	r.s.mu.Unlock()
	r.stopOld()
}

// stopOld stops the old instance of a move and waits for its end.
func (r *runner) stopOld() {
	old, spec := r.old, r.svc.spec
	r.old = nil
	if err := old.inst.Stop(spec.StopSignal, spec.StopGrace); err != nil {
		r.s.log.Warn("stopping the instance a move replaced", "service", spec.Name, "error", err)
	}
	<-old.gone
}
