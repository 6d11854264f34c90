package gateway

import (
	"fmt"
	"strings"
	"time"

	"github.com/berth-dev/berth/gateway/nginx"
)

// shmZone is what limit_req_zone and limit_conn_zone have alike: a named
// zone of shared memory holding a state per value of a key.
type shmZone struct {
	Name string
	Key  string // a value with variables; an empty result is not counted
	// Size is the zone's shared memory in bytes: how many states fit.
	Size int64
	Pos  nginx.Pos
}

func (z *shmZone) zone() *shmZone { return z }

// room is how much of the zone its states can use: the slab pool's own
// header and page table take some (about four pages, taken as such).
func (z *shmZone) room() int64 { return max(z.Size-4*4096, 4096) }

// zoneID names a zone's states in a limiter: by name and key, so that
// they outlive route changes that keep both, as nginx keeps a zone's
// memory across reloads.
type zoneID struct{ name, key string }

func (z *shmZone) id() zoneID { return zoneID{z.Name, z.Key} }

// bindZone adds a limit_req_zone or limit_conn_zone to zones, refusing a
// name bound twice as nginx does.
func bindZone[Z interface{ zone() *shmZone }](zones *map[string]Z, d *nginx.Directive, z Z) error {
	name := z.zone().Name
	if prev, ok := (*zones)[name]; ok {
		return &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(`%s "%s" is already bound to key "%s"`, d.Name, name, prev.zone().Key)}
	}
	if *zones == nil {
		*zones = map[string]Z{}
	}
	(*zones)[name] = z
	return nil
}

// limitCommon are the settings limit_req and limit_conn each have: the
// status of a refusal (503 by default) and dry run.
type limitCommon struct {
	status int
	dryRun bool
}

func limitCommonFor(c *Conf, module string) limitCommon {
	s := limitCommon{status: 503, dryRun: flag(c, module+"_dry_run", false)}
	if d := c.Get(module + "_status"); d != nil {
		s.status, _ = ngxAtoi(d.Args[0]) // checked at compile time
	}
	return s
}

// LimitZone is a limit_req_zone: requests whose key evaluates alike
// share one leaky bucket, as ngx_http_limit_req_module keeps them in
// shared memory.
type LimitZone struct {
	shmZone
	// Rate is nginx's ctx->rate: requests per second × 1000, with
	// r/m divided down (1r/m is 16).
	Rate int64
}

// limitRule is one limit_req line: its zone, burst and delay in
// thousandths of a request, as nginx keeps them.
type limitRule struct {
	zone         *LimitZone
	burst, delay int64
}

// limitSettings are a level's limit_req settings.
type limitSettings struct {
	rules []limitRule // all-or-nothing inheritance
	limitCommon
}

func limitSettingsFor(c *Conf, zones map[string]*LimitZone) *limitSettings {
	return settingOnce(c, "limit_req", func() *limitSettings {
		s := &limitSettings{limitCommon: limitCommonFor(c, "limit_req")}
		for _, d := range c.List("limit_req") {
			r, _ := parseLimitReq(d)
			r.zone = zones[r.zone.Name]
			s.rules = append(s.rules, r)
		}
		return s
	})
}

// compileLimitZone reads `limit_req_zone KEY zone=NAME:SIZE rate=RATE`
// as ngx_http_limit_req_zone does.
func compileLimitZone(d *nginx.Directive) (*LimitZone, error) {
	errAt := func(format string, a ...any) error {
		return &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(format, a...)}
	}
	z := &LimitZone{shmZone: shmZone{Key: d.Args[0], Pos: d.Pos}, Rate: 1000}
	for _, a := range d.Args[1:] {
		switch {
		case strings.HasPrefix(a, "zone="):
			name, size, err := zoneParam(d, a)
			if err != nil {
				return nil, err
			}
			z.Name, z.Size = name, size
		case strings.HasPrefix(a, "rate="):
			v, scale := a[5:], int64(1)
			if s, ok := strings.CutSuffix(v, "r/s"); ok {
				v = s
			} else if s, ok := strings.CutSuffix(v, "r/m"); ok {
				v, scale = s, 60
			}
			rate, ok := ngxAtoi(v)
			if !ok || rate <= 0 {
				return nil, errAt(`invalid rate "%s"`, a)
			}
			z.Rate = int64(rate) * 1000 / scale
		default:
			return nil, errAt(`invalid parameter "%s"`, a)
		}
	}
	if z.Name == "" {
		return nil, errAt(`"limit_req_zone" must have "zone" parameter`)
	}
	return z, nil
}

// zoneParam reads a `zone=NAME:SIZE` parameter of limit_req_zone or
// limit_conn_zone: a shared memory zone of at least eight pages.
func zoneParam(d *nginx.Directive, a string) (string, int64, error) {
	errAt := func(format string, args ...any) error {
		return &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(format, args...)}
	}
	name, size, ok := strings.Cut(a[5:], ":")
	if !ok {
		return "", 0, errAt(`invalid zone size "%s"`, a)
	}
	n, err := ParseSize(size)
	if err != nil {
		return "", 0, errAt(`invalid zone size "%s"`, a)
	}
	if n < 8*4096 {
		return "", 0, errAt(`zone "%s" is too small`, a)
	}
	return name, n, nil
}

