package gateway

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// reqVars is the request state nginx's variables read: everything the
// config can interpolate, computed once per request.
type reqVars struct {
	method  string
	proto   string // "HTTP/1.1"
	scheme  string
	rawURI  string // $request_uri
	uri     string // $uri
	args    string
	host    string // $host, normalised
	headers [][2]string
	server  *Server
	port    int    // $server_port: the port the connection arrived on
	remote  string // $remote_addr
	rport   string // $remote_port
	// realip is the connection's own address once set_real_ip_from
	// replaced remote and rport; nil until then. addrRead marks the
	// variables of the address read before that, whose values nginx
	// keeps.
	realip   *realIPOrigin
	addrRead addressReads
	// limitStatus is $limit_req_status once limit_req decided,
	// connStatus $limit_conn_status once limit_conn did.
	limitStatus, connStatus string
	caps                    *Captures
	docRoot                 string
	maps                    map[string]*mapVar
	set                     map[string]string // variables made by `set` and named captures
	paths                   pathVars          // $request_filename, $fastcgi_*; nil: none
	// chunkedLength is a chunked body's size once read whole.
	chunkedLength int64
	chunkedRead   bool
	evalDeep      int // guards map-of-map recursion
	// unknown collects variables Berth cannot evaluate.
	unknown []string
	// proxyHost and proxyPort are $proxy_host and $proxy_port once
	// proxy_pass has named its upstream; empty elsewhere, as in nginx.
	proxyHost, proxyPort string
	// resp is the response as it goes out, for the variables that read
	// it ($status, $sent_http_*, $upstream_*); nil before it has a head.
	resp *responseVars
	// req is the request as it arrived, for the variables of its
	// connection and clock; version is the nginx imitated.
	req     *Request
	version NginxVersion
}

// pathVars are the variables that depend on the configuration in effect
// (root, alias, fastcgi_split_path_info): the request's state answers
// them. An interface rather than two func fields, which cost two
// allocations per request.
type pathVars interface {
	requestFilename() string
	fastcgiSplit() (script, pathInfo string)
}

// header returns the first value of the named request header
// (case-insensitive) and whether there was one.
func (v *reqVars) header(name string) (string, bool) {
	for _, h := range v.headers {
		if strings.EqualFold(h[0], name) {
			return h[1], true
		}
	}
	return "", false
}

