package app

import (
	"bytes"
	"fmt"
	"net"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/app/stack"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/gateway"
	"github.com/berth-dev/berth/ui"
)

// deskStack is a Session as the desktop window sees it (ui.Stack): the
// window's commands go to the engine, and what it shows is read from the
// stack, the engine and the gateway.
type deskStack struct {
	engine.Commander // the engine's commands, as they are
	s                *Session
}

func newDeskStack(s *Session) deskStack { return deskStack{Commander: s.sup, s: s} }

var _ ui.Stack = deskStack{}

func (d deskStack) Title() string { return d.s.Stack.Name }

func (d deskStack) Services() []ui.ServiceInfo {
	var out []ui.ServiceInfo
	for _, sp := range d.s.Stack.Services {
		info := serviceInfo(sp, imageOf(d.s.Stack, sp.Name))
		info.Runtimes = d.s.Stack.Runtimes(sp.Name)
		out = append(out, info)
	}
	return out
}

// serviceInfo is what the Details and Health panes show of a spec.
func serviceInfo(sp engine.Spec, image string) ui.ServiceInfo {
	info := ui.ServiceInfo{Name: sp.Name, Command: strings.Join(sp.Command, " "), Image: image, Socket: sp.Socket}
	names := make([]string, 0, len(sp.Env))
	for k := range sp.Env {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		info.Env = append(info.Env, ui.EnvVar{Name: k, Value: maskSecret(k, sp.Env[k])})
	}
	if sp.Port != 0 {
		info.Ports = append(info.Ports, fmt.Sprint(sp.Port))
	}
	for _, dep := range sp.DependsOn {
		info.DependsOn = append(info.DependsOn, fmt.Sprintf("%s (%s)", dep.Service, dep.Condition))
	}
	info.Checks = checkDescriptions(sp)
	return info
}

// checkDescriptions say, one line each, how a service's health is told.
func checkDescriptions(sp engine.Spec) []string {
	var out []string
	if h := sp.Healthcheck; h != nil && len(h.Test) > 0 && h.Test[0] != "NONE" {
		test := strings.Join(h.Test[1:], " ")
		out = append(out, fmt.Sprintf("healthcheck: %s (every %s, %d retries)", test, h.Interval, h.Retries))
	}
	for _, p := range sp.Probes {
		out = append(out, "probe: "+probeText(p))
	}
	return out
}

// RestartAll restarts every service that runs, leaving stopped ones be.
func (d deskStack) RestartAll() {
	for _, st := range d.s.sup.Snapshot().Services {
		switch st.State {
		case engine.Stopped, engine.Exited, engine.Failed:
			continue
		}
		_ = d.s.sup.Restart(st.Name)
	}
}

func (d deskStack) Subscribe() (<-chan engine.Snapshot, func()) { return d.s.sup.Subscribe() }

func (d deskStack) Follow(tail int, services ...string) (ui.LogSource, error) {
	return d.s.sup.Follow(tail, services...)
}

func (d deskStack) GatewayURL() string {
	if d.s.gw == nil {
		return ""
	}
	for _, l := range d.s.gw.listeners() {
		if l.SSL {
			continue
		}
		return "http://" + l.Addr + "/"
	}
	return ""
}

