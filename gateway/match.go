package gateway

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
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
	// ServerPort is the port the client actually connected to, when it is
	// not LocalPort (the gateway serves production port 80 on 8080): it is
	// what $server_port and absolute redirects say, so links keep working.
	ServerPort int
	Scheme     string // "http" or "https"
	// RemoteAddr and RemotePort are the client's, for $remote_addr.
	RemoteAddr string
	RemotePort int
	// ChunkedLength is the length of a chunked body once read whole (as
	// nginx reads it before the upstream sees it); -1 or 0 with
	// ChunkedRead false when there is none.
	ChunkedLength int64
	ChunkedRead   bool
	// ChunkedInvalid: the chunked body did not parse. nginx answers 400
	// when the content handler reads (or discards) it.
	ChunkedInvalid bool
	// conns are the serving gateway's connection counters, for
	// $connections_*; nil where nothing serves (berth match): zeros.
	conns *connStats

	// What nginx knows of the request beyond its bytes, for the variables
	// of the same names: ID is $request_id (zero: made when first
	// used); Start is when it arrived ($request_time; zero: now);
	// ServerAddr is the address the connection arrived at
	// ($server_addr; zero: LocalAddr); Connection and ConnectionRequests
	// number the connection and this request on it.
	ID                 [16]byte
	Start              time.Time
	ServerAddr         netip.Addr
	Connection         uint64
	ConnectionRequests uint64
}

// bodyLength is the request body's length as nginx knows it: the
// Content-Length header, or a chunked body's size once read; -1 unknown.
func (r Request) bodyLength() int64 {
	if n := contentLength(r.Headers); n >= 0 {
		return n
	}
	if r.ChunkedRead {
		return r.ChunkedLength
	}
	return -1
}

func (r Request) serverPort() int {
	if r.ServerPort != 0 {
		return r.ServerPort
	}
	return r.LocalPort
}

// Decision is everything nginx decides about a request before content is
// produced: which server and location take it after every rewrite and
// internal redirect, whether nginx answers itself, which file it serves,
// and what the upstream receives. The gateway serves Decisions; `berth
// match` prints them; both come from Match, so they never disagree.
type Decision struct {
	// Status is set when nginx answers itself: 400, 403, 404, 405, 413,
	// 500, the redirects (301 for the trailing slash, rewrite's and
	// return's), and `return`'s codes. Body is return's text; Redirect
	// the Location header; Close is `return 444` (close, no response).
	Status   int
	Redirect string
	Body     string
	Close    bool
	// Discards: the answer is `return`'s own (ngx_http_send_response),
	// which reads and drops the body first, so a broken chunked body
	// makes it 400.
	Discards bool
	// Reason says why, in words. nginx's own page is the body of a
	// Status >= 300 without Body (and of every redirect).
	Reason string

	Group    *Group
	Server   NameMatch
	Host     string // $host
	URI      string // $uri as the content phase sees it
	Args     string // $args
	RawURI   string // $request_uri
	Method   string // after error_page's change to GET
	Location *Location
	// Conf is the configuration in effect: the location's, or an `if`
	// block's inside it when its condition held.
	Conf *Conf
	// Steps is what happened, in order: locations tried, rewrites,
	// internal redirects.
	Steps []LocationStep
	// Trace lists the rewrite-phase events in words, for explaining.
	Trace []string

	Handler *Handler
	// File is the static file served when the content handler is
	// static, with FileStatus: 200, 304 for a conditional request it
	// meets, or the status an error_page set.
	File       string
	FileStatus int
	Upstream   *UpstreamRequest
	// OverrideStatus replaces the upstream's status (error_page =code).
	OverrideStatus int
	// AddHeaders are the add_header lines in effect, evaluated:
	// name, value, and whether `always` was given.
	AddHeaders []AddHeader
	// ClientMaxBodySize is the limit in effect for the request body
	// (0: none), for bodies whose size is known only while reading.
	ClientMaxBodySize int64
	// OnUpstreamError is what nginx does instead when the upstream fails
	// with 502, 503 or 504 and an error_page handles that status.
	OnUpstreamError map[int]*Decision
	// Auth is set when the request waits on an auth_request: nothing
	// else is decided until its subrequest answers (AuthRequest.Continue).
	Auth *AuthRequest
	// Limit is set when the request waits on limit_req's buckets, and
	// ConnLimit on limit_conn's counts: nothing else is decided until
	// they answer (LimitCheck.Continue, ConnLimitCheck.Continue).
	Limit     *LimitCheck
	ConnLimit *ConnLimitCheck
	// AuthHeaders are the WWW-Authenticate values of an auth_request
	// subrequest that answered 401, for the client's response.
	AuthHeaders []string

	// vars are the request's variables where it was decided, for what
	// is evaluated only once the response's head is known; late says
	// something is (an add_header or expires reading the response).
	vars *reqVars
	late bool
	// tried are the peers that failed before, for $upstream_addr and
	// $upstream_status; nil until one does.
	tried *[]triedPeer
}

