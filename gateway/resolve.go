package gateway

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// Resolver looks up the addresses of a host name.
type Resolver func(ctx context.Context, host string) ([]netip.Addr, error)

// systemResolver is the system's resolver (the hosts file, then DNS),
// its answers shaped as nginx gets them from getaddrinfo (addrConfig)
// against the machine's addresses, read once for the lookups it makes.
func systemResolver() Resolver {
	local := sync.OnceValue(func() []netip.Addr {
		var out []netip.Addr
		if ifaddrs, err := net.InterfaceAddrs(); err == nil {
			for _, a := range ifaddrs {
				if n, ok := a.(*net.IPNet); ok {
					if ip, ok := netip.AddrFromSlice(n.IP); ok {
						out = append(out, ip.Unmap())
					}
				}
			}
		}
		return out
	})
	return func(ctx context.Context, host string) ([]netip.Addr, error) {
		addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, err
		}
		return addrConfig(addrs, local()), nil
	}
}

// addrConfig gives the addresses of a lookup as glibc's getaddrinfo
// gives them to nginx (ngx_inet_resolve_host asks with AI_ADDRCONFIG):
// when the machine has addresses of one family only, besides 127.0.0.1
// and ::1, only that family's (an offline machine, with loopback alone,
// keeps both, as glibc does); and ordered by
// the precedence of RFC 3484's default policy table, so ::1 comes before
// 127.0.0.1 (Go leaves the hosts file's order). local lists the
// machine's addresses.
func addrConfig(addrs, local []netip.Addr) []netip.Addr {
	var has4, has6 bool
	for _, a := range local {
		switch {
		case a.Is4() && a != netip.AddrFrom4([4]byte{127, 0, 0, 1}):
			has4 = true
		case a.Is6() && a != netip.IPv6Loopback():
			has6 = true
		}
	}
	if !has4 && !has6 {
		has4, has6 = true, true
	}
	out := make([]netip.Addr, 0, len(addrs))
	for _, a := range addrs {
		a = a.Unmap()
		if a.Is4() && has4 || a.Is6() && has6 {
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, func(a, b netip.Addr) int { return precedence(b) - precedence(a) })
	return out
}

// precedence is RFC 3484's default policy table, glibc's without a
// gai.conf.
func precedence(a netip.Addr) int {
	switch {
	case a.Is4():
		return 10 // ::ffff:0:0/96
	case a == netip.IPv6Loopback():
		return 50
	case prefix6to4.Contains(a):
		return 30
	case prefixV4Compat.Contains(a):
		return 20
	}
	return 40
}

var (
	prefix6to4     = netip.MustParsePrefix("2002::/16")
	prefixV4Compat = netip.MustParsePrefix("::/96")
)

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
	if resolve == nil {
		resolve = systemResolver()
	}
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
