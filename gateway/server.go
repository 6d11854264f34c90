package gateway

import (
	"net/netip"

	"github.com/berth-dev/berth/gateway/nginx"
)

// Server is one `server` block of the http context, compiled.
type Server struct {
	Pos     nginx.Pos
	Names   []string // server_name arguments as written; [""] by default
	Listens []Listen
	Conf    *Conf // the server level; also the "null location" config
	// Locations are the server's top-level locations.
	Locations *LocationSet
	// Rewrite is the server-level rewrite module code (rewrite, return,
	// set, if, break), run before a location is chosen.
	Rewrite []*nginx.Directive
}

// FirstName is the primary server name ($server_name).
func (s *Server) FirstName() string {
	if len(s.Names) == 0 {
		return ""
	}
	return s.Names[0]
}

// Group is the servers that share one listen address:port, with the
// server names hashed as nginx hashes them for that socket.
type Group struct {
	Addr    netip.Addr // invalid for IPv4's wildcard
	Port    int
	Servers []*Server // in the order they listed this address:port
	Default *Server   // default_server, else the first
	names   *nameTable
	// fallbackHow explains the default server's choice (made once).
	fallbackHow string
}

// Socket names the group's address:port as nginx's messages do.
func (g *Group) Socket() string { return Listen{Addr: g.Addr, Port: g.Port}.Socket() }

func (g *Group) wildcard() bool { return !g.Addr.IsValid() || g.Addr.IsUnspecified() }

// GroupFor returns the server group a connection to local address
// addr:port is served by: the group that names that address exactly, else
// the wildcard of its family. A zero addr stands for "an address no listen
// names", as a request reaching the production host's public IP.
func (t *Table) GroupFor(addr netip.Addr, port int) *Group {
	var wild4, wild6 *Group
	for _, g := range t.Groups {
		if g.Port != port {
			continue
		}
		if g.wildcard() {
			if g.Addr.Is6() {
				wild6 = g
			} else {
				wild4 = g
			}
			continue
		}
		if addr.IsValid() && g.Addr == addr.Unmap() {
			return g
		}
	}
	if addr.IsValid() && addr.Unmap().Is6() {
		if wild6 != nil {
			return wild6
		}
		return nil
	}
	if wild4 != nil {
		return wild4
	}
	if !addr.IsValid() {
		return wild6
	}
	return nil
}

// FindServer picks the server of a group for a normalised host, as
// ngx_http_find_virtual_server does, falling back to the default server.
func (g *Group) FindServer(host string) NameMatch {
	if len(g.Servers) > 1 || g.names.hasCaptures() {
		if m, ok := g.names.lookup(host); ok {
			return m
		}
	}
	return NameMatch{Server: g.Default, How: g.fallbackHow}
}

// explainFallback words, once per group, why its default server takes a
// request no name matched.
func (g *Group) explainFallback() {
	g.fallbackHow = "first server on " + g.Socket()
	if g.hasDefaultServer() {
		g.fallbackHow = "default_server of " + g.Socket()
	}
	if len(g.Servers) == 1 {
		g.fallbackHow = "only server on " + g.Socket()
	}
}

// hasCaptures: nginx builds the name hash for a lone server only when its
// regex names have captures (they set variables).
func (t *nameTable) hasCaptures() bool {
	for _, n := range t.regex {
		if len(n.regex.names) > 1 {
			return true
		}
	}
	return false
}
