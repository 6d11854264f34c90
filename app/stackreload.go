package app

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"time"

	"github.com/berth-dev/berth/app/stack"
	"github.com/berth-dev/berth/gateway"
)

// reloadStack follows an edit of the stack file: when its x-berth.gateway
// section changed (the nginx config, the ports, the upstream mapping, the
// nginx version), the config is imported again and the routes swapped,
// with the differences reported. A stack file or nginx config that does
// not load keeps the old routes running and says why, with file:line.
// Services added or changed in the file are not run by this: the engine
// keeps the stack it was opened with.
func (sg *stackGateway) reloadStack(ctx context.Context) {
	st, err := sg.loadStack(ctx)
	if err != nil {
		sg.refused("the edited stack file does not load; the previous routes stay", "stack file", err)
		return
	}
	sg.mu.Lock()
	old, oldTable, oldMappings := sg.stack, sg.table, sg.mappings
	sg.mu.Unlock()
	note := ""
	if !slices.Equal(serviceNames(old), serviceNames(st)) {
		note = " (services added or removed run as the file says once Berth restarts)"
	}
	if st.Gateway == nil {
		sg.events("stack file reloaded: x-berth.gateway is gone; the gateway keeps its routes until Berth restarts" + note)
		return
	}
	if reflect.DeepEqual(old.Gateway, st.Gateway) {
		sg.events("stack file reloaded: its gateway section is the same" + note)
		return
	}
	t, err := loadStackTable(st.Gateway)
	if err != nil {
		sg.refused("the stack file's nginx config does not import; the previous routes stay", "stack file", err)
		return
	}
	// Keep the stack's services as the engine runs them; take the new
	// gateway section.
	next := *old
	next.Gateway = st.Gateway
	sg.mu.Lock()
	sg.stack = &next
	sg.mu.Unlock()
	sg.setTable(t)
	if !maps.Equal(old.Gateway.Ports, st.Gateway.Ports) || old.Gateway.NginxVersion != st.Gateway.NginxVersion {
		if err := sg.rebind(old.Gateway, st.Gateway, oldTable); err != nil {
			sg.log.Error("the gateway could not move to its new ports", "error", err)
			sg.events("stack file reloaded, but " + err.Error())
			return
		}
	}
	sg.mu.Lock()
	newMappings := sg.mappings
	sg.mu.Unlock()
	diff := lineDiff(gatewayLines(old.Gateway, oldTable, oldMappings), gatewayLines(st.Gateway, t, newMappings))
	sg.reloaded("stack file's gateway reloaded", "stack file reloaded", note, diff)
}

// rebind serves the new table on the ports (and as the nginx version)
// the new section says, then stops the old gateway. Where the new
// gateway needs a port the old one holds, the old one is stopped first;
// if the new one then cannot start, the old one is started again.
func (sg *stackGateway) rebind(oldGC, newGC *stack.GatewayConfig, oldTable *gateway.Table) error {
	old := sg.gateway()
	g, err := sg.serve(newGC, old)
	if err != nil {
		shutdown(old)
		g, err = sg.serve(newGC, old)
	}
	if err != nil {
		// Back to the old section on the old ports.
		sg.mu.Lock()
		st := *sg.stack
		st.Gateway = oldGC
		sg.stack = &st
		sg.mu.Unlock()
		sg.setTable(oldTable)
		back, err2 := sg.serve(oldGC, old)
		if err2 != nil {
			return fmt.Errorf("the gateway is down: %v; restarting it on the old ports: %v", err, err2)
		}
		sg.mu.Lock()
		sg.g = back
		sg.mu.Unlock()
		return fmt.Errorf("the previous ports and routes stay: %w", err)
	}
	sg.mu.Lock()
	sg.g = g
	sg.mu.Unlock()
	shutdown(old)
	return nil
}

// shutdown drains and closes a gateway, giving requests in flight up to
// 5 seconds (a gateway already shut down returns at once).
func shutdown(g *gateway.Gateway) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	g.Shutdown(ctx)
}

// gatewayLines describe what the stack's gateway does, one line per fact
// a user would notice changing: the routes, where each upstream goes,
// where each production port is served, and the nginx version mirrored.
func gatewayLines(gc *stack.GatewayConfig, t *gateway.Table, mappings []gateway.UpstreamMapping) []string {
	out := routeLines(t)
	for _, m := range mappings {
		to := "service " + m.Service
		if m.Service == "" {
			to = "outside the stack (nginx's address)"
		}
		out = append(out, fmt.Sprintf("upstream %s → %s", m.Upstream.Name, to))
	}
	ports := portMap(gc.Ports)
	seen := map[int]bool{}
	for _, g := range t.Groups {
		if !seen[g.Port] {
			seen[g.Port] = true
			out = append(out, fmt.Sprintf("port %d served on %d", g.Port, ports(g.Port)))
		}
	}
	out = append(out, "nginx "+gc.NginxVersion.OrDefault().String())
	return out
}

// serviceNames are the stack's services' names, sorted as Load sorts them.
func serviceNames(st *stack.Stack) []string {
	var out []string
	for _, s := range st.Services {
		out = append(out, s.Name)
	}
	return out
}

// reloader loads the stack file again as Open did (the same options, the
// session's port overrides on top), for the gateway to follow edits of
// its x-berth.gateway; nil for the built-in demo, whose files Berth
// writes itself.
func reloader(opts OpenOptions, opened *stack.Stack) func(context.Context) (*stack.Stack, error) {
	if opts.Demo || len(opts.Load.Files) == 0 && filepath.Dir(opened.Files[0]) == demoDir() {
		return nil
	}
	load := opts.Load
	load.Files = opened.Files // as found at open, whatever the folder holds now
	return func(ctx context.Context) (*stack.Stack, error) {
		st, err := stack.Load(ctx, load)
		if err != nil {
			return st, err
		}
		overridePorts(st, opts.GatewayPorts)
		return st, nil
	}
}

// overridePorts puts ports (the session's listen-port overrides) over
// the stack file's own x-berth.gateway.ports, in a map of its own.
func overridePorts(st *stack.Stack, ports map[int]int) {
	if st.Gateway == nil || len(ports) == 0 {
		return
	}
	merged := maps.Clone(st.Gateway.Ports)
	if merged == nil {
		merged = map[int]int{}
	}
	maps.Copy(merged, ports)
	st.Gateway.Ports = merged
}
