package balance

// nextRoundRobin is ngx_http_upstream_get_round_robin_peer: the smooth
// weighted pick among the current tier, then the backups.
func (a *Attempt) nextRoundRobin(now int64) (int, bool) {
	for {
		t := a.tier
		if t.single {
			// The only server: no tried set, no failure check.
			pe := &t.peers[0]
			if !pe.down && (pe.maxConns == 0 || pe.conns < pe.maxConns) {
				pe.conns++
				a.current = 0
				return pe.index, true
			}
		} else if i := a.smooth(now); i >= 0 {
			return a.take(i, now), true
		}
		if !a.toBackup() {
			return -1, false
		}
	}
}

// smooth is ngx_http_upstream_get_peer: every usable untried peer gains
// its effective weight (which creeps back up after failures), the leader
// wins and pays back the total. Ties go to the earlier peer.
func (a *Attempt) smooth(now int64) int {
	peers := a.tier.peers
	best, total := -1, 0
	for i := range peers {
		pe := &peers[i]
		if a.tried.has(i) || !pe.usable(now) {
			continue
		}
		pe.current += pe.effective
		total += pe.effective
		if pe.effective < pe.weight {
			pe.effective++
		}
		if best < 0 || pe.current > peers[best].current {
			best = i
		}
	}
	if best >= 0 {
		peers[best].current -= total
	}
	return best
}
