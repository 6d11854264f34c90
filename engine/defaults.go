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
	if sp.StopGrace <= 0 {
		sp.StopGrace = DefaultStopGrace
	}
	if sp.LogLines <= 0 {
		sp.LogLines = DefaultLogLines
	}
	b := &sp.Backoff
	if b.Initial <= 0 {
		b.Initial = DefaultBackoffStart
	}
	if b.Max <= 0 {
		b.Max = DefaultBackoffMax
	}
	b.Max = max(b.Max, b.Initial)
	if b.ResetAfter <= 0 {
		b.ResetAfter = DefaultBackoffReset
	}
	if hc := sp.Healthcheck; hc != nil {
		c := *hc
		c.Interval = orDefault(c.Interval, DefaultHealthcheckInterval)
		c.Timeout = orDefault(c.Timeout, DefaultHealthcheckTimeout)
		c.StartInterval = orDefault(c.StartInterval, DefaultHealthcheckStartInterval)
		if c.Retries <= 0 {
			c.Retries = DefaultHealthcheckRetries
		}
		sp.Healthcheck = &c
	}
	probes := make([]Probe, len(sp.Probes))
	for i, p := range sp.Probes {
		p.Interval = orDefault(p.Interval, DefaultProbeInterval)
		p.Timeout = orDefault(p.Timeout, DefaultProbeTimeout)
		p.StartPeriod = orDefault(p.StartPeriod, DefaultProbeStartPeriod)
		p.StartInterval = orDefault(p.StartInterval, DefaultProbeStartInterval)
		if p.Retries <= 0 {
			p.Retries = DefaultProbeRetries
		}
		if p.Kind == ProbeHTTP && p.Path == "" {
			p.Path = "/"
		}
		probes[i] = p
	}
	sp.Probes = probes
	return sp
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
