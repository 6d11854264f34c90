package stack

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/berth-dev/berth/engine"
)

// render writes a Stack as stable text for golden files. Paths under the
// stack's folder read <stack>/...; relative ones are left as they are.
func render(st *Stack) string {
	var b strings.Builder
	path := func(p string) string {
		if p == "" || !filepath.IsAbs(p) {
			return fmt.Sprintf("%q", p)
		}
		if rel, err := filepath.Rel(st.Dir, p); err == nil {
			if rel == "." {
				return "<stack>"
			}
			return "<stack>/" + filepath.ToSlash(rel)
		}
		return p
	}
	fmt.Fprintf(&b, "stack %s\n", st.Name)
	for _, f := range st.Files {
		fmt.Fprintf(&b, "file %s\n", path(f))
	}
	if gw := st.Gateway; gw != nil {
		fmt.Fprintf(&b, "gateway\n")
		fmt.Fprintf(&b, "  nginx %s\n", path(gw.Nginx))
		if gw.Prefix != "" {
			fmt.Fprintf(&b, "  prefix %s\n", path(gw.Prefix))
		}
		fmt.Fprintf(&b, "  prod_prefix %q\n", gw.ProdPrefix)
		ports := make([]int, 0, len(gw.Ports))
		for p := range gw.Ports {
			ports = append(ports, p)
		}
		sort.Ints(ports)
		for _, p := range ports {
			fmt.Fprintf(&b, "  port %d -> %d\n", p, gw.Ports[p])
		}
		for _, u := range sortedKeys(gw.Upstreams) {
			fmt.Fprintf(&b, "  upstream %s -> %s\n", u, gw.Upstreams[u])
		}
		if !gw.NginxVersion.IsZero() {
			fmt.Fprintf(&b, "  nginx_version %s\n", gw.NginxVersion)
		}
	}
	for _, name := range sortedKeys(st.Project.DisabledServices) {
		fmt.Fprintf(&b, "disabled %s\n", name)
	}
	for _, sp := range st.Services {
		fmt.Fprintf(&b, "\nservice %s\n", sp.Name)
		fmt.Fprintf(&b, "  runtime %s\n", sp.Runtime)
		if svc, ok := st.Project.Services[sp.Name]; ok {
			if svc.Image != "" {
				fmt.Fprintf(&b, "  image %s\n", svc.Image)
			}
			if svc.Build != nil {
				fmt.Fprintf(&b, "  build %s\n", path(svc.Build.Context))
			}
		}
		fmt.Fprintf(&b, "  command %s\n", words(sp.Command))
		fmt.Fprintf(&b, "  dir %s\n", path(sp.Dir))
		for _, k := range sortedKeys(sp.Env) {
			fmt.Fprintf(&b, "  env %s=%q\n", k, sp.Env[k])
		}
		switch {
		case !sp.Serves:
			fmt.Fprintf(&b, "  serves nothing\n")
		case sp.Socket != "" && sp.Port != 0:
			fmt.Fprintf(&b, "  serves socket %s and port %d\n", path(sp.Socket), sp.Port)
		case sp.Socket != "":
			fmt.Fprintf(&b, "  serves socket %s\n", path(sp.Socket))
		case sp.Port == 0:
			fmt.Fprintf(&b, "  serves a free port\n")
		default:
			fmt.Fprintf(&b, "  serves port %d\n", sp.Port)
		}
		for _, d := range sp.DependsOn {
			fmt.Fprintf(&b, "  depends_on %s (%s)\n", d.Service, d.Condition)
		}
		if hc := sp.Healthcheck; hc != nil && len(hc.Test) > 0 && hc.Test[0] == "NONE" {
			fmt.Fprintf(&b, "  healthcheck NONE\n")
		} else if hc != nil {
			fmt.Fprintf(&b, "  healthcheck %s every %s timeout %s retries %d start_period %s start_interval %s\n",
				words(hc.Test), hc.Interval, hc.Timeout, hc.Retries, hc.StartPeriod, hc.StartInterval)
		}
		for _, p := range sp.Probes {
			fmt.Fprintf(&b, "  probe %s every %s timeout %s retries %d start_period %s start_interval %s\n",
				probeText(p, path), p.Interval, p.Timeout, p.Retries, p.StartPeriod, p.StartInterval)
		}
		fmt.Fprintf(&b, "  restart %s", sp.Restart.Mode)
		if sp.Restart.MaxRetries > 0 {
			fmt.Fprintf(&b, " max %d", sp.Restart.MaxRetries)
		}
		fmt.Fprintf(&b, "; on unhealthy %t\n", sp.RestartOnUnhealthy)
		fmt.Fprintf(&b, "  backoff %s doubling to %s, reset after %s\n", sp.Backoff.Initial, sp.Backoff.Max, sp.Backoff.ResetAfter)
		fmt.Fprintf(&b, "  stop %s, kill after %s\n", signalName(sp.StopSignal), sp.StopGrace)
		fmt.Fprintf(&b, "  log_lines %d\n", sp.LogLines)
	}
	return b.String()
}

func words(ws []string) string {
	q := make([]string, len(ws))
	for i, w := range ws {
		q[i] = fmt.Sprintf("%q", w)
	}
	return "[" + strings.Join(q, " ") + "]"
}

func probeText(p engine.Probe, path func(string) string) string {
	switch p.Kind {
	case engine.ProbeHTTP:
		return fmt.Sprintf("http %s status %d port %d", p.Path, p.Status, p.Port)
	case engine.ProbeTCP:
		return fmt.Sprintf("tcp port %d", p.Port)
	case engine.ProbeUnix:
		if p.Socket == "" {
			return "unix (the service's socket)"
		}
		return fmt.Sprintf("unix %s", path(p.Socket))
	case engine.ProbeLog:
		return fmt.Sprintf("log %q", p.Pattern)
	}
	return string(p.Kind)
}

func signalName(s syscall.Signal) string {
	for name, sig := range signals {
		if sig == s {
			return name
		}
	}
	return fmt.Sprintf("signal %d", int(s))
}