// lookup evaluates one variable by name (without the `$`). ok is false
// for variables Berth does not know.
func (v *reqVars) lookup(name string) (string, bool) {
	if n, ok := captureIndex(name); ok {
		if v.caps != nil && n < len(v.caps.Groups) {
			return v.caps.Groups[n], true
		}
		return "", true
	}
	if s, ok := v.set[name]; ok {
		return s, true
	}
	switch name {
	case "host":
		if v.host != "" {
			return v.host, true
		}
		return v.server.FirstName(), true
	case "uri", "document_uri":
		return v.uri, true
	case "request_uri":
		return v.rawURI, true
	case "args", "query_string":
		return v.args, true
	case "is_args":
		if v.args != "" {
			return "?", true
		}
		return "", true
	case "request_method":
		return v.method, true
	case "scheme":
		return v.scheme, true
	case "https":
		if v.scheme == "https" {
			return "on", true
		}
		return "", true
	case "http2":
		if v.scheme == "https" && v.proto == "HTTP/2.0" {
			return "h2", true
		}
		return "", true
	case "server_protocol":
		return v.proto, true
	case "server_name":
		return v.server.FirstName(), true
	case "server_port":
		return strconv.Itoa(v.port), true
	case "remote_addr":
		v.addrRead |= readRemoteAddr
		return v.remote, true
	case "remote_port":
		v.addrRead |= readRemotePort
		return v.rport, true
	case "connections_active", "connections_reading", "connections_writing", "connections_waiting":
		var n connCounts
		if v.req != nil && v.req.conns != nil {
			n = v.req.conns.counts()
		}
		return n.connectionsVar(name)
	case "limit_req_status":
		return v.limitStatus, true
	case "limit_conn_status":
		return v.connStatus, true
	case "realip_remote_addr":
		if v.realip != nil {
			return v.realip.addr, true
		}
		return v.remote, true
	case "realip_remote_port":
		if v.realip != nil {
			return v.realip.port, true
		}
		return v.rport, true
	case "document_root", "realpath_root":
		return v.docRoot, true
	case "content_type":
		s, _ := v.header("Content-Type")
		return s, true
	case "content_length":
		if s, ok := v.header("Content-Length"); ok {
			return s, true
		}
		if v.chunkedRead {
			return strconv.FormatInt(v.chunkedLength, 10), true
		}
		return "", true
	case "proxy_host":
		return v.proxyHost, true
	case "proxy_port":
		return v.proxyPort, true
	case "proxy_add_x_forwarded_for":
		v.addrRead |= readForwardedFor
		if xff, ok := v.joinedHeader("X-Forwarded-For", ", "); ok {
			return xff + ", " + v.remote, true
		}
		return v.remote, true
	case "request":
		return v.method + " " + v.rawURI + " " + v.proto, true
	case "request_id":
		return v.requestID(), true
	case "msec":
		return msec(time.Now()), true
	case "time_iso8601":
		return time.Now().Format(timeISO8601), true
	case "time_local":
		return time.Now().Format(timeLocal), true
	case "request_time":
		return requestTime(v.req.Start, time.Now()), true
	case "hostname":
		return hostname(), true
	case "pid":
		return strconv.Itoa(os.Getpid()), true
	case "nginx_version":
		return v.version.String(), true
	case "server_addr":
		return v.req.serverAddr(), true
	case "binary_remote_addr":
		v.addrRead |= readBinaryRemoteAddr
		return binaryRemoteAddr(v.remote), true
	case "connection":
		return strconv.FormatUint(v.req.Connection, 10), true
	case "connection_requests":
		return strconv.FormatUint(max(v.req.ConnectionRequests, 1), 10), true
	case "remote_user":
		user, _, _ := basicCredentials(v)
		return user, true
	case "fastcgi_script_name", "fastcgi_path_info":
		if v.paths == nil {
			return v.uri, true
		}
		script, info := v.paths.fastcgiSplit()
		if name == "fastcgi_path_info" {
			return info, true
		}
		return script, true
	case "request_filename":
		if v.paths != nil {
			return v.paths.requestFilename(), true
		}
		return "", true
	}
	switch {
	case isResponseVar(name):
		return v.resp.lookup(name), true
	case strings.HasPrefix(name, "http_"):
		h := strings.ReplaceAll(name[5:], "_", "-")
		switch strings.ToLower(h) {
		case "cookie":
			s, _ := v.joinedHeader(h, "; ")
			return s, true
		case "x-forwarded-for":
			s, _ := v.joinedHeader(h, ", ")
			return s, true
		}
		s, _ := v.header(h)
		return s, true
	case strings.HasPrefix(name, "arg_"):
		return argValue(v.args, name[4:]), true
	case strings.HasPrefix(name, "cookie_"):
		c, _ := v.joinedHeader("Cookie", "; ")
		return cookieValue(c, name[7:]), true
	}
	if m := v.maps[name]; m != nil && v.evalDeep < 8 {
		v.evalDeep++
		val := m.eval(v)
		v.evalDeep--
		if !m.volatile {
			v.keep(name, val)
		}
		return val, true
	}
	v.unknown = append(v.unknown, name)
	return "", false
}

// captureIndex reads a capture's name ($0..$9, or more digits through
// ${NN}) as strconv.Atoi did, without the error value Atoi allocates for
// every other name: this runs for each variable of every request.
func captureIndex(name string) (int, bool) {
	if name == "" || name[0] < '0' || name[0] > '9' && name[0] != '+' && name[0] != '-' {
		return 0, false
	}
	n, err := strconv.Atoi(name)
	return n, err == nil
}

func (v *reqVars) joinedHeader(name, sep string) (string, bool) {
	vals := v.headerValues(name)
	return strings.Join(vals, sep), len(vals) > 0
}

