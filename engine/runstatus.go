package engine

import "context"

// beginRun starts counting a new run of svc, so that what the runtime of
// an earlier run says late is not taken for this one's.
func (s *Supervisor) beginRun(svc *service) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	svc.runs++
	return svc.runs
}

// setStatus takes what the runtime of run says about svc (Output.Status)
// and publishes it; the zero Status ends it.
func (s *Supervisor) setStatus(svc *service, run uint64, st Status) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if svc.runs != run || svc.status == st {
		return
	}
	if st.State != svc.status.State {
		svc.statusSince = s.now()
	}
	svc.status = st
	s.publishLocked()
}

// relayHealth passes a runtime's own healthcheck results (HealthReporter)
// on as check idx, until the instance ends or ctx does.
func relayHealth(ctx context.Context, reports <-chan HealthReport, idx int, events chan<- healthEvent) {
	for {
		var rep HealthReport
		var ok bool
		select {
		case rep, ok = <-reports:
			if !ok {
				return
			}
		case <-ctx.Done():
			return
		}
		status := healthStarting
		switch rep.Status {
		case Healthy:
			status = healthGood
		case Unhealthy:
			status = healthBad
		}
		select {
		case events <- healthEvent{idx, rep.Result, status}:
		case <-ctx.Done():
			return
		}
	}
}
