package gateway

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/berth-dev/berth/gateway/nginx"
)

// ConnZone is a limit_conn_zone: requests whose key evaluates alike
// share one count of requests in progress (ngx_http_limit_conn_module).
type ConnZone struct{ shmZone }

// connRule is one limit_conn line: its zone and how many requests of a
// key may be in progress at once.
type connRule struct {
	zone  *ConnZone
	limit int
}

// connLimitSettings are a level's limit_conn settings.
type connLimitSettings struct {
	rules []connRule // all-or-nothing inheritance
	limitCommon
}

func connLimitSettingsFor(c *Conf, zones map[string]*ConnZone) *connLimitSettings {
	return settingOnce(c, "limit_conn", func() *connLimitSettings {
		s := &connLimitSettings{limitCommon: limitCommonFor(c, "limit_conn")}
		for _, d := range c.List("limit_conn") {
			name, n, _ := parseLimitConn(d)
			s.rules = append(s.rules, connRule{zone: zones[name], limit: n})
		}
		return s
	})
}

// compileConnZone reads `limit_conn_zone KEY zone=NAME:SIZE` as
// ngx_http_limit_conn_zone does.
func compileConnZone(d *nginx.Directive) (*ConnZone, error) {
	z := &ConnZone{shmZone{Key: d.Args[0], Pos: d.Pos}}
	for _, a := range d.Args[1:] {
		if !strings.HasPrefix(a, "zone=") {
			return nil, &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(`invalid parameter "%s"`, a)}
		}
		name, size, err := zoneParam(d, a)
		if err != nil {
			return nil, err
		}
		z.Name, z.Size = name, size
	}
	if z.Name == "" {
		return nil, &nginx.Error{Pos: d.ErrPos(), Msg: `"limit_conn_zone" must have "zone" parameter`}
	}
	return z, nil
}

// parseLimitConn reads `limit_conn ZONE NUMBER` as ngx_http_limit_conn
// does.
func parseLimitConn(d *nginx.Directive) (zone string, n int, err error) {
	n, ok := ngxAtoi(d.Args[1])
	switch {
	case !ok || n <= 0:
		return "", 0, &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(`invalid number of connections "%s"`, d.Args[1])}
	case n > 65535:
		return "", 0, &nginx.Error{Pos: d.ErrPos(), Msg: "connection limit must be less 65536"}
	}
	return d.Args[0], n, nil
}

// ConnLimitCheck is a request paused in the preaccess phase by
// limit_conn: the zones' counts decide whether it goes on
// (ConnLimiter.Acquire), and Continue decides the rest.
type ConnLimitCheck struct {
	// Keys are the rules' keys evaluated for this request; a rule with
	// an empty key (or one over 255 bytes) does not count it.
	Keys []string
	set  *connLimitSettings
	st   *state
}

// ConnVerdict is what the counts said: Status (limit_conn_status, 0 to
// go on), $limit_conn_status, and the zone that refused.
type ConnVerdict struct {
	Status int
	Label  string
	Zone   string
}

// limitConn is ngx_http_limit_conn_handler's entry: once per request
// (r->main->limit_conn_status), when some rule has a key.
func (st *state) limitConn() *ConnLimitCheck {
	if st.vars.connStatus != "" {
		return nil
	}
	set := connLimitSettingsFor(st.conf, st.t.connZones)
	if len(set.rules) == 0 {
		return nil
	}
	c := &ConnLimitCheck{set: set, st: st, Keys: make([]string, len(set.rules))}
	any := false
	for i, r := range set.rules {
		if k := st.vars.expand(r.zone.Key); len(k) <= 255 {
			c.Keys[i] = k
			any = any || k != ""
		}
	}
	if !any {
		return nil
	}
	return c
}

// Zones names the zones that count the request.
func (c *ConnLimitCheck) Zones() []string {
	return countingZones(c.Keys, c.set.rules, func(r connRule) string { return r.zone.Name })
}

// RefuseStatus is the status a zone at its limit answers with.
func (c *ConnLimitCheck) RefuseStatus() int { return c.set.status }

// Continue decides the rest of the request once the counts answered:
// the refusal's status (through error_page), or on to the access phase.
func (c *ConnLimitCheck) Continue(v ConnVerdict) *Decision {
	return c.st.decideFrom(func(st *state) phase {
		st.vars.set, st.vars.connStatus = c.st.vars.set, v.Label
		if v.Status != 0 {
			return st.finalize(v.Status, fmt.Sprintf("limiting connections by zone %q", v.Zone))
		}
		return st.access()
	})
}

// ConnLimiter holds the limit_conn zones' counts for a gateway.
type ConnLimiter struct {
	mu    sync.Mutex
	zones map[zoneID]*connZoneCounts
}

type connZoneCounts struct {
	counts map[string]int
	used   int64 // bytes of the zone its nodes take
}

// NewConnLimiter returns a ConnLimiter with nothing counted.
func NewConnLimiter() *ConnLimiter { return &ConnLimiter{zones: map[zoneID]*connZoneCounts{}} }

// connNodeCost is what a key's node takes of a zone in nginx: its
// rbtree node and ngx_http_limit_conn_node_t (36 bytes) and the key, in
// a slab slot.
func connNodeCost(keyLen int) int64 { return slabSlot(36 + keyLen) }

// Acquire is ngx_http_limit_conn_handler's count: each rule's key takes
// one of its zone's places, unless the zone already has as many
// requests of that key as the rule allows (or no room for a new key):
// then the places taken are given back and the request is refused (in
// dry run, let through holding none). release gives the places back
// when the request ends; nil when none are held.
func (l *ConnLimiter) Acquire(c *ConnLimitCheck) (v ConnVerdict, release func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	type held struct {
		z   *connZoneCounts
		key string
	}
	var taken []held
	giveBack := func() {
		for _, h := range taken {
			h.z.counts[h.key]--
			if h.z.counts[h.key] == 0 {
				delete(h.z.counts, h.key)
				h.z.used -= connNodeCost(len(h.key))
			}
		}
	}
	for i, r := range c.set.rules {
		key := c.Keys[i]
		if key == "" {
			continue
		}
		v.Label = "PASSED"
		z := l.zone(r.zone)
		n := z.counts[key]
		full := n == 0 && z.used+connNodeCost(len(key)) > r.zone.room()
		if full || n >= r.limit {
			giveBack()
			if c.set.dryRun {
				return ConnVerdict{Label: "REJECTED_DRY_RUN", Zone: r.zone.Name}, nil
			}
			return ConnVerdict{Status: c.set.status, Label: "REJECTED", Zone: r.zone.Name}, nil
		}
		if n == 0 {
			z.used += connNodeCost(len(key))
		}
		z.counts[key] = n + 1
		taken = append(taken, held{z, key})
	}
	if len(taken) == 0 {
		return v, nil
	}
	var once sync.Once
	return v, func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			giveBack()
		})
	}
}

func (l *ConnLimiter) zone(z *ConnZone) *connZoneCounts {
	cz := l.zones[z.id()]
	if cz == nil {
		cz = &connZoneCounts{counts: map[string]int{}}
		l.zones[z.id()] = cz
	}
	return cz
}

// heldPlaces collects what a request holds until it ends (limit_conn's
// places): the request's countingWriter, found through the writers
// wrapping it, keeps them; a writer that is not a request's (an
// auth_request subrequest's) gets nil, and its places are given back at
// once.
func heldPlaces(w http.ResponseWriter) *countingWriter {
	for {
		switch x := w.(type) {
		case *countingWriter:
			return x
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return nil
		}
	}
}
