package gateway

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/gateway/nginx"
)

// Request is what routing needs to know of an HTTP request: the request
// line and headers exactly as they arrived, and the socket they came in on.
type Request struct {
	Method  string
	Target  string      // the raw request-target, byte for byte
	Proto   string      // "HTTP/1.1", "HTTP/1.0"
	Headers [][2]string // in arrival order, names as sent
	// LocalAddr and LocalPort are the address and port the connection
	// arrived on, as nginx's listen sockets see them. A zero LocalAddr is
	// an address no `listen` names (a request to the production host's
	// public IP).
	LocalAddr netip.Addr
	LocalPort int
	Scheme    string // "http" or "https"
	// RemoteAddr and RemotePort are the client's, for $remote_addr.
	RemoteAddr string
	RemotePort int
}

// Decision is everything nginx decides about a request before talking to
// an upstream: which server and location take it, whether nginx answers
// itself, and what the upstream receives. The gateway serves Decisions;
// `berth match` prints them; both come from Match, so they never disagree.
type Decision struct {
	// Status is set when nginx answers without a handler: 400 for a bad
	// request, 404 for an internal location, 413 for a body over
	// client_max_body_size, 301 for the trailing-slash redirect.
	Status   int
	Redirect string // the Location of a 301
	Reason   string // why Status, in words

	Group    *Group
	Server   NameMatch
	Host     string // $host
	URI      string // $uri after normalisation
	Args     string // $args
	RawURI   string // $request_uri
	Location *Location
	// Steps is how the location search went, for explaining it.
	Steps []LocationStep
	// RewritePhase lists the rewrite-module directives (rewrite, return,
	// set, if, break) and try_files that apply to this request; while it
	// is non-empty the outcome below assumes they change nothing, and
	// Match says so in RewriteNote.
	RewritePhase []*nginx.Directive
	RewriteNote  string
	// MayRedirectInternally is set when the response may come from another
	// location after an internal redirect Match does not follow yet:
	// error_page for a status, or index and error_page for static files
	// (which depend on the files on disk). Location is where it starts.
	MayRedirectInternally bool
	Handler               *Handler
	Upstream              *UpstreamRequest
}

// UpstreamRequest is what the upstream receives.
type UpstreamRequest struct {
	Upstream *Upstream
	Method   string
	// URI is the request-target sent upstream (proxy_pass); for uwsgi the
	// REQUEST_URI var.
	URI  string
	Host string // the Host header (proxy_pass) or HTTP_HOST var (uwsgi)
	// Headers are the request headers sent upstream (proxy_pass) in order.
	Headers [][2]string
	// Vars are the uwsgi vars in the order nginx sends them.
	Vars [][2]string
	// UnknownVars names variables Berth could not evaluate.
	UnknownVars []string
}

// Var returns the first uwsgi var named key.
func (u *UpstreamRequest) Var(key string) (string, bool) {
	for _, kv := range u.Vars {
		if kv[0] == key {
			return kv[1], true
		}
	}
	return "", false
}

// MatchOptions are the settings a decision depends on beyond the config.
type MatchOptions struct {
	Version NginxVersion
}

// Match decides a request as nginx would. It never does I/O.
func (t *Table) Match(r Request, opts MatchOptions) *Decision {
	ver := opts.Version.OrDefault()
	d := &Decision{}
	bad := func(why string) *Decision {
		d.Status, d.Reason = 400, why
		return d
	}
	if r.Scheme == "" {
		r.Scheme = "http"
	}
	d.Group = t.GroupFor(r.LocalAddr, r.LocalPort)
	if d.Group == nil {
		d.Status, d.Reason = 0, fmt.Sprintf("no server listens on port %d", r.LocalPort)
		return d
	}
	target, err := ParseRequestTarget(r.Target)
	if err != nil {
		return bad(err.Error())
	}
	// The request line is parsed before the Host is known, with the
	// default server's merge_slashes (reference §2.4).
	norm, err := target.Normalize(flag(d.Group.Default.Conf, "merge_slashes", true))
	if err != nil {
		return bad(err.Error())
	}
	d.URI, d.Args, d.RawURI = norm.URI, norm.Args, target.RawURI

	host, err := requestHost(r, target, ver)
	if err != nil {
		return bad(err.Error())
	}
	d.Host = host
	d.Server = d.Group.FindServer(host)
	s := d.Server.Server

	vars := &reqVars{method: r.Method, proto: r.Proto, scheme: r.Scheme, rawURI: target.RawURI,
		uri: d.URI, args: d.Args, host: host, headers: r.Headers, server: s, port: r.LocalPort,
		remote: r.RemoteAddr, rport: strconv.Itoa(r.RemotePort), caps: d.Server.Captures, maps: t.maps}
	d.RewritePhase = append(d.RewritePhase, s.Rewrite...)

	search := &locationSearch{uri: d.URI}
	rc := search.find(s.Locations)
	d.Location, d.Steps = search.loc, search.steps
	if search.caps != nil {
		vars.caps = search.caps
	}
	conf := s.Conf
	if d.Location != nil {
		conf = d.Location.Conf
	}
	if d.Location != nil && d.Location.Internal {
		d.Status, d.Reason = 404, "the location is internal: only internal redirects reach it"
		d.MayRedirectInternally = errorPageFor(conf, 404)
		return d
	}
	if limit, cl := bodyLimit(conf), contentLength(r.Headers); limit > 0 && cl > limit {
		d.Status, d.Reason = 413, fmt.Sprintf("Content-Length %d exceeds client_max_body_size %d", cl, limit)
		d.MayRedirectInternally = errorPageFor(conf, 413)
		return d
	}
	if rc == findAutoRedirect {
		d.Status = 301
		d.Redirect = absoluteRedirect(EscapeURI(d.Location.Name, EscapeKindURI)+argsSuffix(d.Args), r, s, conf, host)
		d.Reason = "the URI names a location ending in \"/\" without its slash"
		return d
	}
	if d.Location != nil {
		for _, name := range []string{"rewrite", "return", "set", "if", "break", "try_files"} {
			d.RewritePhase = append(d.RewritePhase, d.Location.Conf.Own(name)...)
		}
	}
	if len(d.RewritePhase) > 0 {
		d.RewriteNote = "decided at the rewrite phase: the outcome below assumes the rewrite directives and try_files change nothing"
	}
	if rule := accessDenied(d.Location, conf, r.Method, r.RemoteAddr); rule != nil {
		d.Status, d.Reason = 403, fmt.Sprintf("access denied by %q at %s", rule.Name+" "+strings.Join(rule.Args, " "), rule.Pos)
		d.MayRedirectInternally = errorPageFor(conf, 403)
		return d
	}
	if d.Location == nil {
		d.MayRedirectInternally = true // static files of the server, then error_page
		return d
	}
	d.Handler = d.Location.Handler
	vars.docRoot = documentRoot(conf)
	switch {
	case d.Handler == nil:
		d.MayRedirectInternally = strings.HasSuffix(d.URI, "/") || len(conf.List("error_page")) > 0
	case d.Handler.Kind == HandleProxy:
		d.Upstream = t.proxyRequest(d, conf, vars, norm, target)
	case d.Handler.Kind == HandleUWSGI:
		d.Upstream = t.uwsgiRequest(d, conf, vars, ver)
	}
	return d
}

