package stack

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/engine"
)

// specBuilder turns one Compose service and its x-berth settings into the
// engine's Spec.
type specBuilder struct {
	runtimeDir string // where sockets go
	project    *types.Project
	// resolve makes a path written at a key absolute (model.resolvePath).
	resolve func(at keyPath, p string) string
}

func (b specBuilder) build(svc types.ServiceConfig, ext ServiceExtension, kind engine.RuntimeKind) (engine.Spec, *fieldError) {
	at := keyPath{"services", svc.Name}
	xat := at.with("x-berth")
	// A process runs in the project folder (or in the folder of the
	// included file that declares it) unless x-berth.working_dir says.
	dir := b.resolve(at, ".")
	if ext.WorkingDir != "" {
		dir = b.resolve(xat.with("working_dir"), ext.WorkingDir)
	}
	sp := engine.Spec{
		Name:               svc.Name,
		Runtime:            kind,
		Command:            processCommand(svc, ext),
		Dir:                dir,
		Env:                environment(svc.Environment),
		DependsOn:          b.dependencies(svc),
		Healthcheck:        healthcheck(svc.HealthCheck),
		RestartOnUnhealthy: ext.RestartOnUnhealthy,
		StopGrace:          engine.DefaultStopGrace,
		LogLines:           engine.DefaultLogLines,
	}
	var fe *fieldError
	if sp.Restart, fe = restartPolicy(svc, at); fe != nil {
		return sp, fe
	}
	if sp.StopSignal, fe = stopSignal(svc.StopSignal, at.with("stop_signal")); fe != nil {
		return sp, fe
	}
	if svc.StopGracePeriod != nil {
		sp.StopGrace = time.Duration(*svc.StopGracePeriod)
	}
	if fe = b.serves(&sp, svc, ext, xat); fe != nil {
		return sp, fe
	}
	if sp.Probes, fe = b.probes(sp, ext.Probes, xat.with("probes")); fe != nil {
		return sp, fe
	}
	if sp.Backoff, fe = backoff(ext.Backoff, xat.with("backoff")); fe != nil {
		return sp, fe
	}
	if ext.LogLines != nil {
		if *ext.LogLines < 1 {
			return sp, &fieldError{Path: xat.with("log_lines"), Msg: fmt.Sprintf("x-berth.log_lines: want at least 1, got %d", *ext.LogLines)}
		}
		sp.LogLines = *ext.LogLines
	}
	return sp, nil
}

// processCommand is the argv of process mode: x-berth.command, else the
// Compose entrypoint followed by the command, as a container would run
// them. Both were split into words at load, never given to a shell.
func processCommand(svc types.ServiceConfig, ext ServiceExtension) []string {
	if len(ext.Command) > 0 {
		return append([]string(nil), ext.Command...)
	}
	var argv []string
	argv = append(argv, svc.Entrypoint...)
	argv = append(argv, svc.Command...)
	return argv
}

// environment is the service's resolved environment (env_file included).
// A variable without a value that the environment could not supply is
// left out, so the process inherits it from Berth or goes without.
func environment(env types.MappingWithEquals) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		if v != nil {
			out[k] = *v
		}
	}
	return out
}

// dependencies lists depends_on sorted by service. A dependency that is
// not required and whose service the profiles disable is dropped, as
// Compose does.
func (b specBuilder) dependencies(svc types.ServiceConfig) []engine.Dependency {
	var deps []engine.Dependency
	for _, name := range sortedKeys(svc.DependsOn) {
		d := svc.DependsOn[name]
		if _, ok := b.project.Services[name]; !ok && !d.Required {
			continue
		}
		cond := engine.Condition(d.Condition)
		if cond == "" {
			cond = engine.ServiceStarted
		}
		deps = append(deps, engine.Dependency{Service: name, Condition: cond})
	}
	return deps
}

// healthcheck maps Compose's healthcheck with Compose's defaults.
// `disable: true` is Compose's spelling of test ["NONE"].
func healthcheck(hc *types.HealthCheckConfig) *engine.Healthcheck {
	if hc == nil {
		return nil
	}
	if hc.Disable || (len(hc.Test) > 0 && hc.Test[0] == "NONE") {
		return &engine.Healthcheck{Test: []string{"NONE"}}
	}
	h := &engine.Healthcheck{
		Test:          append([]string(nil), hc.Test...),
		Interval:      durationOr(hc.Interval, engine.DefaultHealthcheckInterval),
		Timeout:       durationOr(hc.Timeout, engine.DefaultHealthcheckTimeout),
		Retries:       engine.DefaultHealthcheckRetries,
		StartPeriod:   durationOr(hc.StartPeriod, 0),
		StartInterval: durationOr(hc.StartInterval, engine.DefaultHealthcheckStartInterval),
	}
	if hc.Retries != nil {
		h.Retries = int(*hc.Retries)
	}
	return h
}

