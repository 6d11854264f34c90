package gateway

import (
	"net/netip"
	"strings"
	"unicode/utf8"

	"github.com/berth-dev/berth/gateway/nginx"
)

// proxyRequest builds what proxy_pass sends, following
// ngx_http_proxy_create_request (reference §5).
func (st *state) proxyRequest() *UpstreamRequest {
	h, v, conf, t := st.handler, st.vars, st.conf, st.t
	u := &UpstreamRequest{Method: v.method, Upstream: h.Upstream}
	if m := conf.Get("proxy_method"); m != nil {
		u.Method = v.expand(m.Args[0])
	}
	proxyHost, scheme := h.ProxyHost, h.Scheme
	uriPart, hasURIPart := h.URI, h.HasURI
	if h.HasVars {
		// With variables nginx sends exactly the evaluated URI, if any,
		// and never appends the request's args (ngx_http_proxy_eval).
		eval := v.expand(h.Target)
		rest, port := eval, 80
		if hasPrefixFold(eval, "https://") {
			scheme, rest, port = "https", eval[8:], 443
		} else if i := strings.Index(rest, "://"); i >= 0 {
			scheme, rest = "http", rest[i+3:]
		}
		hostPart, p, has := splitProxyURI(rest)
		uriPart, hasURIPart = p, has
		proxyHost = hostPart
		u.Upstream = t.upstreamByAddress(hostPart, port, conf)
	}
	if scheme == "https" {
		u.TLS = st.upstreamTLSRequest("proxy", proxyHost)
	}
	switch {
	case h.HasVars && uriPart != "":
		u.URI = uriPart
	case uriPart == "" && st.validUnparsed:
		u.URI = st.target.RawURI
	default:
		locLen := 0
		if st.validLocation && hasURIPart && uriPart != "" && len(h.Location) <= len(v.uri) {
			locLen = len(h.Location)
		}
		rest := v.uri[locLen:]
		if st.quoted || st.internal {
			rest = EscapeURI(rest, EscapeKindURI)
		}
		if !st.validLocation {
			uriPart = "" // after rewrite ... break the URI part is not used
		}
		u.URI = uriPart + rest + argsSuffix(v.args)
	}
	u.Proto = "HTTP/1.0"
	if st.ver.AtLeast(1, 29, 7) {
		u.Proto = "HTTP/1.1"
	}
	if pv := conf.Get("proxy_http_version"); pv != nil {
		switch pv.Args[0] {
		case "1.1":
			u.Proto = "HTTP/1.1" // no concatenation per request
		case "1.0":
			u.Proto = "HTTP/1.0"
		default:
			u.Proto = "HTTP/" + pv.Args[0]
		}
	}
	v.proxyHost, v.proxyPort = proxyHost, proxyPort(proxyHost, scheme)
	u.Headers = proxyHeaders(conf, v, proxyHost, st.ver)
	u.NoBody = !flag(conf, "proxy_pass_request_body", true)
	if b := conf.Get("proxy_set_body"); b != nil {
		body := v.expand(b.Args[0])
		u.SetBody = &body
	}
	u.OwnLength = settingOnce(conf, "proxy_set_header Content-Length", func() bool {
		for _, d := range conf.List("proxy_set_header") {
			if strings.EqualFold(d.Args[0], "Content-Length") {
				return true
			}
		}
		return false
	})
	u.HashKey = st.hashKey(u.Upstream)
	for _, kv := range u.Headers {
		if strings.EqualFold(kv[0], "Host") {
			u.Host = kv[1]
		}
	}
	u.UnknownVars = v.unknown
	u.st = st
	return u
}

