package gateway

import (
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/berth-dev/berth/gateway/balance"
	"github.com/hashicorp/go-hclog"
)

// routes is a table being served with its run-time state: one balancer
// pool per upstream, made on first use and dropped with the table.
type routes struct {
	table *Table
	log   hclog.Logger
	// targets redirect mapped upstreams to where their services run now;
	// outside marks upstreams no service of the stack serves.
	targets map[*Upstream]Target
	outside map[*Upstream]bool
	// stats are the per-location figures requests on this table count in.
	stats statsBinding
	// resolved holds the addresses of the host names in server lines, by
	// name (resolvePeers), once looked up; a name missing is looked up at
	// each connect. Guarded by mu.
	resolved map[string][]netip.Addr

	mu    sync.Mutex // guards pools and idle
	pools map[*Upstream]*upstreamPool
	idle  map[*Upstream]*idlePool

	// inflight counts the requests being served on these routes (see
	// Gateway.acquire), so that replacing them can wait for those
	// requests before whatever they route to is stopped.
	inflight atomic.Int64
}

// drainLimit bounds how long a route change waits for the requests
// still served on the routes it replaced, as a shutdown waits for them
// (long polls and websockets would hold a move for ever).
const drainLimit = 5 * time.Second

// drained waits until no request is served on rt any more, or limit
// passes.
func (rt *routes) drained(limit time.Duration) {
	for deadline := time.Now().Add(limit); rt.inflight.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(2 * time.Millisecond)
	}
}

// upstreamPool is an upstream's balancer with its peers' addresses, and
// those as text, made once rather than per request.
type upstreamPool struct {
	*balance.Pool
	addrs []Addr
	names []string
}

func newRoutes(t *Table, log hclog.Logger) *routes {
	return &routes{table: t, log: log, pools: map[*Upstream]*upstreamPool{}, idle: map[*Upstream]*idlePool{}}
}

// idleFor returns the keepalive pool of an upstream block.
func (rt *routes) idleFor(u *Upstream, max int) *idlePool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	p := rt.idle[u]
	if p == nil {
		p = newIdlePool(max)
		rt.idle[u] = p
	}
	return p
}

// close drops the idle upstream connections of a table no longer served.
func (rt *routes) close() {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for _, p := range rt.idle {
		p.close()
	}
}

// pool returns the balancer for u. Upstreams made per request (a
// proxy_pass with variables naming an address) get a fresh one-peer pool.
func (rt *routes) pool(u *Upstream) *upstreamPool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if p := rt.pools[u]; p != nil {
		return p
	}
	cfg := balance.Config{Method: balanceMethod(u), MethodAfterBackup: u.MethodAfterBackup}
	var addrs []Addr
	if t, ok := rt.targets[u]; ok {
		cfg = balance.Config{Method: balance.RoundRobin}
		addrs = t.Addrs
		for _, a := range addrs {
			cfg.Peers = append(cfg.Peers, balance.NewPeer(a.String()))
		}
	} else {
		for _, s := range u.Servers {
			for _, a := range rt.peers(s) {
				addrs = append(addrs, a)
				cfg.Peers = append(cfg.Peers, balance.Peer{Addr: a.String(), Server: s.Written, Weight: s.Weight,
					MaxFails: s.MaxFails, FailTimeout: s.FailTimeout, MaxConns: s.MaxConns, Backup: s.Backup, Down: s.Down})
			}
		}
	}
	p, err := balance.New(cfg, time.Now)
	if err != nil {
		// The compiler checked the block; a refusal here is a bug, and
		// round robin over the same peers is the safest answer.
		rt.log.Error("upstream balancer refused a checked block", "upstream", u.Name, "error", err)
		cfg.Method = balance.RoundRobin
		p, _ = balance.New(cfg, time.Now)
	}
	up := &upstreamPool{Pool: p, addrs: addrs, names: make([]string, len(addrs))}
	for i, a := range addrs {
		up.names[i] = a.String()
	}
	if !u.Implicit || u.Pos.File != "" {
		rt.pools[u] = up
	}
	return up
}

func balanceMethod(u *Upstream) balance.Method {
	switch u.Balance {
	case LeastConn:
		return balance.LeastConn
	case IPHash:
		return balance.IPHash
	case Hash:
		if u.Consistent {
			return balance.HashConsistent
		}
		return balance.Hash
	case Random:
		return balance.Random
	}
	return balance.RoundRobin
}
