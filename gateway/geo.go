package gateway

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/berth-dev/berth/gateway/nginx"
)

// geoTable is a geo block (ngx_http_geo_module): a variable whose value
// is that of the network (or, with `ranges`, the address range) the
// client's address falls in. Production configs use it for office
// allowlists and maintenance switches.
type geoTable struct {
	def    string // with ranges; without, default is the /0 networks
	ranges bool
	nets   []geoNet   // without ranges; the longest prefix wins
	spans  []geoRange // with ranges; the latest line that covers wins
	// proxies are the `proxy` networks: a client among them is taken
	// to be the last address of X-Forwarded-For (all of them that are
	// proxies, with proxy_recursive).
	proxies   trustedProxies
	recursive bool
}

type geoNet struct {
	net   netip.Prefix
	value string
}

type geoRange struct {
	from, to netip.Addr
	value    string
}

// noAddr is INADDR_NONE: what nginx looks up for a source that is no
// address.
var noAddr = netip.AddrFrom4([4]byte{255, 255, 255, 255})

// compileGeo compiles `geo [$source] $variable { ... }` as
// ngx_http_geo_block reads it; the source defaults to the client's
// address.
func compileGeo(d *nginx.Directive) (string, *mapVar, error) {
	errAt := func(e *nginx.Directive, format string, a ...any) error {
		return &nginx.Error{Pos: e.ErrPos(), Msg: fmt.Sprintf(format, a...)}
	}
	source, name := "", d.Args[0]
	if len(d.Args) == 2 {
		source, name = d.Args[0], d.Args[1]
	}
	if !strings.HasPrefix(name, "$") {
		return "", nil, errAt(d, `invalid variable name "%s"`, name)
	}
	g := &geoTable{}
	tree := false // a network line came first: ranges may no longer start
	for _, e := range d.Block {
		args := append([]string{e.Name}, e.Args...)
		if len(args) == 1 {
			switch args[0] {
			case "ranges":
				if tree {
					return "", nil, errAt(e, `the "ranges" directive must be the first directive inside "geo" block`)
				}
				g.ranges = true
				continue
			case "proxy_recursive":
				g.recursive = true
				continue
			}
		}
		if len(args) != 2 {
			return "", nil, errAt(e, "invalid number of the geo parameters")
		}
		key, val := args[0], args[1]
		switch {
		case key == "proxy":
			p, _, err := parseNetwork(val)
			if err != nil {
				return "", nil, errAt(e, `invalid network "%s"`, val)
			}
			g.proxies = append(g.proxies, p)
		case key == "default" && g.ranges:
			g.def = val
		case key == "default":
			// 0.0.0.0/0 and ::/0, as ngx_http_geo_cidr stores it: a /0
			// line replaces it, and it a /0 line.
			tree = true
			for _, p := range []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")} {
				g.setNet(p, val, false)
			}
		case g.ranges:
			del := key == "delete"
			if del {
				key = val
			}
			from, to, ok := geoSpan(key)
			if !ok {
				return "", nil, errAt(e, `invalid range "%s"`, key)
			}
			if del {
				g.spans = slices.DeleteFunc(g.spans, func(r geoRange) bool { return r.from == from && r.to == to })
				continue
			}
			g.spans = append(g.spans, geoRange{from, to, val})
		default:
			tree = true
			del := key == "delete"
			if del {
				key = val
			}
			p, _, err := parseNetwork(key)
			if err != nil {
				return "", nil, errAt(e, `invalid network "%s"`, key)
			}
			g.setNet(p, val, del)
		}
	}
	return strings.TrimPrefix(name, "$"), &mapVar{source: source, geo: g}, nil
}

// setNet gives a network its value: one given again is replaced (nginx
// warns), and delete removes it.
func (g *geoTable) setNet(p netip.Prefix, val string, del bool) {
	g.nets = slices.DeleteFunc(g.nets, func(n geoNet) bool { return n.net == p })
	if !del {
		g.nets = append(g.nets, geoNet{p, val})
	}
}

// parseNetwork reads a network as ngx_ptocidr does: an address is a /32
// (or /128), and bits past the mask are dropped (dropped says some were
// set: nginx warns that they are meaningless).
func parseNetwork(s string) (p netip.Prefix, dropped bool, err error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, false, err
		}
		return netip.PrefixFrom(a, a.BitLen()), false, nil
	}
	p, err = netip.ParsePrefix(s)
	if err != nil {
		return p, false, err
	}
	return p.Masked(), p.Masked() != p, nil
}

// geoSpan reads a `ranges` line's first-last IPv4 range.
func geoSpan(s string) (from, to netip.Addr, ok bool) {
	a, b, found := strings.Cut(s, "-")
	if !found {
		return from, to, false
	}
	from, err1 := netip.ParseAddr(a)
	to, err2 := netip.ParseAddr(b)
	if err1 != nil || err2 != nil || !from.Is4() || !to.Is4() || to.Less(from) {
		return from, to, false
	}
	return from, to, true
}

// lookup is the value for a request: its source address (the client's,
// or the source variable's, INADDR_NONE when that is no address), moved
// along X-Forwarded-For when it is a trusted proxy.
func (g *geoTable) lookup(v *reqVars, source string) string {
	var addr netip.Addr
	ok := false
	if source == "" {
		addr, ok = ngxParseAddr(v.remote)
	} else {
		addr, ok = ngxParseAddr(v.expand(source))
	}
	if !ok {
		addr = noAddr
	} else if len(g.proxies) > 0 {
		// ngx_http_geo_addr: the walk along X-Forwarded-For realip
		// makes, with the geo block's proxies.
		ap, _ := forwardedAddr(netip.AddrPortFrom(addr, 0), v.headerValues("X-Forwarded-For"), g.proxies, g.recursive)
		addr = ap.Addr()
	}
	addr = addr.Unmap()
	if g.ranges {
		if !addr.Is4() {
			addr = noAddr
		}
		for i := len(g.spans) - 1; i >= 0; i-- {
			if r := g.spans[i]; !addr.Less(r.from) && !r.to.Less(addr) {
				return r.value
			}
		}
		return g.def
	}
	best, value := -1, "" // no default: nginx's empty value
	for _, n := range g.nets {
		if n.net.Contains(addr) && n.net.Bits() > best {
			best, value = n.net.Bits(), n.value
		}
	}
	return value
}