// upstreamByAddress finds the upstream a run-time address names, as
// ngx_http_upstream_init_request does: an upstream block of that name
// (written with no port), else one a pass directive made for the same
// host and port (the host's case aside), else the address itself. An IP
// or a unix socket connects as it is; a host name needs a `resolver` in
// effect (conf), and without one the upstream is marked NoResolver.
func (t *Table) upstreamByAddress(hostPort string, defaultPort int, conf *Conf) *Upstream {
	if up := t.Upstream(hostPort); up != nil {
		return up
	}
	addr, err := parseUpstreamAddr(hostPort, defaultPort)
	if err != nil {
		return nil
	}
	u := &Upstream{Name: hostPort, Implicit: true, Balance: RoundRobin, Servers: []*Peer{newPeer(addr, nginx.Pos{})}}
	if addr.Network != "tcp" {
		return u
	}
	if _, err := netip.ParseAddr(addr.Host); err == nil {
		return u
	}
	for _, up := range t.Upstreams {
		if up.Implicit && up.Pos.File != "" && len(up.Servers) == 1 {
			if a := up.Servers[0].Addr; a.Network == "tcp" && a.Port == addr.Port && strings.EqualFold(a.Host, addr.Host) {
				return up
			}
		}
	}
	u.NoResolver = conf == nil || conf.Get("resolver") == nil
	return u
}

// proxyDefaultHeaders are ngx_http_proxy_headers for nginx 1.22: sent
// unless proxy_set_header names them, and hiding the client's header of
// the same name. An empty value sends nothing.
var proxyDefaultHeaders = [][2]string{
	{"Host", "$proxy_host"},
	{"Connection", "close"},
	{"Content-Length", "$proxy_internal_body_length"},
	{"Transfer-Encoding", "$proxy_internal_chunked"},
	{"TE", ""},
	{"Keep-Alive", ""},
	{"Expect", ""},
	{"Upgrade", ""},
}

// proxyPort is $proxy_port: the port proxy_pass names, else the
// scheme's (80, or 443 for https).
func proxyPort(hostPort, scheme string) string {
	if i := strings.LastIndexByte(hostPort, ':'); i >= 0 && !strings.HasSuffix(hostPort, "]") {
		if p := hostPort[i+1:]; p != "" && strings.Trim(p, "0123456789") == "" {
			return p
		}
	}
	if scheme == "https" {
		return "443"
	}
	return "80"
}

// proxyHeaders lists the headers proxy_pass sends: proxy_set_header
// entries (all-or-nothing inheritance) in config order, nginx's defaults
// not overridden, then the client's headers that neither names (none
// with proxy_pass_request_headers off).
func proxyHeaders(conf *Conf, v *reqVars, proxyHost string, ver NginxVersion) [][2]string {
	var setBuf [16][2]string // on the stack for every usual config
	set := setBuf[:0]
	for _, d := range conf.List("proxy_set_header") {
		set = append(set, [2]string{d.Args[0], d.Args[1]})
	}
	for _, def := range proxyDefaultHeaders {
		if def[0] == "Connection" && ver.AtLeast(1, 29, 7) {
			def[1] = "" // nginx 1.29.7 sends no Connection header by default
		}
		if !hasHeader(set, def[0]) {
			set = append(set, def)
		}
	}
	out := make([][2]string, 0, len(set)+len(v.headers))
	for _, kv := range set {
		var val string
		switch kv[1] {
		case "$proxy_host":
			val = proxyHost
		case "$proxy_internal_body_length", "$proxy_internal_chunked":
			continue // the body framing is the transport's business
		default:
			val = v.expand(kv[1])
		}
		if val != "" {
			out = append(out, [2]string{kv[0], val})
		}
	}
	if flag(conf, "proxy_pass_request_headers", true) {
		for _, kv := range v.headers {
			if !hasHeader(set, kv[0]) {
				out = append(out, kv)
			}
		}
	}
	if len(out) == 0 {
		return nil // as before the slice was sized up front
	}
	return out
}

func hasHeader(list [][2]string, name string) bool {
	for _, kv := range list {
		if strings.EqualFold(kv[0], name) {
			return true
		}
	}
	return false
}

