package gateway

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/berth-dev/berth/engine/portcheck"
	"github.com/hashicorp/go-hclog"
)

// ServeOptions are how a Gateway serves a table on this machine.
type ServeOptions struct {
	Log hclog.Logger
	// MapPort gives the local port for a production listen port; nil is
	// DefaultPortMap.
	MapPort func(prod int) int
	// Public binds the listen addresses as written; otherwise every one is
	// served on a loopback address.
	Public  bool
	Version NginxVersion
	// Prefix is nginx's -p, for relative roots ("" = /usr/share/nginx/).
	Prefix string
	// TLS gives the server config for `listen ... ssl` sockets, from the
	// server names of the group; nil serves them without TLS.
	TLS func(names []string) *tls.Config
	// Files answers file tests and serves static files; nil is the disk.
	Files FileSystem
	// KeepStats hands the per-location figures of a gateway this one
	// replaces (served on other ports, say) to this one; nil starts afresh.
	KeepStats *Gateway
	// Resolve looks up the host names of upstream servers when a table
	// is installed; nil is the system's resolver (systemResolver).
	Resolve Resolver
}

// DefaultPortMap serves privileged ports above 8000 (80 → 8080,
// 443 → 8443), as a developer without root needs, and others as they are.
func DefaultPortMap(prod int) int {
	if prod < 1024 {
		return 8000 + prod
	}
	return prod
}

// ListenerInfo tells where one production listen socket is served.
type ListenerInfo struct {
	Prod string // the socket as nginx names it: "0.0.0.0:80", "[::]:443"
	Port int    // its production port
	Addr string // the local address bound
	SSL  bool
}

// Gateway serves a route table. The table is swapped atomically; requests
// in flight finish with the table they started with.
type Gateway struct {
	opts   ServeOptions
	log    hclog.Logger
	routes atomic.Pointer[routes]

	// statsMu serialises route swaps with the hand-over of per-location
	// figures (stats: by server and location file:line) and with Stats,
	// since a swap rebinds kept figures to the new table.
	statsMu sync.Mutex
	stats   map[statsID]*locStats

	mu        sync.Mutex // guards the fields below
	headroom  bool       // holds gcHeadroom while serving
	servers   []*http.Server
	listeners []ListenerInfo
	wg        sync.WaitGroup // one per serving goroutine

	// limiter holds the limit_req buckets and connLimiter the
	// limit_conn counts; a gateway made to replace another (KeepStats)
	// keeps them too.
	limiter     *Limiter
	connLimiter *ConnLimiter
	// tempNumber is nginx's ngx_temp_number, which numbers the
	// boundaries of multipart/byteranges responses.
	tempNumber atomic.Uint64
	// conns are the connection counters stub_status shows.
	conns connStats
}

// NewGateway makes a gateway for t; Start binds its sockets.
func NewGateway(t *Table, opts ServeOptions) *Gateway {
	if opts.Log == nil {
		opts.Log = hclog.NewNullLogger()
	}
	if opts.MapPort == nil {
		opts.MapPort = DefaultPortMap
	}
	g := &Gateway{opts: opts, log: opts.Log, limiter: NewLimiter(), connLimiter: NewConnLimiter()}
	if from := opts.KeepStats; from != nil {
		from.statsMu.Lock()
		g.stats = from.stats
		from.statsMu.Unlock()
		g.limiter, g.connLimiter = from.limiter, from.connLimiter
		g.opts.KeepStats = nil // not to keep the old gateway alive
	}
	g.install(newRoutes(t, opts.Log))
	return g
}

// Swap replaces the route table. Upstream pools start afresh, as they do
// when nginx reloads.
func (g *Gateway) Swap(t *Table) { g.Route(t, nil, nil) }

// Route replaces the table and where its mapped upstreams go: targets
// send an upstream to its service's current address (or to a 503 page
// while the service is down); outside marks upstreams no service serves,
// whose failures say so. Requests in flight finish on what they started
// with, and Route returns once they have (within drainLimit): a service
// that moved is stopped at its old address only after, so no request
// that chose that address reaches it gone.
func (g *Gateway) Route(t *Table, targets map[*Upstream]Target, outside map[*Upstream]bool) {
	rt := newRoutes(t, g.log)
	rt.targets, rt.outside = targets, outside
	if prev := g.routes.Load(); prev != nil && prev.table == t {
		// The same config with services moved: nginx resolves names
		// only when it loads a config, and a move must not wait on DNS.
		rt.resolved = prev.resolvedHosts()
	}
	if rt.resolved == nil {
		rt.resolved = resolvePeers(t, targets, g.opts.Resolve)
	}
	if old := g.install(rt); old != nil {
		old.drained(drainLimit)
		old.close()
	}
}

