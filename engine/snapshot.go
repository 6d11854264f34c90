package engine

import "slices"

// maxHealthHistory is how many check results a service's state keeps.
const maxHealthHistory = 20

// Snapshot returns the current state of the stack.
func (s *Supervisor) Snapshot() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current.clone()
}

// clone gives each reader its own list of services, so that no reader
// can change what another sees. (Health lists are shared: they are never
// changed once published.)
func (snap Snapshot) clone() Snapshot {
	snap.Services = slices.Clone(snap.Services)
	return snap
}

// Subscribe gives the current snapshot at once, then every newer one. The
// channel holds one snapshot: a newer one replaces one not yet read, so a
// slow reader sees the latest state and the engine never waits for it.
// cancel ends the subscription and closes the channel.
func (s *Supervisor) Subscribe() (<-chan Snapshot, func()) {
	ch := make(chan Snapshot, 1)
	s.mu.Lock()
	ch <- s.current.clone()
	s.subs[ch] = struct{}{}
	s.mu.Unlock()
	return ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, ok := s.subs[ch]; ok {
			delete(s.subs, ch)
			close(ch)
		}
	}
}

// publishLocked makes a new snapshot of every service's state and hands it
// to the subscribers, replacing any they have not read.
func (s *Supervisor) publishLocked() {
	s.version++
	snap := Snapshot{Version: s.version, Services: make([]ServiceState, len(s.services))}
	for i, svc := range s.services {
		snap.Services[i] = svc.shownLocked()
	}
	s.current = snap
	for ch := range s.subs {
		select {
		case <-ch:
		default:
		}
		ch <- snap.clone() // room is certain: only publishLocked sends, under mu
	}
	s.changed.fire()
}

// update changes svc's state with f and publishes it if anything changed.
// Since moves when the State does.
func (s *Supervisor) update(svc *service, f func(st *ServiceState)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.updateLocked(svc, f)
}

func (s *Supervisor) updateLocked(svc *service, f func(st *ServiceState)) {
	before := svc.st
	f(&svc.st)
	if svc.st.State != before.State {
		svc.st.Since = s.now()
	}
	if !sameState(before, svc.st) {
		s.publishLocked()
	}
}

// sameState compares two states; Health is copied on write, so a new
// result is a new slice.
func sameState(a, b ServiceState) bool {
	return a.Name == b.Name && a.Runtime == b.Runtime && a.State == b.State &&
		a.Detail == b.Detail && a.Since.Equal(b.Since) && a.ExitCode == b.ExitCode &&
		a.RestartAt.Equal(b.RestartAt) && a.Restarts == b.Restarts && a.Pid == b.Pid &&
		a.Port == b.Port && a.Socket == b.Socket && a.Host == b.Host && a.Progress == b.Progress &&
		len(a.Health) == len(b.Health) && (len(a.Health) == 0 || &a.Health[0] == &b.Health[0])
}

// withResult returns history with r added, the oldest beyond
// maxHealthHistory dropped; history itself is never changed, since
// snapshots share it.
func withResult(history []ProbeResult, r ProbeResult) []ProbeResult {
	if len(history) >= maxHealthHistory {
		history = history[len(history)-maxHealthHistory+1:]
	}
	out := make([]ProbeResult, 0, len(history)+1)
	return append(append(out, history...), r)
}

// statesLocked maps each service's name to its state.
func (s *Supervisor) statesLocked() map[string]ServiceState {
	m := make(map[string]ServiceState, len(s.services))
	for _, svc := range s.services {
		m[svc.spec.Name] = svc.st
	}
	return m
}
