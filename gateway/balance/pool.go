package balance

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
	"time"
)

// Pool is the shared selection state of one upstream block, as one nginx
// worker holds it (nginx keeps it per worker unless `zone` is set). It is
// safe for concurrent use.
type Pool struct {
	method  Method
	now     func() time.Time
	randn   func(n int) int // random's draw; tests replace it
	points  []point         // hash consistent's ring, sorted by hash
	maxTier int             // peers in the larger tier, for the tried set

	// mu guards the peers' mutable fields in the tiers that follow; their
	// shape does not change after New.
	mu      sync.Mutex
	primary tier
	backup  tier // empty when there are no backup servers
}

// tier is nginx's ngx_http_upstream_rr_peers_t: the primary or the backup
// servers.
type tier struct {
	peers  []peer
	total  int  // sum of weights, down peers included
	tries  int  // peers not down: what a request may try here
	single bool // one primary and no backups: failures are not counted
}

// peer is ngx_http_upstream_rr_peer_t.
type peer struct {
	index       int // into Config.Peers
	server      int // id of Peer.Server, for hash consistent
	weight      int
	effective   int // drops on failures and climbs back one per pick
	current     int // smooth round robin's running score
	conns       int
	maxConns    int
	fails       int
	maxFails    int
	failTimeout int64 // seconds
	accessed    int64 // unix seconds of the last failure
	checked     int64 // unix seconds of the last failure or fail_timeout check
	down        bool
}

// New builds a pool for cfg. now is the clock failures are timed by (nginx
// counts whole seconds); nil means time.Now.
func New(cfg Config, now func() time.Time) (*Pool, error) {
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("upstream: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	p := &Pool{method: cfg.Method, now: now, randn: rand.IntN}
	servers := map[string]int{}
	for i, c := range cfg.Peers {
		name := c.Server
		if name == "" {
			name = c.Addr
		}
		id, ok := servers[name]
		if !ok {
			id = len(servers)
			servers[name] = id
		}
		t := &p.primary
		if c.Backup {
			t = &p.backup
		}
		t.peers = append(t.peers, peer{
			index: i, server: id, weight: c.Weight, effective: c.Weight,
			maxConns: c.MaxConns, maxFails: c.MaxFails,
			failTimeout: int64(c.FailTimeout / time.Second), down: c.Down,
		})
		t.total += c.Weight
		if !c.Down {
			t.tries++
		}
	}
	p.primary.single = len(p.primary.peers) == 1 && len(p.backup.peers) == 0
	p.maxTier = max(len(p.primary.peers), len(p.backup.peers))
	if cfg.Method == HashConsistent {
		p.points = buildRing(cfg.Peers, &p.primary, servers)
	}
	return p, nil
}

// Begin starts one request's selection. clientIP feeds ip_hash (the zero
// Addr stands for a unix-socket client); hashKey is the evaluated key of
// `hash KEY`. Other methods ignore both.
func (p *Pool) Begin(clientIP netip.Addr, hashKey string) Attempt {
	a := Attempt{
		pool:    p,
		tier:    &p.primary,
		current: -1,
		tries:   p.primary.tries + p.backup.tries,
		key:     hashKey,
	}
	if p.maxTier > 64 {
		a.tried.big = make([]uint64, (p.maxTier+63)/64)
	}
	switch p.method {
	case IPHash:
		a.hash = 89
		switch {
		case clientIP.Is4():
			b := clientIP.As4()
			a.addrLen = copy(a.addr[:], b[:3])
		case clientIP.Is6():
			b := clientIP.As16()
			a.addrLen = copy(a.addr[:], b[:])
		default:
			a.addrLen = 3 // nginx's pseudo address: three zero bytes
		}
	case HashConsistent:
		a.hash = uint32(p.findPoint(crcString(0, hashKey)))
	}
	return a
}

// usable is the test every method applies before handing a peer out: not
// down, not failed max_fails times within fail_timeout, not at max_conns.
func (pe *peer) usable(now int64) bool {
	if pe.down {
		return false
	}
	if pe.maxFails > 0 && pe.fails >= pe.maxFails && now-pe.checked <= pe.failTimeout {
		return false
	}
	return pe.maxConns == 0 || pe.conns < pe.maxConns
}

// take hands peer i of the current tier to the request.
func (a *Attempt) take(i int, now int64) int {
	pe := &a.tier.peers[i]
	pe.conns++
	if now-pe.checked > pe.failTimeout {
		pe.checked = now
	}
	a.tried.set(i)
	a.current = i
	return pe.index
}
