package engine

import (
	"context"
	"regexp"
	"time"
)

// runCheck runs one periodic check of a run until ctx ends, sending each
// result with the check's status to the supervising goroutine.
func runCheck(ctx context.Context, c checker, idx int, started time.Time, events chan<- healthEvent, now func() time.Time) {
	tr := newTracker(c.rules(), started)
	timer := time.NewTimer(tr.interval(now()))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		began := now()
		cctx, cancel := context.WithTimeout(ctx, c.rules().Timeout)
		ok, out := c.check(cctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		ev := healthEvent{idx, ProbeResult{At: began, Probe: c.name(), OK: ok, Output: clip(out)}, tr.record(ok, began)}
		select {
		case events <- ev:
		case <-ctx.Done():
			return
		}
		timer.Reset(tr.interval(now()))
	}
}

// watchLog is a log probe: it reads the run's log lines until one matches
// the pattern, and the service counts as healthy from then on. It never
// turns unhealthy: a line that has not come yet is no failure.
func watchLog(ctx context.Context, f *Follower, p Probe, idx int, events chan<- healthEvent, now func() time.Time) {
	name := "log /" + p.Pattern + "/"
	send := func(ok bool, out string, status healthStatus) {
		select {
		case events <- healthEvent{idx, ProbeResult{At: now(), Probe: name, OK: ok, Output: clip(out)}, status}:
		case <-ctx.Done():
		}
	}
	re, err := regexp.Compile(p.Pattern)
	if err != nil {
		send(false, "invalid pattern: "+err.Error(), healthBad)
		return
	}
	for {
		lines, err := f.Next(ctx)
		if err != nil {
			return
		}
		for _, l := range lines {
			if l.Skipped == 0 && re.MatchString(l.Text) {
				send(true, l.Text, healthGood)
				return
			}
		}
	}
}

// clip keeps the first maxProbeOutput bytes of a check's output.
func clip(s string) string {
	if len(s) > maxProbeOutput {
		return s[:maxProbeOutput]
	}
	return s
}
