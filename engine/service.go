package engine

import (
	"context"
	"time"
)

// stepKind is what a service's goroutine does next.
type stepKind int

const (
	stepIdle stepKind = iota // nothing until a command
	stepWait                 // waiting on other services: look again on any change
	stepRun                  // start a run
)

type step struct {
	kind    stepKind
	gen     uint64
	rt      Runtime
	runtime RuntimeKind // rt's kind
}

// serve is a service's supervising goroutine. It owns the service's runs:
// it alone starts and stops them, and when ctx ends it stops the service
// and returns.
func (s *Supervisor) serve(ctx context.Context, svc *service) {
	r := &runner{s: s, svc: svc}
	for ctx.Err() == nil {
		s.mu.Lock()
		changed := s.changed.wait()
		next := s.nextStepLocked(svc)
		s.mu.Unlock()
		if next.kind != stepRun {
			r.retire() // a move that is called off: the old instance goes
		}
		switch next.kind {
		case stepRun:
			r.run(ctx, next.gen, next.rt, next.runtime)
			continue
		case stepIdle:
			changed = nil
		}
		select {
		case <-svc.wake:
		case <-changed:
		case <-ctx.Done():
		}
	}
	r.retire()
	s.update(svc, func(st *ServiceState) {
		if svc.broken == "" {
			st.State, st.Detail = Stopped, ""
		}
	})
}

// nextStepLocked decides, from what the user wants and the other
// services' states, what svc does now, and shows it in svc's state. A run
// is claimed here (state Starting) under the same lock, so a stop of the
// whole stack never misses a service about to start.
func (s *Supervisor) nextStepLocked(svc *service) step {
	c := svc.ctl
	set := func(state State, detail string) {
		s.updateLocked(svc, func(st *ServiceState) {
			st.State, st.Detail = state, detail
			st.Pid, st.Port, st.Socket, st.RestartAt = 0, 0, "", time.Time{}
		})
	}
	switch {
	case svc.broken != "":
		set(Failed, svc.broken)
		return step{kind: stepIdle}
	case !c.up:
		set(Stopped, "")
		return step{kind: stepIdle}
	case c.gen == c.doneGen:
		return step{kind: stepIdle} // ended for good: exited or failed
	}
	rt := s.runtimes[svc.kind]
	if rt == nil {
		if svc.kind == Container {
			set(Waiting, "needs the Docker runtime")
		} else {
			set(Waiting, "needs the "+string(svc.kind)+" runtime")
		}
		return step{kind: stepIdle}
	}
	if v := startVerdict(svc.spec, s.specMap, s.statesLocked()); !v.Start {
		set(Waiting, v.Detail)
		return step{kind: stepWait}
	}
	set(Starting, "")
	return step{kind: stepRun, gen: c.gen, rt: rt, runtime: svc.kind}
}

// claimRestart is nextStepLocked for a restart after a crash: the
// run goes on unless a command changed what the user wants.
func (s *Supervisor) claimRestart(svc *service, gen uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !svc.ctl.up || svc.ctl.gen != gen {
		return false
	}
	s.updateLocked(svc, func(st *ServiceState) { st.State, st.Detail = Starting, "" })
	return true
}

// finish ends run gen for good with state and detail; a Start after it
// begins a new run.
func (s *Supervisor) finish(svc *service, gen uint64, state State, detail string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if svc.ctl.gen == gen {
		svc.ctl.doneGen = gen
	}
	s.updateLocked(svc, func(st *ServiceState) {
		st.State, st.Detail, st.ExitCode = state, detail, code
		st.Pid, st.Port, st.Socket, st.RestartAt = 0, 0, "", time.Time{}
	})
}

// controlOf reads what the user wants of svc now.
func (s *Supervisor) controlOf(svc *service) control {
	s.mu.Lock()
	defer s.mu.Unlock()
	return svc.ctl
}

// stopBlockersOf names the running services that depend on svc.
func (s *Supervisor) stopBlockersOf(svc *service) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return stopBlockers(svc.spec.Name, s.specs, s.statesLocked())
}
