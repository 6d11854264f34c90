package gateway

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/gateway/nginx"
)

// HandlerKind is what produces a location's response (its content handler).
type HandlerKind string

const (
	HandleStatic    HandlerKind = "static" // root/alias/index/try_files: files from disk
	HandleProxy     HandlerKind = "proxy_pass"
	HandleUWSGI     HandlerKind = "uwsgi_pass"
	HandleFastCGI   HandlerKind = "fastcgi_pass"
	HandleSCGI      HandlerKind = "scgi_pass"
	HandleGRPC      HandlerKind = "grpc_pass"
	HandleMemcached HandlerKind = "memcached_pass"
	HandleStub      HandlerKind = "stub_status"
)

// passDirectives are the content handlers that set auto_redirect.
var passDirectives = []HandlerKind{HandleProxy, HandleUWSGI, HandleFastCGI, HandleSCGI, HandleGRPC, HandleMemcached}

// Handler is a location's content handler as written in the config.
type Handler struct {
	Kind      HandlerKind
	Directive *nginx.Directive // the *_pass directive; nil for static
	// Target is the pass directive's argument as written.
	Target string
	// HasVars: the target has variables, so the upstream is chosen per
	// request (and, for proxy_pass, the URI is exactly the evaluated one).
	HasVars bool
	Scheme  string // "http", "https", "uwsgi", "suwsgi", "grpc", ...
	// Upstream is the upstream block or implicit upstream the target names
	// (nil when HasVars).
	Upstream *Upstream
	// URI is proxy_pass's URI part ("" when none); HasURI tells `http://h`
	// from `http://h/`.
	URI    string
	HasURI bool
	// ProxyHost is $proxy_host: the host as written plus a non-default port.
	ProxyHost string
	// Location is the name of the location whose prefix a URI part
	// replaces: empty in regex, named, if and limit_except locations.
	Location string
}

// upstreamRef is an address named by a pass directive before upstream
// blocks are known (nginx resolves them by name once the config is read).
type upstreamRef struct {
	handler *Handler
	host    string
	port    int  // 0 when none was written
	addr    Addr // when the target is a literal address
	pos     nginx.Pos
}

