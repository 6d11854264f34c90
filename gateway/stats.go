package gateway

import (
	"maps"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/berth-dev/berth/gateway/nginx"
)

// LocationStats are the figures the gateway keeps for one location of
// one server, for the UI: how often it was hit, with which statuses, how
// fast, and its latest requests. A location is known by where it is
// written (server and location file:line), so its figures survive a
// reload that keeps it at the same place.
//
// An entry with a zero LocationPos (and Location "") counts the requests
// of the server that matched no location (a 400, or a 404 without a
// `location /`); it is listed only once it has hits.
type LocationStats struct {
	Server      string    // the server's first name, `""` when it has none
	ServerPos   nginx.Pos // where the server block starts
	Location    string    // the location as nginx's logs name it: "/api/", "= /x", "~ \.php$"
	LocationPos nginx.Pos // where the location block starts

	Hits uint64
	// Statuses counts the responses by status code; 0 counts requests
	// that got none (the client went away, a hijacked connection).
	Statuses map[int]uint64
	// P50 and P99 are latency percentiles, from the time the request
	// arrived to the end of its response, read off a histogram: each is
	// at most 12.5% above the true figure, and 0 without hits.
	P50, P99 time.Duration
	// Recent are the latest requests (up to RecentRequests), oldest first.
	Recent []RequestRecord
}

// RequestRecord is one request as the UI lists it.
type RequestRecord struct {
	Time     time.Time // when it arrived
	Method   string
	URI      string // the request target as the client sent it
	Status   int
	Upstream string // the upstream address used, "" when none
	Duration time.Duration
}

// RecentRequests is how many requests each location keeps.
const RecentRequests = 100

// locStats holds one location's figures. Hits and the latency histogram
// are atomic counters; the statuses and the ring of recent requests share
// one short mutex, so that a request costs a few atomic adds and one
// uncontended lock.
type locStats struct {
	server   *Server
	location *Location // nil: requests of the server that matched none

	hits    atomic.Uint64
	latency [histBuckets]atomic.Uint64

	mu       sync.Mutex // guards the fields below
	statuses map[int]uint64
	recent   ring
}

func (s *locStats) record(r RequestRecord) {
	s.hits.Add(1)
	s.latency[bucketOf(r.Duration)].Add(1)
	s.mu.Lock()
	if s.statuses == nil {
		s.statuses = map[int]uint64{}
	}
	s.statuses[r.Status]++
	s.recent.add(r)
	s.mu.Unlock()
}

func (s *locStats) snapshot() LocationStats {
	out := LocationStats{Server: displayServer(s.server), ServerPos: s.server.Pos, Hits: s.hits.Load()}
	if s.location != nil {
		out.Location, out.LocationPos = s.location.Label(), s.location.Pos
	}
	var counts [histBuckets]uint64
	for i := range counts {
		counts[i] = s.latency[i].Load()
	}
	out.P50, out.P99 = percentile(counts[:], 0.50), percentile(counts[:], 0.99)
	s.mu.Lock()
	out.Statuses = maps.Clone(s.statuses)
	out.Recent = s.recent.list()
	s.mu.Unlock()
	if out.Statuses == nil {
		out.Statuses = map[int]uint64{}
	}
	return out
}

// statsID is a location's identity across reloads: where it is written.
type statsID struct {
	serverFile, locationFile string
	serverLine, locationLine int
	label                    string // the location's: two may start on one line
	nth                      int    // the n-th block of the table with the same of all the above
}

// routeKey finds a location's figures while serving: a lookup in a map
// that never changes after the table is installed, so it needs no lock.
type routeKey struct {
	server   *Server
	location *Location
}

// statsBinding is the figures of one installed table.
type statsBinding struct {
	byRoute map[routeKey]*locStats
	// logLabels are the access log's labels of each route's server and
	// location ("name (file:line)"), made once per table.
	logLabels map[routeKey][2]any
	order     []*locStats // servers in config order, each followed by its locations
}

// bindStats gives each location of t its figures: those kept for the
// same server and location file:line before, or new ones. It returns
// the binding for the table's routes and the set by identity, which
// replaces the gateway's (figures of locations gone are dropped).
func bindStats(t *Table, kept map[statsID]*locStats) (statsBinding, map[statsID]*locStats) {
	b := statsBinding{byRoute: map[routeKey]*locStats{}, logLabels: map[routeKey][2]any{}}
	next := map[statsID]*locStats{}
	onLine := map[statsID]int{}
	take := func(srv *Server, loc *Location) {
		id := statsID{serverFile: srv.Pos.File, serverLine: srv.Pos.Line}
		if loc != nil {
			id.locationFile, id.locationLine, id.label = loc.Pos.File, loc.Pos.Line, loc.Label()
		}
		// Servers written on one line: the n-th one keeps the figures
		// of the n-th one before.
		n := onLine[id]
		onLine[id]++
		id.nth = n
		s := kept[id]
		if s == nil {
			s = &locStats{}
		}
		s.server, s.location = srv, loc // labels follow the table served
		b.logLabels[routeKey{srv, loc}] = routeLabels(srv, loc)
		next[id] = s
		b.byRoute[routeKey{srv, loc}] = s
		b.order = append(b.order, s)
	}
	var walk func(srv *Server, locs []*Location)
	walk = func(srv *Server, locs []*Location) {
		for _, l := range locs {
			take(srv, l)
			walk(srv, l.Children.All())
		}
	}
	for _, srv := range t.Servers {
		take(srv, nil)
		walk(srv, srv.Locations.All())
	}
	return b, next
}