// acquire returns the routes to serve a request on, counted as in use
// until release: counted first and then checked still current, so that a
// Route replacing them either sees the count or is seen.
func (g *Gateway) acquire() *routes {
	for {
		rt := g.routes.Load()
		rt.inflight.Add(1)
		if g.routes.Load() == rt {
			return rt
		}
		rt.inflight.Add(-1)
	}
}

// install serves rt from now on, its locations keeping the figures of
// those at the same file:line in the table before; it returns the routes
// it replaced.
func (g *Gateway) install(rt *routes) *routes {
	g.statsMu.Lock()
	defer g.statsMu.Unlock()
	rt.stats, g.stats = bindStats(rt.table, g.stats)
	return g.routes.Swap(rt)
}

// Table returns the table being served.
func (g *Gateway) Table() *Table { return g.routes.Load().table }

// Listeners lists the sockets being served.
func (g *Gateway) Listeners() []ListenerInfo {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]ListenerInfo(nil), g.listeners...)
}

// listenPlan is one socket to bind: which production group it serves.
type listenPlan struct {
	group *Group
	local netip.AddrPort
	ssl   bool
}

// planListeners decides where each listen group is served. With public
// off every group gets a loopback address of its own, keeping nginx's
// per-address server groups apart: the IPv4 wildcard is 127.0.0.1 (or
// 127.0.0.2 when a listen names 127.0.0.1 on that port), other IPv4
// addresses 127.0.0.3 and up, IPv6 ones [::1].
func planListeners(t *Table, mapPort func(int) int, public bool) []listenPlan {
	var plans []listenPlan
	next := map[int]byte{} // per local port: next free 127.0.0.N
	taken := map[netip.AddrPort]bool{}
	loop1 := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	for _, g := range t.Groups {
		port := mapPort(g.Port)
		var addr netip.Addr
		switch {
		case public && g.wildcard() && g.Addr.Is6():
			addr = netip.IPv6Unspecified()
		case public && g.wildcard():
			addr = netip.IPv4Unspecified()
		case public:
			addr = g.Addr
		case g.Addr.Is6():
			addr = netip.IPv6Loopback()
		case g.wildcard():
			addr = loop1
			if hasExplicit(t, g.Port, loop1) {
				addr = netip.AddrFrom4([4]byte{127, 0, 0, 2})
			}
		case g.Addr.IsLoopback():
			addr = g.Addr
		default:
			if next[port] == 0 {
				next[port] = 3
			}
			addr = netip.AddrFrom4([4]byte{127, 0, 0, next[port]})
			next[port]++
		}
		ap := netip.AddrPortFrom(addr, uint16(port))
		if taken[ap] {
			continue
		}
		taken[ap] = true
		plans = append(plans, listenPlan{group: g, local: ap, ssl: groupSSL(g)})
	}
	return plans
}

func hasExplicit(t *Table, port int, a netip.Addr) bool {
	for _, g := range t.Groups {
		if g.Port == port && g.Addr == a {
			return true
		}
	}
	return false
}

// groupSSL and groupHTTP2 report whether the group's socket is `listen
// ... ssl` or `http2`: options of the socket, which nginx takes from any
// listen of that address:port.
func groupSSL(g *Group) bool   { return groupOption(g, func(l Listen) bool { return l.SSL }) }
func groupHTTP2(g *Group) bool { return groupOption(g, func(l Listen) bool { return l.HTTP2 }) }

func groupOption(g *Group, has func(Listen) bool) bool {
	for _, s := range g.Servers {
		for _, l := range s.Listens {
			if l.Port == g.Port && l.Addr == g.Addr && has(l) {
				return true
			}
		}
	}
	return false
}

