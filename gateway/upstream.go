package gateway

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/gateway/nginx"
)

// Balance is an upstream block's peer selection method.
type Balance string

const (
	RoundRobin Balance = "round-robin" // nginx's smooth weighted round robin
	LeastConn  Balance = "least_conn"
	IPHash     Balance = "ip_hash"
	Hash       Balance = "hash"
	Random     Balance = "random"
)

// Upstream is an `upstream` block, or the implicit one nginx makes for an
// address written straight into proxy_pass/uwsgi_pass.
type Upstream struct {
	Name     string // as written in the block or the pass directive
	Pos      nginx.Pos
	Implicit bool // made from a pass directive, not an upstream block
	Balance  Balance
	HashKey  string // for Hash: the key, variables verbatim
	// Consistent is `hash ... consistent` (ketama).
	Consistent bool
	Keepalive  int
	Servers    []*Peer
	// MethodAfterBackup: the hash, ip_hash or random line comes after
	// backup servers, which nginx then reaches only through round robin.
	MethodAfterBackup bool
	// NoResolver: a host name a pass directive's variables gave at run
	// time, with no upstream of that name and no `resolver` in effect;
	// nginx answers 502 ("no resolver defined to resolve").
	NoResolver bool
}

// Peer is one `server` line of an upstream block.
type Peer struct {
	Addr Addr
	// Written is the address as the config writes it; hash consistent
	// places peers on its ring by this text.
	Written     string
	Weight      int
	MaxFails    int
	FailTimeout time.Duration
	MaxConns    int
	Backup      bool
	Down        bool
	Pos         nginx.Pos
}

// Addr is an upstream address: a TCP host:port or a unix socket path.
type Addr struct {
	// Network is "tcp" or "unix".
	Network string
	// Host is the host as written (a name or an IP) for tcp; Port its port.
	Host string
	Port int
	// Path is the unix socket path exactly as nginx hands it to the kernel:
	// everything after "unix:", so `unix:///opt/x.sock` is `///opt/x.sock`.
	Path string
}

func (a Addr) String() string {
	if a.Network == "unix" {
		return "unix:" + a.Path
	}
	if strings.Contains(a.Host, ":") {
		return "[" + a.Host + "]:" + strconv.Itoa(a.Port)
	}
	return a.Host + ":" + strconv.Itoa(a.Port)
}

// Dial returns the network and address to hand to net.Dial.
func (a Addr) Dial() (network, address string) {
	if a.Network == "unix" {
		return "unix", a.Path
	}
	return "tcp", a.String()
}

// parseUpstreamAddr parses the address of an upstream `server` line or a
// pass directive's host part (ngx_parse_url with no URI). defaultPort is
// used when none is written.
func parseUpstreamAddr(s string, defaultPort int) (Addr, error) {
	if rest, ok := strings.CutPrefix(s, "unix:"); ok {
		if rest == "" {
			return Addr{}, fmt.Errorf("no path in the unix domain socket")
		}
		if len(rest) >= 108 {
			return Addr{}, fmt.Errorf("too long path in the unix domain socket")
		}
		return Addr{Network: "unix", Path: rest}, nil
	}
	host, port := s, defaultPort
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return Addr{}, fmt.Errorf("invalid host")
		}
		host = s[1:end]
		if rest := s[end+1:]; rest != "" {
			p, ok := strings.CutPrefix(rest, ":")
			if !ok {
				return Addr{}, fmt.Errorf("invalid host")
			}
			n, err := parsePort(p)
			if err != nil {
				return Addr{}, err
			}
			port = n
		}
	} else if i := strings.LastIndexByte(s, ':'); i >= 0 {
		host = s[:i]
		n, err := parsePort(s[i+1:])
		if err != nil {
			return Addr{}, err
		}
		port = n
	}
	if host == "" {
		return Addr{}, fmt.Errorf("no host")
	}
	if port == 0 {
		return Addr{}, fmt.Errorf("no port")
	}
	return Addr{Network: "tcp", Host: host, Port: port}, nil
}

func parsePort(p string) (int, error) {
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 || strings.TrimLeft(p, "0123456789") != "" {
		return 0, fmt.Errorf("invalid port")
	}
	return n, nil
}