func durationOr(d *types.Duration, def time.Duration) time.Duration {
	if d == nil || *d == 0 {
		return def
	}
	return time.Duration(*d)
}

// restartPolicy reads `restart` (no, always, on-failure[:max],
// unless-stopped), overridden by deploy.restart_policy as docker compose
// does (condition none, on-failure or any; max_attempts).
func restartPolicy(svc types.ServiceConfig, at keyPath) (engine.RestartPolicy, *fieldError) {
	p := engine.RestartPolicy{Mode: engine.RestartNo}
	if svc.Restart != "" {
		mode, max, _ := strings.Cut(svc.Restart, ":")
		m, ok := restartMode(mode)
		if !ok {
			return p, &fieldError{Path: at.with("restart"), Msg: fmt.Sprintf(
				"restart: want no, always, on-failure[:max] or unless-stopped, got %q", svc.Restart)}
		}
		p.Mode = m
		if max != "" {
			n, err := strconv.Atoi(max)
			if err != nil || n < 0 || m != engine.RestartOnFailure {
				return p, &fieldError{Path: at.with("restart"), Msg: fmt.Sprintf(
					"restart: a maximum is only for on-failure:N with N a number, got %q", svc.Restart)}
			}
			p.MaxRetries = n
		}
	}
	if svc.Deploy != nil && svc.Deploy.RestartPolicy != nil {
		rp := svc.Deploy.RestartPolicy
		m, ok := restartMode(rp.Condition)
		if !ok {
			return p, &fieldError{Path: at.with("deploy").with("restart_policy").with("condition"), Msg: fmt.Sprintf(
				"deploy.restart_policy.condition: want none, on-failure or any, got %q", rp.Condition)}
		}
		p = engine.RestartPolicy{Mode: m}
		if rp.MaxAttempts != nil {
			p.MaxRetries = int(*rp.MaxAttempts)
		}
	}
	return p, nil
}

// restartMode maps both spellings Compose accepts (restart and
// deploy.restart_policy.condition) to one mode. Compose treats an empty
// condition as the engine's default, which is "no".
func restartMode(s string) (engine.RestartMode, bool) {
	switch s {
	case "no", "none", "":
		return engine.RestartNo, true
	case "always", "any":
		return engine.RestartAlways, true
	case "on-failure":
		return engine.RestartOnFailure, true
	case "unless-stopped":
		return engine.RestartUnlessStopped, true
	}
	return "", false
}

// stopSignal parses stop_signal as Docker does: SIGTERM, TERM or a
// number.
func stopSignal(s string, at keyPath) (syscall.Signal, *fieldError) {
	if s == "" {
		return syscall.SIGTERM, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return syscall.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig, ok := signals[name]; ok {
		return sig, nil
	}
	return 0, &fieldError{Path: at, Msg: fmt.Sprintf("stop_signal: unknown signal %q", s)}
}

// serves sets what the service listens on: x-berth.port, x-berth.socket
// (a path in the runtime folder), else the first TCP port in `ports`.
func (b specBuilder) serves(sp *engine.Spec, svc types.ServiceConfig, ext ServiceExtension, xat keyPath) *fieldError {
	if ext.Port != nil {
		if *ext.Port < 0 || *ext.Port > 65535 {
			return &fieldError{Path: xat.with("port"), Msg: fmt.Sprintf("x-berth.port: want 0 to 65535, got %d", *ext.Port)}
		}
		sp.Port, sp.Serves = *ext.Port, true
	}
	if ext.Socket {
		// A relative path is the engine's to place in its runtime folder.
		sp.Socket, sp.Serves = svc.Name+".sock", true
		if b.runtimeDir != "" {
			sp.Socket = filepath.Join(b.runtimeDir, sp.Socket)
		}
		return nil
	}
	if ext.Port == nil {
		if p := firstPort(svc.Ports); p > 0 {
			sp.Port, sp.Serves = p, true
		}
	}
	return nil
}

// firstPort is the first TCP port of `ports`: the published one, where
// the service is reached from the host, else the target.
func firstPort(ports []types.ServicePortConfig) int {
	for _, p := range ports {
		if p.Protocol != "" && p.Protocol != "tcp" {
			continue
		}
		pub, _, _ := strings.Cut(p.Published, "-")
		if n, err := strconv.Atoi(pub); err == nil && n > 0 {
			return n
		}
		if p.Target > 0 {
			return int(p.Target)
		}
	}
	return 0
}