// uwsgiRequest builds the uwsgi vars nginx sends
// (ngx_http_uwsgi_create_request, reference §6.2).
func (st *state) uwsgiRequest() *UpstreamRequest {
	h, v, conf, t, ver := st.handler, st.vars, st.conf, st.t, st.ver
	u := &UpstreamRequest{Method: v.method, Upstream: h.Upstream}
	host, secure := h.ProxyHost, h.Scheme == "suwsgi"
	if h.HasVars {
		// ngx_http_uwsgi_eval: either scheme, in any case, or none.
		target := v.expand(h.Target)
		switch {
		case hasPrefixFold(target, "uwsgi://"):
			target = target[8:]
		case hasPrefixFold(target, "suwsgi://"):
			target, secure = target[9:], true
		}
		u.Upstream = t.upstreamByAddress(target, 0, conf)
		host = target
	}
	if secure {
		u.TLS = st.upstreamTLSRequest("uwsgi", host)
	}
	u.NoBody = !flag(conf, "uwsgi_pass_request_body", true)
	params := conf.List("uwsgi_param")
	u.Vars = make([][2]string, 0, len(params)+1+len(v.headers)) // never grown
	var suppressedBuf [16]string                                // on the stack for every usual config
	suppressed := suppressedBuf[:0]
	for _, p := range params {
		key := p.Args[0]
		isHTTP := len(key) > 5 && strings.HasPrefix(key, "HTTP_")
		if isHTTP {
			suppressed = append(suppressed, key)
			if p.Args[1] == "" {
				continue
			}
		}
		val := v.expand(p.Args[1])
		if val == "" && len(p.Args) > 2 && p.Args[2] == "if_not_empty" {
			continue
		}
		u.Vars = append(u.Vars, [2]string{key, val})
	}
	if st.ver.AtLeast(1, 29, 5) && !containsFold(suppressed, "HTTP_HOST") {
		// nginx 1.29.5 sends HTTP_HOST itself unless the config does.
		u.Vars = append(u.Vars, [2]string{"HTTP_HOST", v.host + requestPort(v)})
		suppressed = append(suppressed, "HTTP_HOST")
	}
	if flag(conf, "uwsgi_pass_request_headers", true) {
		joined := ver.AtLeast(1, 23, 0)
		seen := map[string]bool{}
		for _, kv := range v.headers {
			key := httpVarName(kv[0])
			if containsFold(suppressed, key) {
				continue
			}
			val := kv[1]
			if joined {
				if seen[key] {
					continue
				}
				seen[key] = true
				sep := ", "
				if strings.EqualFold(kv[0], "Cookie") {
					sep = "; "
				}
				val, _ = v.joinedHeader(kv[0], sep)
			}
			u.Vars = append(u.Vars, [2]string{key, val})
		}
	}
	if len(u.Vars) == 0 {
		u.Vars = nil // as before the list was sized up front
	}
	u.HashKey = st.hashKey(u.Upstream)
	u.URI, _ = u.Var("REQUEST_URI")
	u.Host, _ = u.Var("HTTP_HOST")
	u.UnknownVars = v.unknown
	u.st = st
	return u
}

// httpVarName is the uwsgi var of a request header: "HTTP_" and the
// name upper-cased with dashes as underscores, in one allocation.
func httpVarName(name string) string {
	b := make([]byte, 0, 5+len(name))
	b = append(b, "HTTP_"...)
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= utf8.RuneSelf:
			// Not a token byte (net/http refuses such names): the
			// Unicode rules, as before.
			return "HTTP_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		case c == '-':
			c = '_'
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// hashKey evaluates a `hash` upstream's key for this request.
func (st *state) hashKey(u *Upstream) string {
	if u == nil || u.Balance != Hash {
		return ""
	}
	return st.vars.expand(u.HashKey)
}

// requestPort is $is_request_port$request_port: ":port" when the request
// named a port in its Host (or absolute URI).
func requestPort(v *reqVars) string {
	h, _ := v.header("Host")
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") && i+1 < len(h) {
		return h[i:]
	}
	return ""
}
