package balance

// nextRandom is ngx_http_upstream_get_random_peer: a random draw weighted
// by weight (down peers keep their share), redrawn on a tried or unusable
// peer, round robin after 20 misses. nginx draws from its own generator,
// so only the distribution, not the sequence, matches.
func (a *Attempt) nextRandom(now int64) (int, bool) {
	t := a.tier
	if a.hashTries > 20 || t.single {
		return a.nextRoundRobin(now)
	}
	for {
		i := byWeight(t, a.pool.randn(t.total))
		if !a.tried.has(i) && t.peers[i].usable(now) {
			return a.take(i, now), true
		}
		a.hashTries++
		if a.hashTries > 20 {
			return a.nextRoundRobin(now)
		}
	}
}

// nextRandomTwo is ngx_http_upstream_get_random2_peer (`random two
// least_conn`): two distinct usable draws, the one with fewer connections
// per weight wins, the second on a tie. Every draw, the first kept one
// included, counts towards the 20.
func (a *Attempt) nextRandomTwo(now int64) (int, bool) {
	t := a.tier
	if a.hashTries > 20 || t.single {
		return a.nextRoundRobin(now)
	}
	prev := -1
	for {
		i := byWeight(t, a.pool.randn(t.total))
		if i != prev && !a.tried.has(i) && t.peers[i].usable(now) {
			if prev >= 0 {
				pe, pp := &t.peers[i], &t.peers[prev]
				if pe.conns*pp.weight > pp.conns*pe.weight {
					i = prev
				}
				return a.take(i, now), true
			}
			prev = i
		}
		a.hashTries++
		if a.hashTries > 20 {
			return a.nextRoundRobin(now)
		}
	}
}
