package balance

// nextIPHash is ngx_http_upstream_get_ip_hash_peer. The hash walks the
// first three bytes of an IPv4 client (all sixteen of IPv6) and picks a
// peer by weight; a peer that is tried or unusable makes it walk the
// bytes again from where it stopped. After 20 misses in one request it
// gives up for round robin.
func (a *Attempt) nextIPHash(now int64) (int, bool) {
	t := a.tier
	if a.hashTries > 20 || t.single {
		return a.nextRoundRobin(now)
	}
	hash := a.hash
	for {
		for _, b := range a.addr[:a.addrLen] {
			hash = (hash*113 + uint32(b)) % 6271
		}
		i := byWeight(t, int(hash)%t.total)
		if !a.tried.has(i) && t.peers[i].usable(now) {
			a.hash = hash
			return a.take(i, now), true
		}
		a.hashTries++
		if a.hashTries > 20 {
			return a.nextRoundRobin(now)
		}
	}
}

// byWeight returns the peer whose share of the tier's total weight holds
// w; down peers keep their share.
func byWeight(t *tier, w int) int {
	i := 0
	for w >= t.peers[i].weight {
		w -= t.peers[i].weight
		i++
	}
	return i
}
