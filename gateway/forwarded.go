package gateway

import (
	"math"
	"net/netip"
	"slices"
	"strings"
)

// trustedProxies are the networks whose word on the client's address is
// taken: set_real_ip_from, or a geo block's `proxy` lines.
type trustedProxies []netip.Prefix

// trust is ngx_cidr_match: an IPv4-mapped IPv6 address is matched as the
// IPv4 address it carries.
func (p trustedProxies) trust(a netip.Addr) bool {
	a = a.Unmap()
	return slices.ContainsFunc(p, func(n netip.Prefix) bool { return n.Contains(a) })
}

// forwardResult is what ngx_http_get_forwarded_addr returns: declined
// when the address stays as it was, done when the walk stopped at an
// address that is no trusted proxy or at an entry that is no address,
// ok when it used every entry it was allowed to.
type forwardResult int

const (
	forwardDeclined forwardResult = iota
	forwardDone
	forwardOK
)

// forwardedAddr is ngx_http_get_forwarded_addr: while addr is a trusted
// proxy, it is replaced by the last entry of the last header value (with
// recursive, by the entries before it in turn, through the values
// before it, until one is no trusted proxy). values are the header's
// values in the order they arrived: every X-Forwarded-For line, or the
// one value of another header.
func forwardedAddr(addr netip.AddrPort, values []string, proxies trustedProxies, recursive bool) (netip.AddrPort, forwardResult) {
	rc, found := forwardDeclined, false
	for i := len(values) - 1; i >= 0; i-- {
		addr, rc = forwardedIn(addr, values[i], proxies, recursive)
		if !recursive {
			break
		}
		if rc == forwardDeclined && found {
			rc = forwardDone
			break
		}
		if rc != forwardOK {
			break
		}
		found = true
	}
	return addr, rc
}

// forwardedIn is ngx_http_get_forwarded_addr_internal: the walk along
// one value from its end. Entries end at commas and spaces; the first
// byte of the value is never taken for a separator, so a value that
// starts with one ends the walk there, as in nginx.
func forwardedIn(addr netip.AddrPort, xff string, proxies trustedProxies, recursive bool) (netip.AddrPort, forwardResult) {
	found := false
	n := len(xff)
	for {
		if !proxies.trust(addr.Addr()) {
			if found {
				return addr, forwardDone
			}
			return addr, forwardDeclined
		}
		p := n - 1
		for ; p > 0 && (xff[p] == ' ' || xff[p] == ','); p-- {
			n--
		}
		for ; p > 0; p-- {
			if xff[p] == ' ' || xff[p] == ',' {
				p++
				break
			}
		}
		var next netip.AddrPort
		ok := false
		if p >= 0 && p < n {
			next, ok = ngxParseAddrPort(xff[p:n])
		}
		if !ok {
			if found {
				return addr, forwardDone
			}
			return addr, forwardDeclined
		}
		addr, found = next, true
		n = p - 1
		if !recursive || p <= 0 {
			return addr, forwardOK
		}
	}
}

// ngxParseAddrPort is ngx_parse_addr_port: an address, `a.b.c.d:port`
// or `[v6]:port`. The port is 0 when none was given.
func ngxParseAddrPort(s string) (netip.AddrPort, bool) {
	if a, ok := ngxParseAddr(s); ok {
		return netip.AddrPortFrom(a, 0), true
	}
	host, port := "", ""
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 || end == len(s)-1 || s[end+1] != ':' {
			return netip.AddrPort{}, false
		}
		host, port = s[1:end], s[end+2:]
	} else {
		i := strings.IndexByte(s, ':')
		if i < 0 {
			return netip.AddrPort{}, false
		}
		host, port = s[:i], s[i+1:]
	}
	p, ok := ngxAtoi(port)
	if !ok || p < 1 || p > 65535 {
		return netip.AddrPort{}, false
	}
	a, ok := ngxParseAddr(host)
	if !ok {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(a, uint16(p)), true
}

// ngxParseAddr is ngx_parse_addr: ngx_inet_addr's IPv4 (which takes
// leading zeros and empty octets, and not 255.255.255.255, its
// INADDR_NONE), else an IPv6 address without a zone.
func ngxParseAddr(s string) (netip.Addr, bool) {
	if a, ok := ngxInetAddr(s); ok {
		return a, true
	}
	if !strings.Contains(s, ":") || strings.Contains(s, "%") {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	return a, err == nil
}

// ngxInetAddr is ngx_inet_addr: four dot-separated decimal octets, each
// at most 255; an empty octet is 0.
func ngxInetAddr(s string) (netip.Addr, bool) {
	var b [4]byte
	var octet, dots int
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			octet = octet*10 + int(c-'0')
			if octet > 255 {
				return netip.Addr{}, false
			}
		case c == '.' && dots < 3:
			b[dots] = byte(octet)
			octet = 0
			dots++
		default:
			return netip.Addr{}, false
		}
	}
	if dots != 3 {
		return netip.Addr{}, false
	}
	b[3] = byte(octet)
	if b == [4]byte{255, 255, 255, 255} {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4(b), true
}

// ngxAtoi is ngx_atoi: decimal digits only, at least one, refused past
// the largest value.
func ngxAtoi(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		d := int(s[i] - '0')
		if n > (math.MaxInt-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}
