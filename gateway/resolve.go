package gateway

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"time"
)

// Resolver looks up the addresses of a host name.
type Resolver func(ctx context.Context, host string) ([]netip.Addr, error)

// lookupHost is the system's resolver (the hosts file, then DNS).
func lookupHost(ctx context.Context, host string) ([]netip.Addr, error) {
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	for i, a := range addrs {
		addrs[i] = a.Unmap()
	}
	return addrs, err
}

// resolveTimeout bounds the lookups for one table: they run when it is
// installed, before it serves.
const resolveTimeout = 2 * time.Second

// resolvePeers looks up, side by side, every host name written in a
// server line or a pass directive of the upstreams no service is mapped
// to, as nginx resolves them once at load (ngx_parse_url): each address
// then becomes a peer of its own with the server's weight and settings
// (ngx_http_upstream_init_round_robin), so `server localhost:8000` is two
// peers where localhost is 127.0.0.1 and ::1. nginx refuses a config
// whose name does not resolve; Berth keeps such a server as one peer
// looked up at each connect, since production names rarely resolve on a
// laptop and the stack may map them to services.
func resolvePeers(t *Table, mapped map[*Upstream]Target, resolve Resolver) map[string][]netip.Addr {
	hosts := map[string]bool{}
	for _, u := range t.Upstreams {
		if _, ok := mapped[u]; ok {
			continue
		}
		for _, s := range u.Servers {
			if s.Addr.Network == "tcp" {
				if _, err := netip.ParseAddr(s.Addr.Host); err != nil {
					hosts[s.Addr.Host] = true
				}
			}
		}
	}
	if len(hosts) == 0 {
		return map[string][]netip.Addr{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
	defer cancel()
	var mu sync.Mutex
	out := map[string][]netip.Addr{}
	var wg sync.WaitGroup
	for h := range hosts {
		wg.Go(func() {
			addrs, err := resolve(ctx, h)
			if err != nil || len(addrs) == 0 {
				return
			}
			mu.Lock()
			out[h] = addrs
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// resolveHosts resolves rt's host names unless that is done: a gateway
// started on a table it was never routed with resolves them then.
func (rt *routes) resolveHosts(resolve Resolver) {
	if rt.resolvedHosts() != nil {
		return
	}
	resolved := resolvePeers(rt.table, rt.targets, resolve)
	rt.mu.Lock()
	rt.resolved = resolved
	rt.mu.Unlock()
}

// resolvedHosts is rt.resolved, nil until resolved.
func (rt *routes) resolvedHosts() map[string][]netip.Addr {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.resolved
}

// peers lists the addresses a server line stands for: one per address
// its host resolved to, else the line's own. The caller holds rt.mu.
func (rt *routes) peers(s *Peer) []Addr {
	addrs, ok := rt.resolved[s.Addr.Host]
	if !ok || s.Addr.Network != "tcp" {
		return []Addr{s.Addr}
	}
	out := make([]Addr, len(addrs))
	for i, a := range addrs {
		out[i] = Addr{Network: "tcp", Host: a.String(), Port: s.Addr.Port}
	}
	return out
}