// Start binds every listen socket and serves in the background. A port
// already taken fails Start, naming the process that holds it.
func (g *Gateway) Start() error {
	g.routes.Load().resolveHosts(g.opts.Resolve)
	t := g.Table()
	plans := planListeners(t, g.opts.MapPort, g.opts.Public)
	var lns []net.Listener
	for _, p := range plans {
		// No TCP keepalive probes on client connections, as nginx
		// (so_keepalive off by default).
		lc := net.ListenConfig{KeepAlive: -1}
		ln, err := lc.Listen(context.Background(), "tcp", p.local.String())
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return bindError(p, err)
		}
		if p.ssl && g.opts.TLS != nil {
			cfg := g.opts.TLS(groupNames(p.group))
			if groupHTTP2(p.group) {
				// `listen ... ssl http2`: browsers get HTTP/2, as from
				// nginx; net/http serves it once ALPN chose it.
				cfg = cfg.Clone()
				cfg.NextProtos = []string{"h2", "http/1.1"}
			}
			ln = tls.NewListener(ln, cfg)
		}
		lns = append(lns, ln)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.headroom {
		holdGCHeadroom()
		g.headroom = true
	}
	for i, p := range plans {
		conf := p.group.Default.Conf // the socket's settings, before a Host picks a server
		srv := &http.Server{
			Handler:           &handler{g: g, group: p.group, scheme: scheme(p.ssl && g.opts.TLS != nil), port: int(p.local.Port())},
			ReadHeaderTimeout: timeoutSetting(conf, "client_header_timeout", 60*time.Second),
			IdleTimeout:       idleTimeout(conf),
			ConnContext:       numberConnection,
			ConnState:         g.conns.track,
			ErrorLog:          g.log.StandardLogger(&hclog.StandardLoggerOptions{InferLevels: true}),
		}
		g.servers = append(g.servers, srv)
		g.listeners = append(g.listeners, ListenerInfo{Prod: p.group.Socket(), Port: p.group.Port, Addr: lns[i].Addr().String(), SSL: p.ssl})
		g.log.Debug("listening", "nginx", p.group.Socket(), "local", lns[i].Addr().String(), "servers", len(p.group.Servers))
		ln := lns[i]
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				g.log.Error("serving stopped", "local", ln.Addr().String(), "error", err)
			}
		}()
	}
	return nil
}

// idleTimeout is how long a socket's idle client connections are kept:
// keepalive_timeout of its default server. A Go server holds one per
// socket, where nginx takes each request's location's; a location's
// keepalive_timeout 0 still closes its connections (closesAfter).
func idleTimeout(c *Conf) time.Duration {
	if t := keepaliveTimeout(c); t > 0 {
		return t
	}
	return 75 * time.Second
}

// keepaliveTimeout is keepalive_timeout's first value: how long an idle
// client connection is kept (75 s by default); 0 turns keep-alive off.
func keepaliveTimeout(c *Conf) time.Duration {
	if d := c.Get("keepalive_timeout"); d != nil {
		if t, err := ParseDuration(d.Args[0]); err == nil {
			return t
		}
	}
	return 75 * time.Second
}

func scheme(tls bool) string {
	if tls {
		return "https"
	}
	return "http"
}

func groupNames(g *Group) []string {
	var names []string
	for _, s := range g.Servers {
		names = append(names, s.Names...)
	}
	return names
}

// Shutdown stops accepting, lets requests in flight finish until ctx
// ends, then closes what is left.
func (g *Gateway) Shutdown(ctx context.Context) error {
	g.mu.Lock()
	servers := g.servers
	g.servers, g.listeners = nil, nil
	if g.headroom {
		releaseGCHeadroom()
		g.headroom = false
	}
	g.mu.Unlock()
	var first error
	for _, s := range servers {
		if err := s.Shutdown(ctx); err != nil {
			s.Close()
			if first == nil {
				first = err
			}
		}
	}
	g.wg.Wait()
	g.routes.Load().close()
	return first
}

// bindError says which process holds a port, as a user needs to know.
func bindError(p listenPlan, err error) error {
	msg := fmt.Sprintf("cannot listen on %s for nginx's %s", p.local, p.group.Socket())
	if errors.Is(err, portcheck.ErrInUse) {
		holder := portcheck.Holder(int(p.local.Port()))
		if holder == "" {
			holder = "another program"
		}
		// Wrapped, so the desktop app can offer another port.
		return fmt.Errorf("%s: %w", msg, &portcheck.InUseError{Port: int(p.local.Port()), Holder: holder})
	}
	return fmt.Errorf("%s: %w", msg, err)
}

// ParsePortMap reads --map-port FROM:TO.
func ParsePortMap(s string) (from, to int, err error) {
	a, b, ok := cutColon(s)
	if ok {
		from, err = strconv.Atoi(a)
		if err == nil {
			to, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil || from < 1 || from > 65535 || to < 0 || to > 65535 {
		return 0, 0, fmt.Errorf("bad port mapping %q: want FROM:TO, e.g. 80:8080", s)
	}
	return from, to, nil
}

func cutColon(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return s[:i], s[i+1:], true
		}
	}
	return "", "", false
}
