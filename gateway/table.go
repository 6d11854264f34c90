package gateway

import (
	"net/netip"
	"strings"

	"github.com/berth-dev/berth/gateway/nginx"
)

// Table is an imported nginx configuration compiled for routing: what
// nginx builds at start-up, immutable once made. The gateway swaps whole
// tables; nothing mutates one in place.
type Table struct {
	Config    *nginx.Config
	HTTP      *Conf
	Servers   []*Server   // in config order
	Groups    []*Group    // one per listen address:port, in order of first use
	Upstreams []*Upstream // blocks and implicit ones, in config order
	// Workers is how many worker processes nginx runs this config with
	// (worker_processes). Berth is one process, but each nginx worker
	// keeps its own `keepalive N` idle upstream connections, so Berth
	// keeps N × Workers.
	Workers int
	maps    map[string]*mapVar // by variable name, without "$"
	// realIPNets are the networks of each set_real_ip_from line, host
	// names resolved as the config was read.
	realIPNets map[*nginx.Directive][]netip.Prefix
	// limitZones are the limit_req_zone blocks, connZones the
	// limit_conn_zone ones, by zone name.
	limitZones map[string]*LimitZone
	connZones  map[string]*ConnZone
	// regexes are the compiled patterns of rewrite and if directives.
	regexes map[*nginx.Directive]*Regex
	// anonymous are the locations `if` and `limit_except` blocks make,
	// for their own content handlers.
	anonymous map[*nginx.Directive]*Location
	// Report lists what Berth noticed while importing: the reader's notes
	// and every directive Berth does not act on, with what it does instead.
	Report []nginx.Note
}

// Upstream returns the upstream block called name (case-insensitive, as
// nginx compares them), or nil.
func (t *Table) Upstream(name string) *Upstream {
	for _, u := range t.Upstreams {
		if !u.Implicit && strings.EqualFold(u.Name, name) {
			return u
		}
	}
	return nil
}