// AddHeader is one evaluated add_header. One whose value reads the
// response ($status, $sent_http_*, $upstream_*) is evaluated as the
// response goes out: Value is then empty until the gateway serves it.
type AddHeader struct {
	Name, Value string
	Always      bool
	late        string // the value as written, when evaluated late
}

// UpstreamRequest is what the upstream receives.
type UpstreamRequest struct {
	Upstream *Upstream
	Method   string
	Proto    string // the request line's version (proxy_pass)
	// HashKey is the upstream's hash key evaluated for this request.
	HashKey string
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
	// TLS is how an https:// or suwsgi:// upstream is connected to; nil
	// for plain connections.
	TLS *UpstreamTLS
	// NoBody: *_pass_request_body off, the body is not sent (its
	// Content-Length still is, unless the config sets that header).
	NoBody bool
	// OwnLength: proxy_set_header sets Content-Length itself, so the
	// body's length is not added.
	OwnLength bool
	// SetBody is proxy_set_body's value, sent instead of the client's
	// body (with its own Content-Length); nil when not set.
	SetBody *string

	// redirects are the proxy_redirect rules for the upstream's Location
	// and Refresh headers, evaluated with st's variables when an answer
	// first has one (nginx evaluates them then too).
	redirects     []redirectRule
	redirectsRead bool
	// cookies are the proxy_cookie_* rules for its Set-Cookie headers,
	// evaluated likewise when an answer first has one.
	cookies     *cookieRules
	cookiesRead bool
	// st is the request's state as it reached the upstream: its
	// variables, and where an X-Accel-Redirect or an intercepted error
	// continues from.
	st *state
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
	// Files answers nginx's file tests (try_files, index, if -f, static
	// files); nil means the local disk.
	Files FileSystem
	// Prefix is nginx's prefix (-p), against which relative roots resolve;
	// "" means Debian's /usr/share/nginx/.
	Prefix string
}

// Match decides a request as nginx would: the request line and Host,
// the server, then nginx's phases (server rewrite, find location,
// location rewrite, access, try_files, content) with every internal
// redirect followed. Its only input beyond the request is opts.Files.
func (t *Table) Match(r Request, opts MatchOptions) *Decision {
	if r.Scheme == "" {
		r.Scheme = "http"
	}
	st := &state{t: t, r: r, opts: opts, ver: opts.Version.OrDefault()}
	st.ownDecision.Method = r.Method
	st.d = &st.ownDecision // one allocation for the request's state and its answer
	if st.opts.Files == nil {
		st.opts.Files = osFiles{}
	}
	if st.opts.Prefix == "" {
		st.opts.Prefix = "/usr/share/nginx/"
	}
	st.run()
	d := st.d
	if st.vars != nil {
		d.URI, d.Args = st.vars.uri, st.vars.args
		st.addHeaders()
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
		if p := r.serverPort(); (r.Scheme == "https" && p != 443) || (r.Scheme != "https" && p != 80) {
			port = ":" + strconv.Itoa(p)
		}
	}
	return r.Scheme + "://" + name + port + path
}
