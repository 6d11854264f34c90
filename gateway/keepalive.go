package gateway

import (
	"bufio"
	"net"
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
// nginx's keepalive module does per worker; the oldest goes first when
// it is full.
type idlePool struct {
	mu    sync.Mutex // guards idle
	max   int
	idle  map[string][]idleConn // by peer address
	total int
}

func newIdlePool(max int) *idlePool { return &idlePool{max: max, idle: map[string][]idleConn{}} }

// get returns an idle connection to addr, or false.
func (p *idlePool) get(addr string) (idleConn, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	list := p.idle[addr]
	if len(list) == 0 {
		return idleConn{}, false
	}
	c := list[len(list)-1]
	p.idle[addr] = list[:len(list)-1]
	p.total--
	return c, true
}

// put keeps c for reuse, closing the oldest idle one when full.
func (p *idlePool) put(addr string, c idleConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.total >= p.max {
		for a, list := range p.idle {
			if len(list) > 0 {
				list[0].conn.Close()
				p.idle[a] = list[1:]
				p.total--
				break
			}
		}
	}
	p.idle[addr] = append(p.idle[addr], c)
	p.total++
}

// close closes every idle connection (the table is being replaced).
func (p *idlePool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for a, list := range p.idle {
		for _, c := range list {
			c.conn.Close()
		}
		delete(p.idle, a)
	}
	p.total = 0
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