// parseLimitReq reads `limit_req zone=NAME [burst=N] [nodelay|delay=N]`
// as ngx_http_limit_req does; the zone is named, not yet found.
func parseLimitReq(d *nginx.Directive) (limitRule, error) {
	errAt := func(format string, a ...any) error {
		return &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(format, a...)}
	}
	var r limitRule
	for _, a := range d.Args {
		switch {
		case strings.HasPrefix(a, "zone="):
			r.zone = &LimitZone{shmZone: shmZone{Name: a[5:]}}
		case strings.HasPrefix(a, "burst="):
			n, ok := ngxAtoi(a[6:])
			if !ok || n <= 0 {
				return r, errAt(`invalid burst value "%s"`, a)
			}
			r.burst = int64(n) * 1000
		case strings.HasPrefix(a, "delay="):
			n, ok := ngxAtoi(a[6:])
			if !ok || n <= 0 {
				return r, errAt(`invalid delay value "%s"`, a)
			}
			r.delay = int64(n) * 1000
		case a == "nodelay":
			r.delay = 1 << 62 // NGX_MAX_INT_T_VALUE / 1000 * 1000: never
		default:
			return r, errAt(`invalid parameter "%s"`, a)
		}
	}
	if r.zone == nil {
		return r, errAt(`"limit_req" must have "zone" parameter`)
	}
	return r, nil
}

// checkLimits validates every level's limit_req and limit_conn lines
// once the whole config is read (a zone may be defined after its use):
// a zone named twice at one level, or never defined.
func (c *compiler) checkLimits() error {
	for _, conf := range c.confs {
		for _, name := range []string{"limit_req", "limit_conn"} {
			seen := map[string]bool{}
			for _, d := range conf.Own(name) {
				zone, defined := "", false
				if name == "limit_req" {
					r, err := parseLimitReq(d)
					if err != nil {
						return err
					}
					zone, defined = r.zone.Name, c.t.limitZones[r.zone.Name] != nil
				} else {
					zone, _, _ = parseLimitConn(d)
					defined = c.t.connZones[zone] != nil
				}
				if seen[zone] {
					return &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(`"%s" directive is duplicate`, name)}
				}
				seen[zone] = true
				if !defined {
					return &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(`zero size shared memory zone "%s"`, zone)}
				}
			}
		}
	}
	return nil
}

// LimitCheck is a request paused in the preaccess phase by limit_req:
// the zones' buckets decide whether it goes on, waits or is refused
// (Limiter.Check), and Continue decides the rest.
type LimitCheck struct {
	// Keys are the rules' keys evaluated for this request; a rule with
	// an empty key does not limit it.
	Keys  []string
	rules []limitRule
	set   *limitSettings
	st    *state
}

// LimitVerdict is what the buckets said: Status (the limit_req_status,
// 0 to go on), how long to wait first, $limit_req_status, and the zone
// that refused or delayed the request.
type LimitVerdict struct {
	Status int
	Delay  time.Duration
	Label  string
	Zone   string
}

// limitReq is ngx_http_limit_req_handler's entry: once per request
// (r->main->limit_req_status), and only when some rule has a key.
func (st *state) limitReq() *LimitCheck {
	if st.vars.limitStatus != "" {
		return nil
	}
	set := limitSettingsFor(st.conf, st.t.limitZones)
	if len(set.rules) == 0 {
		return nil
	}
	c := &LimitCheck{rules: set.rules, set: set, st: st, Keys: make([]string, len(set.rules))}
	any := false
	for i, r := range set.rules {
		c.Keys[i] = st.vars.expand(r.zone.Key)
		any = any || c.Keys[i] != ""
	}
	if !any {
		return nil
	}
	return c
}

// Zones names the zones whose buckets count the request.
func (c *LimitCheck) Zones() []string {
	return countingZones(c.Keys, c.rules, func(r limitRule) string { return r.zone.Name })
}

// countingZones names the zones of the rules whose key is not empty.
func countingZones[R any](keys []string, rules []R, zone func(R) string) []string {
	var names []string
	for i, r := range rules {
		if keys[i] != "" {
			names = append(names, zone(r))
		}
	}
	return names
}

// RefuseStatus is the status a bucket over its burst answers with.
func (c *LimitCheck) RefuseStatus() int { return c.set.status }

// Continue decides the rest of the request once the buckets answered:
// the refusal's status (through error_page, as nginx finalizes it), or
// on to the access phase.
func (c *LimitCheck) Continue(v LimitVerdict) *Decision {
	return c.st.decideFrom(func(st *state) phase {
		st.vars.set, st.vars.limitStatus = c.st.vars.set, v.Label
		if v.Status != 0 {
			return st.finalize(v.Status, fmt.Sprintf("limiting requests by zone %q", v.Zone))
		}
		if v.Delay > 0 {
			st.d.Trace = append(st.d.Trace, fmt.Sprintf("limit_req by zone %q delayed the request %s", v.Zone, v.Delay))
		}
		return st.afterLimitReq()
	})
}
