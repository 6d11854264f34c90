package gateway

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/gateway/nginx"
)

// Listen is one `listen` of a server: the socket nginx would accept on.
type Listen struct {
	// Addr is the IP the socket is bound to; the zero Addr is IPv4's
	// wildcard (`listen 80`, `*:80`), and `[::]` is IPv6's.
	Addr          netip.Addr
	Port          int
	DefaultServer bool
	SSL           bool
	HTTP2         bool
	Pos           nginx.Pos
}

// Wildcard reports whether the listen binds every address of its family.
func (l Listen) Wildcard() bool { return !l.Addr.IsValid() || l.Addr.IsUnspecified() }

// Socket names the address:port as nginx does in its messages: "0.0.0.0:80",
// "127.0.0.1:80", "[::]:80".
func (l Listen) Socket() string {
	a := "0.0.0.0"
	if l.Addr.IsValid() {
		a = l.Addr.String()
		if l.Addr.Is6() {
			a = "[" + a + "]"
		}
	}
	return a + ":" + strconv.Itoa(l.Port)
}

// defaultListen is what nginx gives a server with no listen directive
// when it runs as root, as production nginx does.
var defaultListen = Listen{Port: 80}

// parseListen parses a listen directive as ngx_http_core_listen does.
func parseListen(d *nginx.Directive) (Listen, error) {
	l := Listen{Pos: d.ErrPos()}
	errf := func(format string, a ...any) error {
		return &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(format, a...)}
	}
	spec := d.Args[0]
	if strings.HasPrefix(spec, "unix:") {
		return l, errf(`unix sockets in "listen" are not served by Berth: %q`, spec)
	}
	addr, port, err := splitListen(spec)
	if err != nil {
		return l, errf(`%s in "%s" of the "listen" directive`, err, spec)
	}
	l.Addr, l.Port = addr, port
	for _, opt := range d.Args[1:] {
		key, _, _ := strings.Cut(opt, "=")
		switch {
		case opt == "default_server" || opt == "default":
			l.DefaultServer = true
		case opt == "ssl":
			l.SSL = true
		case opt == "http2":
			l.HTTP2 = true
		case opt == "bind", opt == "proxy_protocol", opt == "reuseport", opt == "deferred", opt == "quic":
		case strings.Contains(opt, "=") && (key == "backlog" || key == "rcvbuf" || key == "sndbuf" ||
			key == "setfib" || key == "fastopen" || key == "accept_filter" || key == "ipv6only" || key == "so_keepalive"):
		default:
			return l, errf(`invalid parameter "%s"`, opt)
		}
	}
	return l, nil
}

// splitListen reads `port`, `addr`, `addr:port`, `*:port`, `[v6]:port`,
// following ngx_parse_inet_url with listen set: a bare number is a port on
// every address; anything else is a host with default port 80.
func splitListen(s string) (netip.Addr, int, error) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return netip.Addr{}, 0, fmt.Errorf("invalid host")
		}
		a, err := netip.ParseAddr(s[1:end])
		if err != nil || !a.Is6() {
			return netip.Addr{}, 0, fmt.Errorf("invalid IPv6 address")
		}
		port := 80
		if rest := s[end+1:]; rest != "" {
			p, ok := strings.CutPrefix(rest, ":")
			if !ok {
				return netip.Addr{}, 0, fmt.Errorf("invalid host")
			}
			n, err := parsePort(p)
			if err != nil {
				return netip.Addr{}, 0, err
			}
			port = n
		}
		return a, port, nil
	}
	host, port := s, 80
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		n, err := parsePort(s[i+1:])
		if err != nil {
			return netip.Addr{}, 0, err
		}
		host, port = s[:i], n
	} else if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > 65535 {
			return netip.Addr{}, 0, fmt.Errorf("invalid port")
		}
		return netip.Addr{}, n, nil
	}
	switch host {
	case "":
		return netip.Addr{}, 0, fmt.Errorf("no host")
	case "*":
		return netip.Addr{}, port, nil
	case "localhost":
		return netip.AddrFrom4([4]byte{127, 0, 0, 1}), port, nil
	}
	a, err := netip.ParseAddr(host)
	if err != nil || !a.Is4() {
		// nginx resolves a host name here; production names rarely
		// resolve on a laptop, so Berth refuses them the way nginx does
		// when resolution fails.
		return netip.Addr{}, 0, fmt.Errorf("host not found")
	}
	if a.IsUnspecified() {
		return netip.Addr{}, port, nil
	}
	return a, port, nil
}