// Routes flattens the served table into the window's route rows: every
// location of every server, with the service its upstream maps to.
func (d deskStack) Routes() ui.Routes {
	if d.s.gw == nil {
		return ui.Routes{}
	}
	sg := d.s.gw
	sg.mu.Lock()
	t, mappings := sg.table, sg.mappings
	sg.mu.Unlock()
	service := map[string]string{}
	for _, m := range mappings {
		service[m.Upstream.Name] = m.Service
	}
	v := routesView(t)
	r := ui.Routes{Config: v.Config}
	for _, s := range v.Servers {
		server := fmt.Sprintf("%s %s", displayNames(s.Names), strings.Join(s.Listen, " "))
		var walk func(locs []locationJSON)
		walk = func(locs []locationJSON) {
			for _, l := range locs {
				target := l.Handler
				if l.Upstream != "" {
					target += " " + l.Upstream
				}
				r.Rows = append(r.Rows, ui.RouteRow{Server: server, Location: locationLabel(l.Match, l.Name),
					At: fmt.Sprintf("%s:%d", l.File, l.Line), Service: service[l.Upstream], Target: target})
				walk(l.Locations)
			}
		}
		walk(s.Locations)
	}
	for _, n := range v.Report {
		r.Report = append(r.Report, fmt.Sprintf("%s:%d: %s: %s", filepath.Base(n.File), n.Line, n.Severity, n.Message))
	}
	return r
}

// Match answers as `berth match URL` does, on the served table.
func (d deskStack) Match(raw string) string {
	if d.s.gw == nil {
		return "This stack has no gateway."
	}
	req, err := requestFromURL(raw, "GET", nil, false)
	if err != nil {
		return err.Error()
	}
	// A URL of the local gateway (port 8080) reaches what nginx serves on
	// its production port (80).
	for _, l := range d.s.gw.listeners() {
		if _, port, err := net.SplitHostPort(l.Addr); err == nil && port == strconv.Itoa(req.LocalPort) {
			req.ServerPort, req.LocalPort = req.LocalPort, l.Port
			break
		}
	}
	// The table and the nginx version served now: a stack file edit may
	// have replaced both since the session opened.
	d.s.gw.mu.Lock()
	t, version := d.s.gw.table, d.s.gw.stack.Gateway.NginxVersion
	d.s.gw.mu.Unlock()
	dec := t.Match(req, gateway.MatchOptions{Version: version})
	var b bytes.Buffer
	printMatch(&b, matchView(req, dec))
	return b.String()
}

// RouteStats are the gateway's figures by location (file:line, as
// RouteRow.At).
func (d deskStack) RouteStats() map[string]ui.RouteStat {
	stats := d.s.RouteStats()
	if stats == nil {
		return nil
	}
	out := make(map[string]ui.RouteStat, len(stats))
	for _, ls := range stats {
		rs := ui.RouteStat{Hits: ls.Hits, Statuses: ls.Statuses, P50: ls.P50, P99: ls.P99}
		for _, r := range ls.Recent {
			rs.Recent = append(rs.Recent, ui.Request{At: r.Time, Method: r.Method, URI: r.URI, Status: r.Status,
				Upstream: r.Upstream, Duration: r.Duration})
		}
		out[fmt.Sprintf("%s:%d", ls.LocationPos.File, ls.LocationPos.Line)] = rs
	}
	return out
}

// probeText says what an x-berth probe checks.
func probeText(p engine.Probe) string {
	var what string
	switch p.Kind {
	case engine.ProbeHTTP:
		what = "HTTP GET " + p.Path
		if p.Status != 0 {
			what += fmt.Sprintf(" answers %d", p.Status)
		}
	case engine.ProbeTCP:
		what = "TCP connect"
		if p.Port != 0 {
			what += fmt.Sprintf(" to port %d", p.Port)
		}
	case engine.ProbeUnix:
		what = "connect to the unix socket"
		if p.Socket != "" {
			what += " " + p.Socket
		}
	case engine.ProbeLog:
		what = "a log line matches /" + p.Pattern + "/"
	default:
		what = string(p.Kind)
	}
	if p.Interval > 0 {
		what += fmt.Sprintf(" (every %s)", p.Interval)
	}
	return what
}

// imageOf is what a service runs from as a container: its image, or the
// folder it is built from; "" if neither.
func imageOf(st *stack.Stack, name string) string {
	svc, ok := st.Project.Services[name]
	switch {
	case !ok:
		return ""
	case svc.Image != "":
		return svc.Image
	case svc.Build != nil:
		return "built from " + svc.Build.Context
	}
	return ""
}
