package engine

import "fmt"

// The commands below record what the user wants and wake the service's
// goroutine; they never wait for a service, so they are safe at any time,
// also while other services start, and before Run.

// Start starts a service, and the services it depends on that are not
// meant to run, as `docker compose up SERVICE` does. A service that
// exited or failed starts again; one already running is left alone.
func (s *Supervisor) Start(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.lookupLocked(name); err != nil {
		return err
	}
	s.startWithDepsLocked(name)
	return nil
}

// Stop stops one service; the services depending on it keep running.
func (s *Supervisor) Stop(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	svc, err := s.lookupLocked(name)
	if err != nil {
		return err
	}
	stopLocked(svc)
	return nil
}

// Restart stops a service if it runs and starts it again, at once (a
// crashed service does not wait out its backoff); like Start, it starts
// the services it depends on that are not meant to run.
func (s *Supervisor) Restart(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	svc, err := s.lookupLocked(name)
	if err != nil {
		return err
	}
	s.startWithDepsLocked(name)
	svc.ctl.gen++
	return nil
}

// Toggle stops a service that is meant to run (running, starting, waiting
// or crashed) and starts one that is not (stopped, exited, failed).
func (s *Supervisor) Toggle(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	svc, err := s.lookupLocked(name)
	if err != nil {
		return err
	}
	if svc.ctl.up && svc.ctl.gen != svc.ctl.doneGen {
		stopLocked(svc)
	} else {
		s.startWithDepsLocked(name)
	}
	return nil
}

// StartAll starts every service; each waits for its dependencies.
func (s *Supervisor) StartAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, svc := range s.services {
		startLocked(svc)
	}
}

// StopAll stops every service in reverse dependency order: each waits for
// the services depending on it to stop first.
func (s *Supervisor) StopAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, svc := range s.services {
		svc.ctl.up, svc.ctl.ordered = false, true
		svc.poke()
	}
}

// SetRuntime switches how a service runs; a service meant to run restarts
// with the new runtime, keeping its environment, dependencies, probes and
// log buffer. Where the two instances serve at different addresses (a
// socket service: a unix socket as a process, a TCP port as a
// container) the move is make-before-break: the old instance serves on
// until the new one is in good health and Options.Moved has returned.
// Elsewhere the old instance stops first, since the new one needs its
// port.
func (s *Supervisor) SetRuntime(name string, kind RuntimeKind) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	svc, err := s.lookupLocked(name)
	if err != nil {
		return err
	}
	if svc.kind == kind {
		return nil
	}
	svc.kind = kind
	s.updateLocked(svc, func(st *ServiceState) { st.Runtime = kind })
	if svc.ctl.up && svc.ctl.gen != svc.ctl.doneGen {
		svc.ctl.gen++
	}
	svc.poke()
	return nil
}

func (s *Supervisor) startWithDepsLocked(name string) {
	for _, n := range dependencies(name, s.specs) {
		if svc := s.byName[n]; n == name || !svc.ctl.up {
			startLocked(svc)
		}
	}
}

func stopLocked(svc *service) {
	svc.ctl.up, svc.ctl.ordered = false, false
	svc.poke()
}

func startLocked(svc *service) {
	c := &svc.ctl
	if !c.up || c.gen == c.doneGen {
		c.gen++
	}
	c.up, c.ordered = true, false
	svc.poke()
}

func (s *Supervisor) lookupLocked(name string) (*service, error) {
	svc, ok := s.byName[name]
	if !ok {
		return nil, fmt.Errorf("no service %q", name)
	}
	return svc, nil
}

// poke wakes the service's goroutine without ever blocking.
func (svc *service) poke() {
	select {
	case svc.wake <- struct{}{}:
	default:
	}
	svc.commanded.fire()
}