// routeLabels are the access log's labels of srv and loc: "name
// (file:line)", and nil for the location when loc is nil.
func routeLabels(srv *Server, loc *Location) [2]any {
	labels := [2]any{withPos(displayServer(srv), srv.Pos), nil}
	if loc != nil {
		labels[1] = withPos(loc.Label(), loc.Pos)
	}
	return labels
}

// lookup returns the figures a request that ended in loc of srv counts
// in: an `if` block's location counts in the location holding it.
func (b statsBinding) lookup(srv *Server, loc *Location) *locStats {
	for ; loc != nil; loc = loc.Parent {
		if s := b.byRoute[routeKey{srv, loc}]; s != nil {
			return s
		}
	}
	return b.byRoute[routeKey{srv, nil}]
}

// Stats returns the figures of every location of the table being served,
// in config order (servers in order, each location after its parent).
func (g *Gateway) Stats() []LocationStats {
	// A swap rebinds kept figures to the new table's server and location.
	g.statsMu.Lock()
	defer g.statsMu.Unlock()
	rt := g.routes.Load()
	out := make([]LocationStats, 0, len(rt.stats.order))
	for _, s := range rt.stats.order {
		if s.location == nil && s.hits.Load() == 0 {
			continue
		}
		out = append(out, s.snapshot())
	}
	return out
}

// ring keeps the latest RecentRequests records.
type ring struct {
	buf  [RecentRequests]RequestRecord
	next int // where the next record goes
	full bool
}

func (r *ring) add(rec RequestRecord) {
	r.buf[r.next] = rec
	r.next++
	if r.next == len(r.buf) {
		r.next, r.full = 0, true
	}
}

// list returns the records, oldest first.
func (r *ring) list() []RequestRecord {
	if !r.full {
		return slices.Clone(r.buf[:r.next])
	}
	return append(slices.Clone(r.buf[r.next:]), r.buf[:r.next]...)
}

// The latency histogram has subBuckets buckets per power of two of
// nanoseconds: below 2^subBits ns each nanosecond has its own bucket; a
// duration d in [2^e, 2^(e+1)) with e >= subBits falls in bucket
// (e-subBits+1)*subBuckets + (the subBits bits of d after its top one).
// Durations beyond 2^(maxExp+1) ns (18 minutes) count in the last bucket.
const (
	subBits     = 3
	subBuckets  = 1 << subBits
	maxExp      = 39
	histBuckets = (maxExp - subBits + 2) * subBuckets
)

// bucketOf is the histogram bucket of d.
func bucketOf(d time.Duration) int {
	if d < subBuckets {
		return int(max(d, 0))
	}
	e := bits.Len64(uint64(d)) - 1 // 2^e <= d
	if e > maxExp {
		return histBuckets - 1
	}
	sub := int(uint64(d)>>(e-subBits)) & (subBuckets - 1)
	return (e-subBits+1)*subBuckets + sub
}

// bucketUpper is the least duration above bucket i: every duration in
// the bucket is below it.
func bucketUpper(i int) time.Duration {
	if i < subBuckets {
		return time.Duration(i + 1)
	}
	e, sub := i/subBuckets+subBits-1, i%subBuckets
	return time.Duration(subBuckets+sub+1) << (e - subBits)
}

// percentile reads the p-th quantile (0 < p <= 1) off histogram counts:
// the upper end of the bucket holding the ceil(p*n)-th smallest duration,
// so never below the truth and at most 1/subBuckets above it; 0 when the
// histogram is empty.
func percentile(counts []uint64, p float64) time.Duration {
	var n uint64
	for _, c := range counts {
		n += c
	}
	if n == 0 {
		return 0
	}
	rank := uint64(p * float64(n))
	if float64(rank) < p*float64(n) {
		rank++ // ceil
	}
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for i, c := range counts {
		seen += c
		if seen >= rank {
			return bucketUpper(i) - 1
		}
	}
	return bucketUpper(len(counts)-1) - 1
}
