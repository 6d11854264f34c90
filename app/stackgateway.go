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
	log hclog.Logger
	// routed is the newest engine snapshot the routes follow.
	routed routedVersion
	// loadStack loads the stack file again as the session opened it, to
	// follow edits of its x-berth.gateway; nil leaves the file unwatched.
	loadStack func(context.Context) (*stack.Stack, error)

	// since are the stamps of the nginx config's files and the stack
	// files when they were read at start, for the watches to begin from.
	configSince, stackSince fileStamp

	mu       sync.Mutex // guards the fields below: reloads replace them
	g        *gateway.Gateway
	stack    *stack.Stack
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
	stackSince := stampFiles(st.Files)
	t, err := loadStackTable(gc)
	if err != nil {
		return nil, err
	}
	configSince := stampFiles(t.Config.Files)
	if events == nil {
		events = func(string) {}
	}
	sg := &stackGateway{stack: st, log: log, events: events, configSince: configSince, stackSince: stackSince}
	sg.setTable(t)
	g, err := sg.serve(gc, nil)
	if err != nil {
		return nil, err
	}
	sg.g = g
	return sg, nil
}

// serve starts a gateway for the current table with gc's ports and
// version, routed as the last snapshot says; keep hands it the figures
// of the gateway it replaces.
func (sg *stackGateway) serve(gc *stack.GatewayConfig, keep *gateway.Gateway) (*gateway.Gateway, error) {
	sg.mu.Lock()
	t, targets, outside := sg.table, sg.targets(sg.last), sg.outside
	sg.mu.Unlock()
	g := gateway.NewGateway(t, gateway.ServeOptions{Log: sg.log, Version: gc.NginxVersion,
		MapPort: portMap(gc.Ports), KeepStats: keep})
	g.Route(t, targets, outside)
	if err := g.Start(); err != nil {
		return nil, err
	}
	return g, nil
}

// portMap serves the production ports gateway.ports names where it says,
// the others as the gateway does by default.
func portMap(ports map[int]int) func(int) int {
	return func(p int) int {
		if to, ok := ports[p]; ok {
			return to
		}
		return gateway.DefaultPortMap(p)
	}
}

// gateway is the gateway serving now (a reload with new ports replaces it).
func (sg *stackGateway) gateway() *gateway.Gateway {
	sg.mu.Lock()
	defer sg.mu.Unlock()
	return sg.g
}

// listeners are the sockets being served.
func (sg *stackGateway) listeners() []gateway.ListenerInfo { return sg.gateway().Listeners() }

// setTable makes t the table to serve and maps its upstreams.
func (sg *stackGateway) setTable(t *gateway.Table) {
	sg.mu.Lock()
	st := sg.stack
	sg.mu.Unlock()
	mappings := t.MapUpstreams(serviceNames(st), st.Gateway.Upstreams)
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
// or the stack file's gateway section when they change on disk, until
// ctx ends.
func (sg *stackGateway) follow(ctx context.Context, snaps <-chan engine.Snapshot) {
	var watchers sync.WaitGroup
	defer watchers.Wait()
	watch := func(files func() []string, since fileStamp) <-chan struct{} {
		changed := make(chan struct{}, 1)
		watchers.Go(func() {
			watchFiles(ctx, 200*time.Millisecond, files, since, func() {
				select {
				case changed <- struct{}{}:
				default:
				}
			})
		})
		return changed
	}
	reload := watch(sg.configFiles, sg.configSince)
	var restack <-chan struct{} // nil: the stack file is not watched
	if sg.loadStack != nil {
		restack = watch(sg.stackFiles, sg.stackSince)
	}
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
		case <-restack:
			sg.reloadStack(ctx)
			last = nil
		}
		sg.mu.Lock()
		t, table, outside, g := sg.targets(sg.last), sg.table, sg.outside, sg.g
		version := sg.last.Version
		sg.mu.Unlock()
		if !reflect.DeepEqual(t, last) {
			g.Route(table, t, outside)
			last = t
		}
		sg.routed.set(version)
	}
}

// stackFiles are the stack's Compose files.
func (sg *stackGateway) stackFiles() []string {
	sg.mu.Lock()
	defer sg.mu.Unlock()
	return sg.stack.Files
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
	sg.mu.Lock()
	gc := sg.stack.Gateway
	sg.mu.Unlock()
	t, err := loadStackTable(gc)
	if err != nil {
		sg.refused("the edited nginx config does not import; the previous routes stay", "nginx config", err)
		return
	}
	sg.mu.Lock()
	old := sg.table
	sg.mu.Unlock()
	sg.setTable(t)
	sg.reloaded("nginx config reloaded", "nginx config reloaded", "", routeDiff(old, t))
}

// refused logs why a reload was refused, and tells the surfaces that
// what (the nginx config, the stack file) was not reloaded.
func (sg *stackGateway) refused(why, what string, err error) {
	sg.log.Error(why, "error", err)
	sg.events(what + " not reloaded: " + err.Error())
}

// reloaded logs a reload's changes and tells the surfaces what it
// changed, or that the routes are the same; note follows what.
func (sg *stackGateway) reloaded(logMsg, what, note string, diff []string) {
	sg.log.Info(logMsg, "changes", len(diff))
	if len(diff) == 0 {
		sg.events(what + ": the routes are the same" + note)
		return
	}
	sg.events(what + note + ":\n  " + strings.Join(diff, "\n  "))
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
		case st.State == engine.Healthy || st.State == engine.Running && len(st.Health) == 0:
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

// urls lists the local URL of each server block.
func (sg *stackGateway) urls() []string {
	sg.mu.Lock()
	defer sg.mu.Unlock()
	return serverURLs(sg.g, sg.table)
}

// serverURLs lists the local URL of each server block of t served by g.
func serverURLs(g *gateway.Gateway, t *gateway.Table) []string {
	var out []string
	for _, l := range g.Listeners() {
		for _, s := range t.Servers {
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
func (sg *stackGateway) stop() { shutdown(sg.gateway()) }
