package app

import (
	"net/netip"

	"github.com/berth-dev/berth/gateway"
	"github.com/berth-dev/berth/gateway/nginx"
)

// The types below are the JSON that `berth routes --json` and
// `berth match --json` print (documented in the README). The text output
// is rendered from the same values, so the two never disagree.

type posJSON struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

func pos(p nginx.Pos) posJSON { return posJSON{File: p.File, Line: p.Line} }

type routesJSON struct {
	Config    string         `json:"config"`
	Servers   []serverJSON   `json:"servers"`
	Upstreams []upstreamJSON `json:"upstreams"`
	Report    []noteJSON     `json:"report"`
}

type serverJSON struct {
	posJSON
	Names      []string       `json:"names"`
	Listen     []string       `json:"listen"`
	DefaultFor []string       `json:"default_for"`
	Locations  []locationJSON `json:"locations"`
}

type locationJSON struct {
	posJSON
	Match        string         `json:"match"` // "prefix", "exact", "prefix_noregex", "regex", "regex_caseless", "named"
	Name         string         `json:"name"`
	Handler      string         `json:"handler"` // "proxy_pass", "uwsgi_pass", ..., "static"
	Target       string         `json:"target,omitempty"`
	Upstream     string         `json:"upstream,omitempty"`
	Addresses    []string       `json:"addresses,omitempty"`
	AutoRedirect bool           `json:"auto_redirect"`
	Internal     bool           `json:"internal"`
	RewritePhase bool           `json:"rewrite_phase"` // rewrite/return/set/if/try_files decide per request
	Locations    []locationJSON `json:"locations,omitempty"`
}

type upstreamJSON struct {
	posJSON
	Name     string     `json:"name"`
	Implicit bool       `json:"implicit"`
	Balance  string     `json:"balance"`
	Servers  []peerJSON `json:"servers"`
}

type peerJSON struct {
	Address     string `json:"address"`
	Weight      int    `json:"weight"`
	MaxFails    int    `json:"max_fails"`
	FailTimeout string `json:"fail_timeout"`
	Backup      bool   `json:"backup"`
	Down        bool   `json:"down"`
}

type noteJSON struct {
	posJSON
	Severity     string `json:"severity"`
	Directive    string `json:"directive,omitempty"`
	Message      string `json:"message"`
	NginxRefuses bool   `json:"nginx_refuses"`
}

var matchNames = map[gateway.Modifier]string{
	gateway.ModPrefix: "prefix", gateway.ModExact: "exact", gateway.ModNoRegex: "prefix_noregex",
	gateway.ModRegex: "regex", gateway.ModRegexCI: "regex_caseless", gateway.ModNamed: "named",
}

func routesView(t *gateway.Table) routesJSON {
	v := routesJSON{Config: t.Config.File, Servers: []serverJSON{}, Upstreams: []upstreamJSON{}, Report: []noteJSON{}}
	for _, s := range t.Servers {
		sj := serverJSON{posJSON: pos(s.Pos), Names: s.Names}
		for _, l := range s.Listens {
			sj.Listen = append(sj.Listen, l.Socket())
		}
		for _, g := range t.Groups {
			if g.Default == s {
				sj.DefaultFor = append(sj.DefaultFor, g.Socket())
			}
		}
		sj.Locations = locationsView(s.Locations.All())
		v.Servers = append(v.Servers, sj)
	}
	for _, u := range t.Upstreams {
		v.Upstreams = append(v.Upstreams, upstreamView(u))
	}
	for _, n := range t.Report {
		v.Report = append(v.Report, noteJSON{posJSON: pos(n.Pos), Severity: n.Severity.String(),
			Directive: n.Directive, Message: n.Msg, NginxRefuses: n.NginxRefuses})
	}
	return v
}

func locationsView(locs []*gateway.Location) []locationJSON {
	var out []locationJSON
	for _, l := range locs {
		out = append(out, locationView(l))
	}
	return out
}

func locationView(l *gateway.Location) locationJSON {
	j := locationJSON{posJSON: pos(l.Pos), Match: matchNames[l.Modifier], Name: l.Name,
		Handler: "static", AutoRedirect: l.AutoRedirect, Internal: l.Internal, RewritePhase: l.HasRewritePhase()}
	if h := l.Handler; h != nil {
		j.Handler, j.Target = string(h.Kind), h.Target
		if h.Upstream != nil {
			j.Upstream = h.Upstream.Name
			j.Addresses = addresses(h.Upstream)
		}
	}
	j.Locations = locationsView(l.Children.All())
	return j
}

func addresses(u *gateway.Upstream) []string {
	var out []string
	for _, p := range u.Servers {
		out = append(out, p.Addr.String())
	}
	return out
}

func upstreamView(u *gateway.Upstream) upstreamJSON {
	j := upstreamJSON{posJSON: pos(u.Pos), Name: u.Name, Implicit: u.Implicit, Balance: string(u.Balance)}
	for _, p := range u.Servers {
		j.Servers = append(j.Servers, peerJSON{Address: p.Addr.String(), Weight: p.Weight, MaxFails: p.MaxFails,
			FailTimeout: p.FailTimeout.String(), Backup: p.Backup, Down: p.Down})
	}
	return j
}

// localAddrFor is the local address a request to host reaches: the host
// itself when it is an IP, else an address no listen names.
func localAddrFor(host string) netip.Addr {
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a
}
