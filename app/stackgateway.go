package app

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/berth-dev/berth/app/stack"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/gateway"
	"github.com/hashicorp/go-hclog"
)

// stackGateway serves a stack's nginx config and keeps each mapped
// upstream pointed at where its service runs now.
type stackGateway struct {
	g        *gateway.Gateway
	table    *gateway.Table
	mappings []gateway.UpstreamMapping
	outside  map[*gateway.Upstream]bool
	log      hclog.Logger
}

// loadStackTable imports the nginx config x-berth.gateway names.
func loadStackTable(gc *stack.GatewayConfig) (*gateway.Table, error) {
	return loadTable(configFlags{file: gc.Nginx, prefix: gc.Prefix, prodPrefix: gc.ProdPrefix})
}

// startStackGateway imports the config, maps its upstreams to the stack's
// services and starts serving.
func startStackGateway(st *stack.Stack, log hclog.Logger) (*stackGateway, error) {
	gc := st.Gateway
	t, err := loadStackTable(gc)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range st.Services {
		names = append(names, s.Name)
	}
	sg := &stackGateway{table: t, mappings: t.MapUpstreams(names, gc.Upstreams), log: log,
		outside: map[*gateway.Upstream]bool{}}
	for _, m := range sg.mappings {
		if m.Service == "" {
			sg.outside[m.Upstream] = true
			log.Info("upstream outside the stack: nginx's address is used", "upstream", m.Upstream.Name, "at", m.Upstream.Pos.String())
		} else {
			log.Debug("upstream mapped", "upstream", m.Upstream.Name, "service", m.Service, "how", m.How)
		}
	}
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

// follow re-routes on every snapshot until ctx ends.
func (sg *stackGateway) follow(ctx context.Context, snaps <-chan engine.Snapshot) {
	var last map[*gateway.Upstream]gateway.Target
	for {
		select {
		case <-ctx.Done():
			return
		case s := <-snaps:
			t := sg.targets(s)
			if !reflect.DeepEqual(t, last) {
				sg.g.Route(sg.table, t, sg.outside)
				last = t
			}
		}
	}
}

// targets decides where each mapped upstream goes for a snapshot: the
// service's address when it can take requests (healthy, or running
// without health checks), else a 503 naming its state.
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
				t.Addrs = []gateway.Addr{{Network: "tcp", Host: "127.0.0.1", Port: st.Port}}
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