// compileUpstream builds an upstream block (ngx_http_upstream and
// ngx_http_upstream_server), reporting what it does not act on.
func (c *compiler) compileUpstream(d *nginx.Directive) (*Upstream, error) {
	u := &Upstream{Name: d.Args[0], Pos: d.Pos, Balance: RoundRobin}
	for _, sd := range d.Block {
		switch sd.Name {
		case "server":
			p, err := parsePeer(sd)
			if err != nil {
				return nil, err
			}
			if p.Backup && u.Balance != RoundRobin && u.Balance != LeastConn {
				// nginx checks a server's parameters against the method
				// named so far: a method line after the backups passes.
				return nil, &nginx.Error{Pos: sd.ErrPos(), Msg: `balancing method does not support parameter "backup"`}
			}
			u.Servers = append(u.Servers, p)
		case "least_conn":
			u.Balance = LeastConn
		case "ip_hash":
			u.Balance = IPHash
		case "hash":
			u.Balance, u.HashKey = Hash, sd.Args[0]
			u.Consistent = len(sd.Args) > 1 && sd.Args[1] == "consistent"
			if len(sd.Args) > 1 && sd.Args[1] != "consistent" {
				return nil, &nginx.Error{Pos: sd.ErrPos(), Msg: fmt.Sprintf(`invalid parameter "%s"`, sd.Args[1])}
			}
		case "random":
			u.Balance = Random
		case "keepalive":
			n, err := strconv.Atoi(sd.Args[0])
			if err != nil || n <= 0 {
				return nil, &nginx.Error{Pos: sd.ErrPos(), Msg: fmt.Sprintf(`invalid value "%s" in "keepalive" directive`, sd.Args[0])}
			}
			u.Keepalive = n
		default:
			c.ignored(sd)
		}
	}
	if len(u.Servers) == 0 {
		return nil, &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(`no servers are inside upstream`)}
	}
	if u.Balance != RoundRobin && u.Balance != LeastConn {
		for _, p := range u.Servers {
			u.MethodAfterBackup = u.MethodAfterBackup || p.Backup
		}
	}
	return u, nil
}

// newPeer is a peer with nginx's defaults: weight=1 max_fails=1
// fail_timeout=10s.
func newPeer(a Addr, pos nginx.Pos) *Peer {
	return &Peer{Addr: a, Weight: 1, MaxFails: 1, FailTimeout: 10 * time.Second, Pos: pos}
}

// parsePeer parses `server ADDR [weight=N] [max_fails=N] [fail_timeout=T]
// [max_conns=N] [backup] [down]` as ngx_http_upstream_server does.
func parsePeer(d *nginx.Directive) (*Peer, error) {
	p := newPeer(Addr{}, d.Pos)
	invalid := func(a string) error {
		return &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(`invalid parameter "%s"`, a)}
	}
	for _, a := range d.Args[1:] {
		key, val, hasVal := strings.Cut(a, "=")
		switch {
		case hasVal && key == "weight":
			n, err := strconv.Atoi(val)
			if err != nil || n <= 0 {
				return nil, invalid(a)
			}
			p.Weight = n
		case hasVal && key == "max_fails":
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 {
				return nil, invalid(a)
			}
			p.MaxFails = n
		case hasVal && key == "max_conns":
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 {
				return nil, invalid(a)
			}
			p.MaxConns = n
		case hasVal && key == "fail_timeout":
			t, err := ParseDuration(val)
			if err != nil || strings.Contains(val, "ms") { // nginx counts it in seconds
				return nil, invalid(a)
			}
			p.FailTimeout = t
		case a == "backup":
			p.Backup = true
		case a == "down":
			p.Down = true
		default:
			return nil, invalid(a)
		}
	}
	addr, err := parseUpstreamAddr(d.Args[0], 80)
	if err != nil {
		return nil, &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(`%s in upstream "%s"`, err, d.Args[0])}
	}
	p.Addr, p.Written = addr, d.Args[0]
	return p, nil
}

// ParseDuration parses an nginx time value: "10", "10s", "1m30s", "500ms".
func ParseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("empty time")
	}
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("invalid time")
		}
		n, _ := strconv.Atoi(s[:i])
		s = s[i:]
		unit := time.Second
		switch {
		case strings.HasPrefix(s, "ms"):
			unit, s = time.Millisecond, s[2:]
		case s == "":
		default:
			switch s[0] {
			case 's':
				unit = time.Second
			case 'm':
				unit = time.Minute
			case 'h':
				unit = time.Hour
			case 'd':
				unit = 24 * time.Hour
			case 'w':
				unit = 7 * 24 * time.Hour
			case 'M':
				unit = 30 * 24 * time.Hour
			case 'y':
				unit = 365 * 24 * time.Hour
			default:
				return 0, fmt.Errorf("invalid time")
			}
			s = s[1:]
		}
		total += time.Duration(n) * unit
	}
	return total, nil
}