// headerValues are the values of every line of the named request
// header, in the order they arrived.
func (v *reqVars) headerValues(name string) []string {
	var vals []string
	for _, h := range v.headers {
		if strings.EqualFold(h[0], name) {
			vals = append(vals, h[1])
		}
	}
	return vals
}

// argValue is $arg_NAME: the raw value of the first argument whose name
// matches case-insensitively (ngx_http_arg).
func argValue(args, name string) string {
	for args != "" {
		var kv string
		kv, args, _ = strings.Cut(args, "&")
		k, val, _ := strings.Cut(kv, "=")
		if strings.EqualFold(k, name) {
			return val
		}
	}
	return ""
}

// cookieValue is $cookie_NAME (ngx_http_parse_multi_header_lines).
func cookieValue(cookies, name string) string {
	for _, c := range strings.Split(cookies, ";") {
		k, val, ok := strings.Cut(strings.TrimLeft(c, " "), "=")
		if ok && strings.EqualFold(k, name) {
			return val
		}
	}
	return ""
}

// keep stores a value nginx caches for the rest of the request (a map's,
// geo's or split_clients'; an address read before realip changed it):
// in the request's variables, where `set` puts its values too.
func (v *reqVars) keep(name, val string) {
	if v.set == nil {
		v.set = map[string]string{}
	}
	v.set[name] = val
}

// setCaptures records a successful regex match: $1..$9 for what follows,
// and named captures as variables of their own (they outlive later
// matches, as nginx stores them in the request's variables).
func (v *reqVars) setCaptures(c *Captures) {
	v.caps = c
	for k, val := range c.Named {
		if v.set == nil {
			v.set = map[string]string{}
		}
		v.set[k] = val
	}
}

// expand interpolates the variables in a config value, as nginx's script
// engine does: `$name`, `${name}`; a `$` not followed by a name is kept.
func (v *reqVars) expand(s string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	if name, ok := wholeVariable(s); ok {
		// The usual value (uwsgi_param's "$request_uri"): the variable's
		// own string, not a copy.
		val, _ := v.lookup(name)
		return val
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		name, end, ok := variableAt(s, i)
		if !ok {
			b.WriteByte(s[i])
			continue
		}
		val, _ := v.lookup(name)
		b.WriteString(val)
		i = end - 1
	}
	return b.String()
}

// variableAt reads the variable that starts at s[i], as expand reads
// them: "$name", "$1".."$9" (one digit) or "${name}"; end is where the
// text after it starts. ok is false when no variable starts there.
func variableAt(s string, i int) (name string, end int, ok bool) {
	if s[i] != '$' || i+1 == len(s) {
		return "", 0, false
	}
	if s[i+1] == '{' {
		e := strings.IndexByte(s[i+2:], '}')
		if e < 0 {
			return "", 0, false
		}
		return s[i+2 : i+2+e], i + 3 + e, true
	}
	j := i + 1
	if s[j] >= '1' && s[j] <= '9' {
		j++ // $1..$9 are one digit
	} else {
		for j < len(s) && isVarByte(s[j]) {
			j++
		}
	}
	if j == i+1 {
		return "", 0, false
	}
	return s[i+1 : j], j, true
}

// wholeVariable reports whether s is one variable and nothing else
// ("$name", "$1", "${name}"), read as expand reads it, and its name.
func wholeVariable(s string) (string, bool) {
	if len(s) < 2 || s[0] != '$' {
		return "", false
	}
	if s[1] == '{' {
		if end := strings.IndexByte(s[2:], '}'); end >= 0 && 2+end == len(s)-1 {
			return s[2 : len(s)-1], true
		}
		return "", false
	}
	j := 1
	if s[1] >= '1' && s[1] <= '9' {
		j = 2
	} else {
		for j < len(s) && isVarByte(s[j]) {
			j++
		}
	}
	if j == 1 || j != len(s) {
		return "", false
	}
	return s[1:], true
}

func isVarByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
