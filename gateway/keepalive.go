package gateway

import (
	"bufio"
	"net"
	"slices"
	"strings"
	"sync"
)

// idleConn is an upstream connection kept open for the next request
// (the upstream `keepalive` directive), with what it had buffered.
type idleConn struct {
	conn net.Conn
	br   *bufio.Reader
}

// idlePool keeps up to max idle connections per upstream block, as
// nginx's keepalive module does per worker
// (ngx_http_upstream_keepalive_module.c): one cache for all the block's
// peers, ordered by when each connection was last used. A request takes
// the most recently used connection to its peer; a connection going idle
// in a full cache closes the least recently used one, whatever its peer.
type idlePool struct {
	mu   sync.Mutex // guards idle
	max  int
	idle []idleEntry // least recently used first
}

type idleEntry struct {
	addr string
	idleConn
}

func newIdlePool(max int) *idlePool { return &idlePool{max: max} }

// get returns the most recently used idle connection to addr, or false.
func (p *idlePool) get(addr string) (idleConn, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := len(p.idle) - 1; i >= 0; i-- {
		if p.idle[i].addr == addr {
			c := p.idle[i].idleConn
			p.idle = slices.Delete(p.idle, i, i+1)
			return c, true
		}
	}
	return idleConn{}, false
}

// put keeps c for reuse, closing the least recently used idle connection
// when the cache is full.
func (p *idlePool) put(addr string, c idleConn) {
	p.mu.Lock()
	if len(p.idle) < p.max {
		p.idle = append(p.idle, idleEntry{addr, c})
		p.mu.Unlock()
		return
	}
	old := p.idle[0].idleConn
	p.idle = append(slices.Delete(p.idle, 0, 1), idleEntry{addr, c})
	p.mu.Unlock()
	old.close()
}

// close closes every idle connection (the table is being replaced).
func (p *idlePool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, e := range idle {
		e.close()
	}
}

// close closes the connection and recycles its reader.
func (c idleConn) close() {
	c.conn.Close()
	releaseUpstreamReader(c.br)
}

// keepaliveFor says how many idle connections an upstream request may
// leave behind: nginx keeps them only when the block has `keepalive N`
// (on by default from 1.29.7) and the request is HTTP/1.1 without a
// Connection header.
func keepaliveFor(u *UpstreamRequest, ver NginxVersion) int {
	if u.Proto != "HTTP/1.1" {
		return 0
	}
	for _, kv := range u.Headers {
		if strings.EqualFold(kv[0], "Connection") {
			return 0
		}
	}
	n := u.Upstream.Keepalive
	if n == 0 && ver.AtLeast(1, 29, 7) && !u.Upstream.Implicit {
		n = 32
	}
	return n
}
