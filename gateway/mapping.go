package gateway

import (
	"path"
	"sort"
	"strings"
)

// UpstreamMapping says which service of the stack serves an upstream, and
// how Berth could tell.
type UpstreamMapping struct {
	Upstream *Upstream
	Service  string // "" when the upstream is outside the stack
	How      string
}

// MapUpstreams maps every upstream of the table (blocks and addresses
// written straight into a *_pass) to a service, where it can tell:
// an explicit mapping first (by upstream name or address as written),
// then an upstream named after a service, a peer whose host is a service
// (Compose style, http://web:8000), or a unix socket path that names the
// service (/opt/www/service1/uwsgi.sock → service1). The rest are outside
// the stack: nginx's literal addresses are used for them.
func (t *Table) MapUpstreams(services []string, explicit map[string]string) []UpstreamMapping {
	known := map[string]string{} // lower-cased name → service
	for _, s := range services {
		known[strings.ToLower(s)] = s
	}
	var out []UpstreamMapping
	for _, u := range t.Upstreams {
		m := UpstreamMapping{Upstream: u}
		m.Service, m.How = mapOne(u, known, explicit)
		out = append(out, m)
	}
	return out
}

func mapOne(u *Upstream, known, explicit map[string]string) (service, how string) {
	for from, to := range explicit {
		if strings.EqualFold(from, u.Name) {
			return to, "x-berth.gateway.upstreams maps " + from
		}
		for _, p := range u.Servers {
			if from == p.Addr.String() || from == p.Written {
				return to, "x-berth.gateway.upstreams maps " + from
			}
		}
	}
	if s, ok := known[strings.ToLower(u.Name)]; ok && !u.Implicit {
		return s, "the upstream is named after the service"
	}
	for _, p := range u.Servers {
		if p.Addr.Network == "tcp" {
			if s, ok := known[strings.ToLower(p.Addr.Host)]; ok {
				return s, "its host " + p.Addr.Host + " is the service"
			}
			continue
		}
		if s := serviceInPath(p.Addr.Path, known); s != "" {
			return s, "its socket path " + p.Addr.Path + " names the service"
		}
	}
	return "", "outside the stack: no service is named by it"
}

// serviceInPath finds a service named by a socket path: a folder of the
// path (the deepest one wins) or the file's name without its extension.
func serviceInPath(p string, known map[string]string) string {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	base := strings.TrimSuffix(parts[len(parts)-1], path.Ext(parts[len(parts)-1]))
	if s, ok := known[strings.ToLower(base)]; ok {
		return s
	}
	for i := len(parts) - 2; i >= 0; i-- {
		if s, ok := known[strings.ToLower(parts[i])]; ok {
			return s
		}
	}
	return ""
}

// Target is where a mapped upstream's requests go now: the address its
// service serves on, or why it cannot take them.
type Target struct {
	Service string
	Addrs   []Addr // empty when Down is set
	// Down is the service's state when it cannot take requests
	// ("stopped", "starting", "unhealthy"); the gateway answers 503.
	Down string
	// Hint tells the user how to bring the service up.
	Hint string
}

// Outside reports the upstreams no service serves, by name, sorted.
func Outside(ms []UpstreamMapping) []string {
	var names []string
	for _, m := range ms {
		if m.Service == "" {
			names = append(names, m.Upstream.Name)
		}
	}
	sort.Strings(names)
	return names
}
