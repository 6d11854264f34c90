package balance

import (
	"hash/crc32"
	"sort"
	"strconv"
	"strings"
)

// nextHash is ngx_http_upstream_get_hash_peer, compatible with
// Cache::Memcached: the running sum of ((crc32([REHASH] KEY) >> 16) &
// 0x7fff) picks a peer by weight, REHASH being the decimal count of earlier
// draws (omitted on the first). An empty key, or 20 misses, means round
// robin.
func (a *Attempt) nextHash(now int64) (int, bool) {
	t := a.tier
	if a.hashTries > 20 || t.single || a.key == "" {
		return a.nextRoundRobin(now)
	}
	var buf [20]byte
	for {
		crc := uint32(0)
		if a.rehash > 0 {
			crc = crcBytes(crc, strconv.AppendInt(buf[:0], int64(a.rehash), 10))
		}
		crc = crcString(crc, a.key)
		a.hash += (crc >> 16) & 0x7fff
		a.rehash++
		i := byWeight(t, int(a.hash)%t.total)
		if !a.tried.has(i) && t.peers[i].usable(now) {
			return a.take(i, now), true
		}
		a.hashTries++
		if a.hashTries > 20 {
			return a.nextRoundRobin(now)
		}
	}
}

// nextConsistent is ngx_http_upstream_get_chash_peer: the ring point at or
// after crc32(KEY) names a server; smooth round robin picks among that
// server's usable untried addresses. A server with none moves the request
// to the next point, up to 20 times, then round robin.
func (a *Attempt) nextConsistent(now int64) (int, bool) {
	t := a.tier
	if a.hashTries > 20 || t.single || a.key == "" {
		return a.nextRoundRobin(now)
	}
	points := a.pool.points
	for {
		server := points[a.hash%uint32(len(points))].server
		peers := t.peers
		best, total := -1, 0
		for i := range peers {
			pe := &peers[i]
			if a.tried.has(i) || !pe.usable(now) || pe.server != server {
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
			return a.take(best, now), true
		}
		a.hash++
		a.hashTries++
		if a.hashTries > 20 {
			return a.nextRoundRobin(now)
		}
	}
}

// point is a ketama ring point: a hash and the server it belongs to.
type point struct {
	hash   uint32
	server int
}

// buildRing is ngx_http_upstream_init_chash: 160 points per weight unit
// for every primary address, compatible with Cache::Memcached::Fast. The
// first point is crc32(HOST "\0" PORT prev) with prev four zero bytes,
// each next one chains the previous hash in little-endian. Equal hashes
// keep the first in order.
func buildRing(cfg []Peer, primary *tier, servers map[string]int) []point {
	names := make([]string, len(servers))
	for name, id := range servers {
		names[id] = name
	}
	points := make([]point, 0, primary.total*160)
	for _, pe := range primary.peers {
		host, port := splitServer(names[pe.server])
		base := crcString(0, host)
		base = crcString(base, "\x00")
		base = crcString(base, port)
		var prev [4]byte
		for range cfg[pe.index].Weight * 160 {
			h := crcBytes(base, prev[:])
			points = append(points, point{hash: h, server: pe.server})
			prev = [4]byte{byte(h), byte(h >> 8), byte(h >> 16), byte(h >> 24)}
		}
	}
	sort.SliceStable(points, func(i, j int) bool { return points[i].hash < points[j].hash })
	out := points[:0]
	for i, pt := range points {
		if i == 0 || pt.hash != out[len(out)-1].hash {
			out = append(out, pt)
		}
	}
	return out
}

// splitServer splits a server's address text as the ring hashes it: a
// unix: path has no port; otherwise the port is the digits after the last
// colon, when they run to the end.
func splitServer(s string) (host, port string) {
	if len(s) >= 5 && strings.EqualFold(s[:5], "unix:") {
		return s[5:], ""
	}
	for j := len(s) - 1; j >= 0; j-- {
		c := s[j]
		if c == ':' {
			return s[:j], s[j+1:]
		}
		if c < '0' || c > '9' {
			break
		}
	}
	return s, ""
}

// findPoint is the first ring point at or after hash; len(points) wraps to
// the first when used modulo the ring's size.
func (p *Pool) findPoint(hash uint32) int {
	return sort.Search(len(p.points), func(i int) bool { return p.points[i].hash >= hash })
}

// crcString continues an IEEE CRC-32 (as crc32.Update does) over s without
// converting it to bytes.
func crcString(crc uint32, s string) uint32 {
	crc = ^crc
	for i := 0; i < len(s); i++ {
		crc = crc32.IEEETable[byte(crc)^s[i]] ^ crc>>8
	}
	return ^crc
}

func crcBytes(crc uint32, b []byte) uint32 {
	crc = ^crc
	for _, c := range b {
		crc = crc32.IEEETable[byte(crc)^c] ^ crc>>8
	}
	return ^crc
}
