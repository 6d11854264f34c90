package balance

// Attempt is one request's selection: which peers it has tried and, for
// the hash methods, where it is in its rehashing. Keep it in a variable and
// call Next and Done on it in turn; it must not be shared or copied once
// started.
type Attempt struct {
	pool      *Pool
	tier      *tier // the primaries, then the backups once they run out
	tried     bitset
	current   int    // position in tier of the peer handed out, -1 for none
	tries     int    // attempts left, nginx's pc->tries
	hashTries int    // ip_hash/hash/random draws; past 20 they give up for round robin
	rehash    int    // hash: how many times the key was hashed
	hash      uint32 // ip_hash: the running hash; hash: the running sum; consistent: the ring point
	key       string
	addr      [16]byte
	addrLen   int
}

// LimitTries applies proxy_next_upstream_tries (0 is no limit). Call it
// before the first Next.
func (a *Attempt) LimitTries(n int) {
	if n > 0 && a.tries > n {
		a.tries = n
	}
}

// Left is how many tries the request has left, the current peer's
// included (nginx's pc->tries before the peer is freed): an upstream's
// answer moves on to another peer only while it is more than one.
func (a *Attempt) Left() int { return a.tries }

// Next picks the peer to try and returns its index in Config.Peers.
// ok=false means nginx's "no live upstreams": answer 502. Call Done for
// every peer Next returns; call Next again only when Done said to.
func (a *Attempt) Next() (peer int, ok bool) {
	p := a.pool
	if p == nil {
		return -1, false
	}
	if a.current >= 0 {
		a.Done(false) // nginx frees the previous peer before any other get
	}
	if a.tries == 0 {
		return -1, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now().Unix()
	switch p.method {
	case LeastConn:
		return a.nextLeastConn(now)
	case IPHash:
		return a.nextIPHash(now)
	case Hash:
		return a.nextHash(now)
	case HashConsistent:
		return a.nextConsistent(now)
	case Random:
		return a.nextRandom(now)
	case RandomTwo:
		return a.nextRandomTwo(now)
	}
	return a.nextRoundRobin(now)
}

// Done reports how the peer from the last Next went. failed is nginx's
// NGX_PEER_FAILED: every proxy_next_upstream condition except http_403 and
// http_404 (which pass failed=false). It returns whether nginx has tries
// left for another peer; the caller still decides, by its
// proxy_next_upstream rules, whether this failure is retried at all.
//
// A failure counts against the peer (fails+1, effective weight lowered by
// weight/max_fails); once fails reach max_fails the peer rests for
// fail_timeout, then gets one trial request. A success after that trial
// clears its failures. A pool's only server is never marked failed.
func (a *Attempt) Done(failed bool) (more bool) {
	if a.current < 0 {
		return a.tries > 0
	}
	p := a.pool
	p.mu.Lock()
	t := a.tier
	pe := &t.peers[a.current]
	a.current = -1
	pe.conns--
	if t.single {
		p.mu.Unlock()
		a.tries = 0
		return false
	}
	if failed {
		now := p.now().Unix()
		pe.fails++
		pe.accessed = now
		pe.checked = now
		if pe.maxFails > 0 {
			pe.effective -= pe.weight / pe.maxFails
		}
		pe.effective = max(pe.effective, 0)
	} else if pe.accessed < pe.checked {
		pe.fails = 0
	}
	p.mu.Unlock()
	if a.tries > 0 {
		a.tries--
	}
	return a.tries > 0
}

// toBackup moves the request to the backup servers once no primary is
// usable for it, with a fresh tried set. It reports false when there is
// nothing left to move to.
func (a *Attempt) toBackup() bool {
	p := a.pool
	if a.tier != &p.primary || len(p.backup.peers) == 0 {
		return false
	}
	a.tier = &p.backup
	a.tried.clear()
	return true
}

// bitset is the request's set of tried peers; the inline word covers
// pools of up to 64 peers without allocating.
type bitset struct {
	small uint64
	big   []uint64
}

func (b *bitset) has(i int) bool {
	if b.big != nil {
		return b.big[i/64]&(1<<(i%64)) != 0
	}
	return b.small&(1<<i) != 0
}

func (b *bitset) set(i int) {
	if b.big != nil {
		b.big[i/64] |= 1 << (i % 64)
		return
	}
	b.small |= 1 << i
}

func (b *bitset) clear() {
	b.small = 0
	clear(b.big)
}
