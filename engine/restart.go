package engine

import (
	"fmt"
	"time"
)

// restartInput is everything the restart decision depends on.
type restartInput struct {
	Policy      RestartPolicy
	OnUnhealthy bool // Spec.RestartOnUnhealthy
	// Unhealthy: the run turned unhealthy (it still runs); otherwise it
	// exited by itself with ExitCode.
	Unhealthy     bool
	ExitCode      int
	StoppedByUser bool
	Attempts      int           // automatic restarts so far in this streak
	GoodFor       time.Duration // how long the run was in good health
	Backoff       Backoff
}

// restartDecision is what to do once a run ended (or turned unhealthy).
type restartDecision struct {
	Restart  bool
	Delay    time.Duration
	Attempts int  // the streak after this decision
	GaveUp   bool // on-failure's maximum reached: the service fails
}

func (d restartDecision) String() string {
	switch {
	case d.GaveUp:
		return fmt.Sprintf("give up after %d", d.Attempts)
	case d.Restart:
		return fmt.Sprintf("restart in %s (attempt %d)", d.Delay, d.Attempts)
	}
	return "stay down"
}

// decideRestart applies Compose's restart policy, Berth's
// restart-on-unhealthy and the backoff. unless-stopped is always here: the
// two differ only across daemon restarts, which Berth does not have.
// A user's stop never restarts. A streak is forgotten after ResetAfter of
// good health, so a service that crashes once a day restarts at once.
func decideRestart(in restartInput) restartDecision {
	attempts := in.Attempts
	if in.GoodFor >= in.Backoff.ResetAfter {
		attempts = 0
	}
	d := restartDecision{Attempts: attempts}
	if in.StoppedByUser {
		return d
	}
	failed := in.Unhealthy || in.ExitCode != 0
	switch {
	case in.Unhealthy:
		d.Restart = in.OnUnhealthy
	case in.Policy.Mode == RestartAlways || in.Policy.Mode == RestartUnlessStopped:
		d.Restart = true
	case in.Policy.Mode == RestartOnFailure:
		d.Restart = failed
	}
	if !d.Restart {
		return d
	}
	if in.Policy.Mode == RestartOnFailure && in.Policy.MaxRetries > 0 && attempts >= in.Policy.MaxRetries {
		return restartDecision{Attempts: attempts, GaveUp: true}
	}
	d.Delay = backoffDelay(in.Backoff, attempts)
	d.Attempts = attempts + 1
	return d
}

// backoffDelay is Initial doubled once per earlier attempt, capped at Max.
func backoffDelay(b Backoff, attempts int) time.Duration {
	d := b.Initial
	for range attempts {
		if d >= b.Max/2 {
			return b.Max
		}
		d *= 2
	}
	return min(d, b.Max)
}
