package gateway

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/berth-dev/berth/gateway/nginx"
)

// realIPSettings are a level's ngx_http_realip_module settings: behind a
// load balancer, the client's address is the one the balancer names in
// a header, when the connection comes from a trusted address.
type realIPSettings struct {
	from      trustedProxies // set_real_ip_from; none: the module is off
	header    string         // real_ip_header: X-Real-IP by default
	recursive bool
}

// realIPSettingsFor reads a level's settings; nets are the networks
// each set_real_ip_from line came to when the config was read.
func realIPSettingsFor(c *Conf, nets map[*nginx.Directive][]netip.Prefix) *realIPSettings {
	return settingOnce(c, "realip", func() *realIPSettings {
		from := c.List("set_real_ip_from")
		if len(from) == 0 {
			return nil
		}
		s := &realIPSettings{header: "X-Real-IP", recursive: flag(c, "real_ip_recursive", false)}
		for _, d := range from {
			s.from = append(s.from, nets[d]...)
		}
		if d := c.Get("real_ip_header"); d != nil {
			s.header = d.Args[0]
		}
		return s
	})
}

// lookupTrustedHost resolves a host name in set_real_ip_from, as nginx
// does while reading its config.
func lookupTrustedHost(host string) ([]netip.Addr, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	for i := range addrs {
		addrs[i] = addrs[i].Unmap()
	}
	return addrs, err
}

// compileRealIPFrom reads set_real_ip_from as ngx_http_realip_from
// does, once: `unix:` (clients on unix sockets, which Berth does not
// listen on), an address or network, else every address of a host name.
func (c *compiler) compileRealIPFrom(d *nginx.Directive) error {
	v := d.Args[0]
	var nets []netip.Prefix
	switch p, dropped, err := parseNetwork(v); {
	case v == "unix:":
	case err == nil:
		if dropped {
			c.note(d, fmt.Sprintf("low address bits of %s are meaningless", v))
		}
		nets = []netip.Prefix{p}
	default:
		addrs, err := lookupTrustedHost(v)
		if err != nil {
			return &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(`host not found in set_real_ip_from "%s"`, v)}
		}
		for _, a := range addrs {
			nets = append(nets, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	if c.t.realIPNets == nil {
		c.t.realIPNets = map[*nginx.Directive][]netip.Prefix{}
	}
	c.t.realIPNets[d] = nets
	return nil
}

// realIP is ngx_http_realip_handler, run in the post-read phase with the
// server's settings and again in the preaccess phase with the
// location's, until one of them has changed the address: the client's
// address becomes the one the trusted balancer names, for $remote_addr
// and everything that reads it (allow/deny, geo, ip_hash, the headers
// sent upstream).
func (st *state) realIP(c *Conf) {
	v := st.vars
	if v.realip != nil {
		return
	}
	s := realIPSettingsFor(c, st.t.realIPNets)
	if s == nil {
		return
	}
	var values []string
	switch s.header {
	case "X-Forwarded-For":
		values = v.headerValues("X-Forwarded-For")
	case "proxy_protocol":
		return // Berth's listens take no PROXY protocol header
	default:
		// X-Real-IP and any other header: the first line of it.
		if h, ok := v.header(s.header); ok {
			values = []string{h}
		}
	}
	if len(values) == 0 {
		return
	}
	client, err := netip.ParseAddr(v.remote)
	if err != nil {
		return
	}
	port, _ := strconv.Atoi(v.rport)
	addr, rc := forwardedAddr(netip.AddrPortFrom(client, uint16(port)), values, s.from, s.recursive)
	if rc == forwardDeclined {
		return
	}
	v.keepAddressReads()
	v.realip = &realIPOrigin{addr: v.remote, port: v.rport}
	v.remote, v.rport = addr.Addr().String(), ""
	if addr.Port() != 0 {
		v.rport = strconv.Itoa(int(addr.Port()))
	}
	st.d.Trace = append(st.d.Trace, fmt.Sprintf("client address %s (real_ip_header %s, from %s)", v.remote, s.header, v.realip.addr))
}

// addressReads are the variables of the client's address read so far.
type addressReads uint8

const (
	readRemoteAddr addressReads = 1 << iota
	readRemotePort
	readBinaryRemoteAddr
	readForwardedFor
)

// keepAddressReads keeps the values of the address variables read
// before realip changes the address: nginx caches them, so a location's
// set_real_ip_from, which acts after its rewrite phase, leaves what
// `set` and `if` read there, and later reads of the same variables,
// with the connection's address.
func (v *reqVars) keepAddressReads() {
	for _, r := range []struct {
		bit  addressReads
		name string
	}{{readRemoteAddr, "remote_addr"}, {readRemotePort, "remote_port"},
		{readBinaryRemoteAddr, "binary_remote_addr"}, {readForwardedFor, "proxy_add_x_forwarded_for"}} {
		if v.addrRead&r.bit != 0 {
			val, _ := v.lookup(r.name)
			v.keep(r.name, val)
		}
	}
}

// realIPOrigin is the connection's own address once realip replaced it,
// for $realip_remote_addr and $realip_remote_port.
type realIPOrigin struct {
	addr, port string
}

// clientAddr is the client's address for ip_hash: the connection's, or
// the one set_real_ip_from took from the balancer's header.
func (d *Decision) clientAddr(req *http.Request) netip.Addr {
	if d.vars != nil && d.vars.realip != nil {
		a, _ := netip.ParseAddr(d.vars.remote)
		return a.Unmap()
	}
	ap, _ := netip.ParseAddrPort(req.RemoteAddr)
	return ap.Addr().Unmap()
}