// requestHost finds $host: the host of an absolute-form target, else the
// Host header, normalised as ngx_http_validate_host does.
func requestHost(r Request, target RequestTarget, ver NginxVersion) (string, error) {
	var hosts []string
	for _, h := range r.Headers {
		if strings.EqualFold(h[0], "Host") {
			hosts = append(hosts, h[1])
		}
	}
	if len(hosts) > 1 {
		return "", fmt.Errorf("client sent duplicate host header")
	}
	if target.Absolute {
		// nginx still validates the Host header (ngx_http_process_host)
		// before the request line's host replaces it.
		if len(hosts) == 1 {
			if _, err := NormalizeHost(hosts[0], ver); err != nil {
				return "", err
			}
		}
		return NormalizeHost(target.HostForValidation(ver), ver)
	}
	if len(hosts) == 0 {
		if r.Proto == "HTTP/1.1" || strings.HasPrefix(r.Proto, "HTTP/2") {
			return "", fmt.Errorf("client sent HTTP/1.1 request without \"Host\" header")
		}
		return "", nil
	}
	return NormalizeHost(hosts[0], ver)
}

// flag reads an on/off directive with nginx's inheritance.
func flag(c *Conf, name string, def bool) bool {
	if d := c.Get(name); d != nil && len(d.Args) == 1 {
		return d.Args[0] == "on"
	}
	return def
}

// bodyLimit is the effective client_max_body_size (default 1m; 0 = none).
func bodyLimit(c *Conf) int64 {
	if d := c.Get("client_max_body_size"); d != nil {
		n, _ := ParseSize(d.Args[0])
		return n
	}
	return 1 << 20
}

func contentLength(headers [][2]string) int64 {
	for _, h := range headers {
		if strings.EqualFold(h[0], "Content-Length") {
			n, err := strconv.ParseInt(strings.TrimSpace(h[1]), 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return -1
}

func documentRoot(c *Conf) string {
	if d := c.Get("root"); d != nil {
		return d.Args[0]
	}
	return "/usr/share/nginx/html" // Debian's compiled-in prefix + "html"
}

func argsSuffix(args string) string {
	if args == "" {
		return ""
	}
	return "?" + args
}

// absoluteRedirect makes a Location that starts with "/" absolute, as
// nginx's header filter does: scheme, the server name (if
// server_name_in_redirect) or the request's host, and the local port
// unless it is the scheme's default (or port_in_redirect is off).
func absoluteRedirect(path string, r Request, s *Server, c *Conf, host string) string {
	if !strings.HasPrefix(path, "/") || !flag(c, "absolute_redirect", true) {
		return path
	}
	name := host
	if flag(c, "server_name_in_redirect", false) {
		name = s.FirstName()
	}
	if name == "" {
		name = r.LocalAddr.String()
		if !r.LocalAddr.IsValid() {
			name = "127.0.0.1"
		}
	}
	port := ""
	if flag(c, "port_in_redirect", true) {
		if (r.Scheme == "https" && r.LocalPort != 443) || (r.Scheme != "https" && r.LocalPort != 80) {
			port = ":" + strconv.Itoa(r.LocalPort)
		}
	}
	return r.Scheme + "://" + name + port + path
}
