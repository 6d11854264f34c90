package engine

import (
	"syscall"
	"time"
)

// Defaults the supervisor applies to a Spec's zero values, so the app may
// leave out whatever the stack file does not say. They are exported so the
// stack loader can write them out and a Spec reads complete.
const (
	DefaultLogLines     = 10_000
	DefaultStopGrace    = 10 * time.Second
	DefaultBackoffStart = time.Second
	DefaultBackoffMax   = 30 * time.Second
	DefaultBackoffReset = 60 * time.Second

	// Docker's healthcheck defaults.
	DefaultHealthcheckInterval      = 30 * time.Second
	DefaultHealthcheckTimeout       = 30 * time.Second
	DefaultHealthcheckRetries       = 3
	DefaultHealthcheckStartInterval = 5 * time.Second

	// x-berth probe defaults.
	DefaultProbeInterval      = 2 * time.Second
	DefaultProbeTimeout       = 2 * time.Second
	DefaultProbeRetries       = 3
	DefaultProbeStartPeriod   = 30 * time.Second
	DefaultProbeStartInterval = 100 * time.Millisecond
)

// withDefaults returns sp with its zero values filled in.
func withDefaults(sp Spec) Spec {
	if sp.Runtime == "" {
		sp.Runtime = Process
	}
	if sp.Restart.Mode == "" {
		sp.Restart.Mode = RestartNo
	}
	if sp.StopSignal == 0 {
		sp.StopSignal = syscall.SIGTERM
	}
	sp.StopGrace = orDefault(sp.StopGrace, DefaultStopGrace)
	sp.LogLines = orDefault(sp.LogLines, DefaultLogLines)
	b := &sp.Backoff
	b.Initial = orDefault(b.Initial, DefaultBackoffStart)
	b.Max = max(orDefault(b.Max, DefaultBackoffMax), b.Initial)
	b.ResetAfter = orDefault(b.ResetAfter, DefaultBackoffReset)
	if hc := sp.Healthcheck; hc != nil {
		c := *hc
		c.Interval = orDefault(c.Interval, DefaultHealthcheckInterval)
		c.Timeout = orDefault(c.Timeout, DefaultHealthcheckTimeout)
		c.StartInterval = orDefault(c.StartInterval, DefaultHealthcheckStartInterval)
		c.Retries = orDefault(c.Retries, DefaultHealthcheckRetries)
		sp.Healthcheck = &c
	}
	probes := make([]Probe, len(sp.Probes))
	for i, p := range sp.Probes {
		p.Interval = orDefault(p.Interval, DefaultProbeInterval)
		p.Timeout = orDefault(p.Timeout, DefaultProbeTimeout)
		p.StartPeriod = orDefault(p.StartPeriod, DefaultProbeStartPeriod)
		p.StartInterval = orDefault(p.StartInterval, DefaultProbeStartInterval)
		p.Retries = orDefault(p.Retries, DefaultProbeRetries)
		if p.Kind == ProbeHTTP && p.Path == "" {
			p.Path = "/"
		}
		probes[i] = p
	}
	sp.Probes = probes
	return sp
}

// orDefault is v, or def when v is zero or negative.
func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}
