package balance

// nextLeastConn is ngx_http_upstream_get_least_conn_peer: the fewest
// connections per weight wins; a tie is broken by smooth round robin among
// the tied peers only.
func (a *Attempt) nextLeastConn(now int64) (int, bool) {
	for {
		t := a.tier
		if t.single {
			return a.nextRoundRobin(now)
		}
		peers := t.peers
		best, many := -1, false
		for i := range peers {
			pe := &peers[i]
			if a.tried.has(i) || !pe.usable(now) {
				continue
			}
			if best < 0 || pe.conns*peers[best].weight < peers[best].conns*pe.weight {
				best, many = i, false
			} else if pe.conns*peers[best].weight == peers[best].conns*pe.weight {
				many = true
			}
		}
		if best >= 0 {
			if many {
				best = a.leastConnTie(best, now)
			}
			return a.take(best, now), true
		}
		if !a.toBackup() {
			return -1, false
		}
	}
}

// leastConnTie runs smooth round robin over the peers from first on that
// share first's conns/weight, and returns the winner.
func (a *Attempt) leastConnTie(first int, now int64) int {
	peers := a.tier.peers
	f := &peers[first]
	best, total := first, 0
	for i := first; i < len(peers); i++ {
		pe := &peers[i]
		if a.tried.has(i) || !pe.usable(now) || pe.conns*f.weight != f.conns*pe.weight {
			continue
		}
		pe.current += pe.effective
		total += pe.effective
		if pe.effective < pe.weight {
			pe.effective++
		}
		if pe.current > peers[best].current {
			best = i
		}
	}
	peers[best].current -= total
	return best
}
