package app

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/berth-dev/berth/app/stack"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/gateway"
	"github.com/hashicorp/go-hclog"
)

// stackGateway serves a stack's nginx config and keeps each mapped
// upstream pointed at where its service runs now.
type stackGateway struct {
	g     *gateway.Gateway
	stack *stack.Stack
	log   hclog.Logger
	// routed is the newest engine snapshot the routes follow.
	routed routedVersion

	mu       sync.Mutex // guards the fields below: reload replaces them
	table    *gateway.Table
	mappings []gateway.UpstreamMapping
	outside  map[*gateway.Upstream]bool
	last     engine.Snapshot
	// events receives what a reload did, for the surfaces to show.
	events func(string)
}

// loadStackTable imports the nginx config x-berth.gateway names.
func loadStackTable(gc *stack.GatewayConfig) (*gateway.Table, error) {
	return loadTable(configFlags{file: gc.Nginx, prefix: gc.Prefix, prodPrefix: gc.ProdPrefix})
}

// startStackGateway imports the config, maps its upstreams to the stack's
// services and starts serving.
func startStackGateway(st *stack.Stack, log hclog.Logger, events func(string)) (*stackGateway, error) {
	gc := st.Gateway
	t, err := loadStackTable(gc)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range st.Services {
		names = append(names, s.Name)
	}
	if events == nil {
		events = func(string) {}
	}
	sg := &stackGateway{stack: st, log: log, events: events}
	sg.setTable(t)
	ports := gc.Ports
	sg.g = gateway.NewGateway(t, gateway.ServeOptions{Log: log, Version: gc.NginxVersion,
		MapPort: func(p int) int {
			if to, ok := ports[p]; ok {
				return to
			}
			return gateway.DefaultPortMap(p)
		}})
	sg.g.Route(t, sg.targets(engine.Snapshot{}), sg.outside)
	if err := sg.g.Start(); err != nil {
		return nil, err
	}
	return sg, nil
}

// setTable makes t the table to serve and maps its upstreams.
func (sg *stackGateway) setTable(t *gateway.Table) {
	var names []string
	for _, s := range sg.stack.Services {
		names = append(names, s.Name)
	}
	mappings := t.MapUpstreams(names, sg.stack.Gateway.Upstreams)
	outside := map[*gateway.Upstream]bool{}
	for _, m := range mappings {
		if m.Service == "" {
			outside[m.Upstream] = true
			sg.log.Info("upstream outside the stack: nginx's address is used", "upstream", m.Upstream.Name, "at", m.Upstream.Pos.String())
		} else {
			sg.log.Debug("upstream mapped", "upstream", m.Upstream.Name, "service", m.Service, "how", m.How)
		}
	}
	sg.mu.Lock()
	sg.table, sg.mappings, sg.outside = t, mappings, outside
	sg.mu.Unlock()
}

// follow re-routes on every snapshot, and re-imports the nginx config
// when it changes on disk, until ctx ends.
func (sg *stackGateway) follow(ctx context.Context, snaps <-chan engine.Snapshot) {
	reload := make(chan struct{}, 1)
	watching := make(chan struct{})
	go func() {
		defer close(watching)
		watchFiles(ctx, 200*time.Millisecond, sg.configFiles, func() {
			select {
			case reload <- struct{}{}:
			default:
			}
		})
	}()
	defer func() { <-watching }()
	var last map[*gateway.Upstream]gateway.Target
	for {
		select {
		case <-ctx.Done():
			return
		case s := <-snaps:
			sg.mu.Lock()
			sg.last = s
			sg.mu.Unlock()
		case <-reload:
			sg.reload()
			last = nil
		}
		sg.mu.Lock()
		t, table, outside := sg.targets(sg.last), sg.table, sg.outside
		version := sg.last.Version
		sg.mu.Unlock()
		if !reflect.DeepEqual(t, last) {
			sg.g.Route(table, t, outside)
			last = t
		}
		sg.routed.set(version)
	}
}

// configFiles are the files the served config was read from.
func (sg *stackGateway) configFiles() []string {
	sg.mu.Lock()
	defer sg.mu.Unlock()
	return sg.table.Config.Files
}

// reload re-imports the nginx config after an edit. A config that does
// not import keeps the old routes running and says why, with file:line.
func (sg *stackGateway) reload() {
	t, err := loadStackTable(sg.stack.Gateway)
	if err != nil {
		sg.log.Error("the edited nginx config does not import; the previous routes stay", "error", err)
		sg.events("nginx config not reloaded: " + err.Error())
		return
	}
	sg.mu.Lock()
	old := sg.table
	sg.mu.Unlock()
	sg.setTable(t)
	diff := routeDiff(old, t)
	sg.log.Info("nginx config reloaded", "changes", len(diff))
	if len(diff) == 0 {
		sg.events("nginx config reloaded: the routes are the same")
		return
	}
	sg.events("nginx config reloaded:\n  " + strings.Join(diff, "\n  "))
}

// targets decides where each mapped upstream goes for a snapshot: the
// service's address when it can take requests (healthy, or running
// without health checks), else a 503 naming its state.
// Called with sg.mu held.
func (sg *stackGateway) targets(s engine.Snapshot) map[*gateway.Upstream]gateway.Target {
	out := map[*gateway.Upstream]gateway.Target{}
	for _, m := range sg.mappings {
		if m.Service == "" {
			continue
		}
		st, ok := s.Service(m.Service)
		t := gateway.Target{Service: m.Service}
		switch {
		case !ok:
			t.Down = string(engine.Stopped)
		case st.State == engine.Healthy || st.State == engine.Running && len(st.Health) == 0 && !hasChecks(st):
			if st.Socket != "" {
				t.Addrs = []gateway.Addr{{Network: "unix", Path: st.Socket}}
			} else if st.Port != 0 {
				// A container's published port, on a remote engine's host.
				host := st.Host
				if host == "" {
					host = "127.0.0.1"
				}
				t.Addrs = []gateway.Addr{{Network: "tcp", Host: host, Port: st.Port}}
			} else {
				t.Down = "running, but Berth does not know where it listens (no port or socket in x-berth)"
			}
		default:
			t.Down = stateText(st)
		}
		out[m.Upstream] = t
	}
	return out
}

// hasChecks: a running service whose health is still being decided is
// not up yet.
func hasChecks(st engine.ServiceState) bool { return st.State == engine.Running && len(st.Health) > 0 }

// urls lists the local URL of each server block.
func (sg *stackGateway) urls() []string {
	sg.mu.Lock()
	defer sg.mu.Unlock()
	var out []string
	for _, l := range sg.g.Listeners() {
		for _, s := range sg.table.Servers {
			for _, sl := range s.Listens {
				if sl.Socket() != l.Prod {
					continue
				}
				scheme := "http"
				if l.SSL {
					scheme = "https"
				}
				out = append(out, fmt.Sprintf("%s://%s/ serves server %s (%s)", scheme, l.Addr, displayNames(s.Names), s.Pos))
			}
		}
	}
	return out
}

func displayNames(names []string) string {
	if len(names) == 0 || names[0] == "" {
		return `""`
	}
	return names[0]
}

// stop drains and closes the gateway.
func (sg *stackGateway) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	sg.g.Shutdown(ctx)
}