// parsePass parses a *_pass directive of a location (ngx_http_proxy_pass,
// ngx_http_uwsgi_pass and their siblings).
func (c *compiler) parsePass(kind HandlerKind, d *nginx.Directive, loc *Location) (*Handler, error) {
	if kind == HandleStub { // `stub_status;`, or `stub_status on;` as before 1.7.5
		return &Handler{Kind: kind, Directive: d}, nil
	}
	h := &Handler{Kind: kind, Directive: d, Target: d.Args[0]}
	target := d.Args[0]
	h.HasVars = hasVariables(target)
	errf := func(format string, a ...any) error {
		return &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(format, a...)}
	}
	if kind == HandleMemcached {
		return h, nil
	}
	if h.HasVars {
		h.Scheme = schemeOf(target)
		return h, nil
	}
	rest := target
	defaultPort := 0
	switch kind {
	case HandleProxy:
		switch {
		case hasPrefixFold(target, "http://"):
			h.Scheme, rest, defaultPort = "http", target[7:], 80
		case hasPrefixFold(target, "https://"):
			h.Scheme, rest, defaultPort = "https", target[8:], 443
		default:
			return nil, errf("invalid URL prefix")
		}
	case HandleUWSGI:
		h.Scheme = "uwsgi"
		switch {
		case hasPrefixFold(target, "uwsgi://"):
			rest = target[8:]
		case hasPrefixFold(target, "suwsgi://"):
			h.Scheme, rest = "suwsgi", target[9:]
		}
	case HandleGRPC:
		h.Scheme = "grpc"
		switch {
		case hasPrefixFold(target, "grpc://"):
			rest = target[7:]
		case hasPrefixFold(target, "grpcs://"):
			h.Scheme, rest = "grpcs", target[8:]
		}
	}
	hostPart := rest
	if kind == HandleProxy {
		hostPart, h.URI, h.HasURI = splitProxyURI(rest)
	}
	ref := &upstreamRef{handler: h, pos: d.ErrPos()}
	if strings.HasPrefix(hostPart, "unix:") {
		addr, err := parseUpstreamAddr(hostPart, 0)
		if err != nil {
			return nil, errf("%s in upstream %q", err, rest)
		}
		ref.addr, ref.host = addr, hostPart
		h.ProxyHost = "localhost"
	} else {
		host, port, err := splitHostPort(hostPart)
		if err != nil {
			return nil, errf("%s in upstream %q", err, rest)
		}
		ref.host, ref.port = host, port
		h.ProxyHost = hostPart
		if port == defaultPort && defaultPort != 0 {
			h.ProxyHost = host
			if strings.Contains(host, ":") {
				h.ProxyHost = "[" + host + "]"
			}
		}
		if port == 0 {
			port = defaultPort
		}
		ref.addr = Addr{Network: "tcp", Host: host, Port: port}
	}
	if h.HasURI && loc != nil && kind == HandleProxy {
		if loc.Modifier == ModRegex || loc.Modifier == ModRegexCI || loc.Modifier == ModNamed || loc.Modifier == ModAnonymous {
			return nil, errf(`"proxy_pass" cannot have URI part in location given by regular expression, or inside named location, or inside "if" statement, or inside "limit_except" block`)
		}
	}
	if loc != nil && loc.Modifier != ModRegex && loc.Modifier != ModRegexCI && loc.Modifier != ModNamed && loc.Modifier != ModAnonymous {
		h.Location = loc.Name
	}
	c.refs = append(c.refs, ref)
	return h, nil
}

// splitProxyURI splits `host[:port][/uri]` (or `unix:/path:/uri`) into the
// address and the URI part, as ngx_parse_url with uri_part does.
func splitProxyURI(s string) (host, uri string, hasURI bool) {
	if rest, ok := strings.CutPrefix(s, "unix:"); ok {
		if i := strings.IndexByte(rest, ':'); i >= 0 {
			return "unix:" + rest[:i], rest[i+1:], true
		}
		return s, "", false
	}
	if i := strings.IndexAny(s, "/?"); i >= 0 {
		return s[:i], s[i:], true
	}
	return s, "", false
}

// splitHostPort splits host[:port] or [v6][:port]; port 0 means none written.
func splitHostPort(s string) (string, int, error) {
	if s == "" {
		return "", 0, fmt.Errorf("no host")
	}
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", 0, fmt.Errorf("invalid host")
		}
		host := s[1:end]
		if p, ok := strings.CutPrefix(s[end+1:], ":"); ok {
			n, err := parsePort(p)
			return host, n, err
		}
		return host, 0, nil
	}
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s, 0, nil
	}
	n, err := parsePort(s[i+1:])
	if i == 0 {
		return "", 0, fmt.Errorf("no host")
	}
	return s[:i], n, err
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func schemeOf(target string) string {
	if i := strings.Index(target, "://"); i > 0 && !hasVariables(target[:i]) {
		return strings.ToLower(target[:i])
	}
	return ""
}

// hasVariables reports whether a config value contains a `$` variable, as
// ngx_http_script_variables_count counts them.
func hasVariables(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '$' {
			c := s[i+1]
			if c == '{' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
				return true
			}
		}
	}
	return false
}

// Describe is a one-line account of the handler for the route table.
func (h *Handler) Describe() string {
	if h == nil {
		return "static files"
	}
	switch {
	case h.Kind == HandleStatic:
		return "static files"
	case h.Upstream != nil:
		s := string(h.Kind) + " " + h.Target
		return s
	}
	return string(h.Kind) + " " + h.Target + " (" + strconv.Quote("chosen per request") + ")"
}
