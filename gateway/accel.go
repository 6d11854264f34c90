package gateway

import (
	"net/http"
	"strings"
)

// accelRedirectHeaders are the upstream headers nginx keeps for the
// response an X-Accel-Redirect leads to: those its upstream header table
// marks `redirect` (ngx_http_upstream_headers_in).
var accelRedirectHeaders = []string{"Content-Type", "Set-Cookie", "Content-Disposition", "Cache-Control", "Expires", "Accept-Ranges"}

// accelTarget returns the X-Accel-Redirect an upstream answered with,
// unless the location ignores it (proxy_ignore_headers,
// uwsgi_ignore_headers).
func accelTarget(d *Decision, ignoreDirective string, get func(string) (string, bool)) (string, bool) {
	target, ok := get("X-Accel-Redirect")
	if !ok {
		return "", false
	}
	for _, dir := range d.Conf.List(ignoreDirective) {
		for _, a := range dir.Args {
			if strings.EqualFold(a, "X-Accel-Redirect") {
				return "", false
			}
		}
	}
	return target, true
}

// accelRedirect serves what an upstream's X-Accel-Redirect names instead
// of the upstream's answer, as ngx_http_upstream_process_headers does: the
// upstream's `redirect` headers are kept, and the request continues at a
// named location (`@name`) or, as a GET unless it is a HEAD, at an
// internal redirect to the URI (its `?` starts the args), which an
// `internal` location may take. An unsafe URI is 404.
func (h *handler) accelRedirect(rt *routes, w http.ResponseWriter, req *http.Request, d *Decision, target string, get func(string) []string) {
	out := w.Header()
	for _, name := range accelRedirectHeaders {
		for _, v := range get(name) {
			out.Add(name, v)
		}
	}
	next := d.Upstream.continueAt(target)
	h.serve(rt, w, req, h.request(req), next, nil)
}

// continueAt decides the request again from where it stood when it
// reached its upstream, redirected internally to target.
func (u *UpstreamRequest) continueAt(target string) *Decision {
	sub := u.st.fork()
	var next phase
	switch {
	case strings.HasPrefix(target, "@"):
		next = sub.namedLocation(target[1:], "X-Accel-Redirect")
	default:
		uri, args, ok := unsafeURI(target)
		if !ok {
			next = sub.finalize(404, "X-Accel-Redirect to an unsafe URI")
			break
		}
		if sub.d.Method != "HEAD" {
			sub.d.Method, sub.vars.method = "GET", "GET"
		}
		next = sub.internalRedirect(uri, args, "X-Accel-Redirect")
	}
	sub.phases(next)
	sub.d.URI, sub.d.Args = sub.vars.uri, sub.vars.args
	sub.addHeaders()
	return sub.d
}

// unsafeURI splits an X-Accel-Redirect value into URI and args as
// ngx_http_parse_unsafe_uri does, refusing what could leave the tree: an
// empty value, one starting with `.` or `?`, a NUL, or a `..` segment.
func unsafeURI(s string) (uri, args string, ok bool) {
	if s == "" || s[0] == '.' || s[0] == '?' || strings.IndexByte(s, 0) >= 0 {
		return "", "", false
	}
	uri, args, _ = strings.Cut(s, "?")
	for i := 0; i+2 < len(uri); i++ {
		if uri[i] == '/' && uri[i+1] == '.' && uri[i+2] == '.' && (i+3 == len(uri) || uri[i+3] == '/') {
			return "", "", false
		}
	}
	return uri, args, true
}
