package balance

import (
	"errors"
	"fmt"
	"time"
)

// Method is an upstream block's balancing directive.
type Method int

const (
	RoundRobin     Method = iota // no directive: smooth weighted round robin
	LeastConn                    // least_conn
	IPHash                       // ip_hash
	Hash                         // hash KEY
	HashConsistent               // hash KEY consistent
	Random                       // random
	RandomTwo                    // random two [least_conn]
)

func (m Method) String() string {
	switch m {
	case RoundRobin:
		return "round-robin"
	case LeastConn:
		return "least_conn"
	case IPHash:
		return "ip_hash"
	case Hash:
		return "hash"
	case HashConsistent:
		return "hash consistent"
	case Random:
		return "random"
	case RandomTwo:
		return "random two least_conn"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// allowsBackup reports whether nginx accepts `backup` on a server line that
// follows the method's directive.
func (m Method) allowsBackup() bool {
	return m == RoundRobin || m == LeastConn
}

// Peer is one address of a `server` line. A name that resolves to several
// addresses gives several Peers with the same Server and parameters, as
// nginx does.
type Peer struct {
	// Addr is where the caller connects; the package never reads it.
	Addr string
	// Server is the server line's address exactly as written ("b1:8080",
	// "127.0.0.1", "unix:/run/app.sock"). hash consistent places its ring
	// points by this text, so "127.0.0.1" and "127.0.0.1:80" differ. Empty
	// means Addr.
	Server      string
	Weight      int           // weight=, at least 1
	MaxFails    int           // max_fails=, 0 turns failure accounting off
	FailTimeout time.Duration // fail_timeout=, whole seconds as nginx parses it
	MaxConns    int           // max_conns=, 0 is unlimited
	Backup      bool
	Down        bool
}

// NewPeer is a peer with nginx's defaults: weight=1 max_fails=1
// fail_timeout=10s.
func NewPeer(addr string) Peer {
	return Peer{Addr: addr, Weight: 1, MaxFails: 1, FailTimeout: 10 * time.Second}
}

// Config is one upstream block.
type Config struct {
	Method Method
	Peers  []Peer // in the order of the server lines
	// MethodAfterBackup says the hash, ip_hash or random directive comes
	// after every `server ... backup` line. nginx 1.22.1 checks a server's
	// parameters against the method named so far, so it accepts this order;
	// the backups are then reached only through the round-robin fallback.
	MethodAfterBackup bool
}

// ErrNoServers is nginx's complaint about an upstream block without server
// lines.
var ErrNoServers = errors.New("no servers are inside upstream")

// PeerError is a server line nginx refuses; Peer indexes Config.Peers so
// the caller can name the line.
type PeerError struct {
	Peer int
	Msg  string
}

func (e *PeerError) Error() string { return e.Msg }

// check refuses what ngx_http_upstream_server and
// ngx_http_upstream_init_round_robin refuse, with their messages.
func (c *Config) check() error {
	if len(c.Peers) == 0 {
		return ErrNoServers
	}
	if c.Method < RoundRobin || c.Method > RandomTwo {
		return fmt.Errorf("unknown balancing method %v", c.Method)
	}
	primaries := 0
	for i, p := range c.Peers {
		bad := func(format string, a ...any) error {
			return &PeerError{Peer: i, Msg: fmt.Sprintf(format, a...)}
		}
		switch {
		case p.Weight < 1:
			return bad(`invalid parameter "weight=%d"`, p.Weight)
		case p.MaxFails < 0:
			return bad(`invalid parameter "max_fails=%d"`, p.MaxFails)
		case p.MaxConns < 0:
			return bad(`invalid parameter "max_conns=%d"`, p.MaxConns)
		case p.FailTimeout < 0 || p.FailTimeout%time.Second != 0:
			return bad(`invalid parameter "fail_timeout=%v"`, p.FailTimeout)
		case p.Backup && !c.Method.allowsBackup() && !c.MethodAfterBackup:
			return bad(`balancing method does not support parameter "backup"`)
		}
		if !p.Backup {
			primaries++
		}
	}
	if primaries == 0 {
		return errors.New("no servers in upstream")
	}
	return nil
}
