package stack

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine"
)

// probes checks x-berth.probes and applies their defaults: each entry is
// exactly one kind, and says where to look when the service alone can't.
func (b specBuilder) probes(sp engine.Spec, in []ProbeExtension, at keyPath) ([]engine.Probe, *fieldError) {
	var out []engine.Probe
	for i, pe := range in {
		pat := at.with(i)
		name := fmt.Sprintf("x-berth.probes[%d]", i)
		var kinds []string
		p := engine.Probe{
			Interval:      durationDefault(pe.Interval, engine.DefaultProbeInterval),
			Timeout:       durationDefault(pe.Timeout, engine.DefaultProbeTimeout),
			Retries:       engine.DefaultProbeRetries,
			StartPeriod:   durationDefault(pe.StartPeriod, engine.DefaultProbeStartPeriod),
			StartInterval: durationDefault(pe.StartInterval, engine.DefaultProbeStartInterval),
		}
		if pe.Retries != nil {
			if *pe.Retries < 1 {
				return nil, &fieldError{Path: pat.with("retries"), Msg: fmt.Sprintf("%s.retries: want at least 1, got %d", name, *pe.Retries)}
			}
			p.Retries = *pe.Retries
		}
		if pe.HTTP != nil {
			kinds = append(kinds, "http")
			p.Kind, p.Path, p.Status, p.Port = engine.ProbeHTTP, pe.HTTP.Path, pe.HTTP.Status, pe.HTTP.Port
			if p.Path == "" {
				p.Path = "/"
			}
			if !strings.HasPrefix(p.Path, "/") {
				return nil, &fieldError{Path: pat.with("http").with("path"), Msg: fmt.Sprintf("%s.http.path: want a path starting with /, got %q", name, p.Path)}
			}
			if p.Status != 0 && (p.Status < 100 || p.Status > 599) {
				return nil, &fieldError{Path: pat.with("http").with("status"), Msg: fmt.Sprintf("%s.http.status: want an HTTP status (100 to 599), got %d", name, p.Status)}
			}
			if p.Port < 0 || p.Port > 65535 {
				return nil, &fieldError{Path: pat.with("http").with("port"), Msg: fmt.Sprintf("%s.http.port: want 0 to 65535, got %d", name, p.Port)}
			}
			if p.Port == 0 && !sp.Serves {
				return nil, &fieldError{Path: pat.with("http"), Msg: fmt.Sprintf("%s.http: nothing to ask (set port here, or x-berth.port, x-berth.socket or ports)", name)}
			}
		}
		if pe.TCP != nil {
			kinds = append(kinds, "tcp")
			p.Kind, p.Port = engine.ProbeTCP, pe.TCP.Port
			if p.Port < 0 || p.Port > 65535 {
				return nil, &fieldError{Path: pat.with("tcp").with("port"), Msg: fmt.Sprintf("%s.tcp.port: want 0 to 65535, got %d", name, p.Port)}
			}
			if p.Port == 0 && (!sp.Serves || sp.Socket != "" && sp.Port == 0) {
				return nil, &fieldError{Path: pat.with("tcp"), Msg: fmt.Sprintf("%s.tcp: no port to connect to (set port here, x-berth.port or ports)", name)}
			}
		}
		if pe.Unix != nil {
			kinds = append(kinds, "unix")
			// Empty: the engine probes the service's own socket.
			p.Kind = engine.ProbeUnix
			if pe.Unix.Path != "" {
				p.Socket = b.resolve(pat.with("unix").with("path"), pe.Unix.Path)
			}
			if p.Socket == "" && sp.Socket == "" {
				return nil, &fieldError{Path: pat.with("unix"), Msg: fmt.Sprintf("%s.unix: no socket to connect to (set path here, or x-berth.socket: true)", name)}
			}
		}
		if pe.Log != nil {
			kinds = append(kinds, "log")
			p.Kind, p.Pattern = engine.ProbeLog, pe.Log.Pattern
			if p.Pattern == "" {
				return nil, &fieldError{Path: pat.with("log"), Msg: fmt.Sprintf("%s.log: pattern is required", name)}
			}
			if _, err := regexp.Compile(p.Pattern); err != nil {
				return nil, &fieldError{Path: pat.with("log").with("pattern"), Msg: fmt.Sprintf("%s.log.pattern: %v", name, err)}
			}
		}
		if len(kinds) != 1 {
			return nil, &fieldError{Path: pat, Msg: fmt.Sprintf("%s: want exactly one of http, tcp, unix or log, got %s", name, orNone(kinds))}
		}
		out = append(out, p)
	}
	return out, nil
}

func orNone(kinds []string) string {
	if len(kinds) == 0 {
		return "none"
	}
	return strings.Join(kinds, " and ")
}

// backoff applies the defaults (1s doubling to 30s, reset after 60s).
func backoff(in *BackoffExtension, at keyPath) (engine.Backoff, *fieldError) {
	bo := engine.Backoff{Initial: engine.DefaultBackoffStart, Max: engine.DefaultBackoffMax, ResetAfter: engine.DefaultBackoffReset}
	if in == nil {
		return bo, nil
	}
	bo.Initial = durationDefault(in.Initial, bo.Initial)
	bo.Max = durationDefault(in.Max, bo.Max)
	bo.ResetAfter = durationDefault(in.ResetAfter, bo.ResetAfter)
	if bo.Max < bo.Initial {
		return bo, &fieldError{Path: at.with("max"), Msg: fmt.Sprintf("x-berth.backoff.max: %s is less than initial (%s)", bo.Max, bo.Initial)}
	}
	return bo, nil
}

func durationDefault(d Duration, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return time.Duration(d)
}
