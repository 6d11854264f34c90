package gateway

// Upstream answers that make nginx continue the request elsewhere:
// X-Accel-Redirect, and error statuses *_intercept_errors hands to
// error_page.

import (
	"net/http"
	"strconv"
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

// intercepted returns the error_page decision that replaces an upstream's
// answer with status, as ngx_http_upstream_intercept_errors does with
// *_intercept_errors on: for a status of 300 or more that an error_page
// in effect lists. nil leaves the answer as it is.
func (u *UpstreamRequest) intercepted(d *Decision, directive string, status int) *Decision {
	if status < 300 || !flag(d.Conf, directive, false) {
		return nil
	}
	ep := errorPageDirective(d.Conf, status)
	if ep == nil {
		return nil
	}
	return u.continueWith(func(sub *state) phase {
		return sub.errorPage(ep, status, "the upstream answered "+strconv.Itoa(status))
	})
}

// interceptErrors serves the error page that replaces an upstream's
// answer, keeping a 401's WWW-Authenticate, if one does.
func (h *handler) interceptErrors(rt *routes, w http.ResponseWriter, req *http.Request, d *Decision, directive string,
	status int, get func(string) []string) bool {
	next := d.Upstream.intercepted(d, directive, status)
	if next == nil {
		return false
	}
	if status == http.StatusUnauthorized {
		for _, v := range get("WWW-Authenticate") {
			w.Header().Add("WWW-Authenticate", v)
		}
	}
	h.serve(rt, w, req, h.request(req), next, nil)
	return true
}

// continueAt decides the request again from where it stood when it
// reached its upstream, redirected internally to target.
func (u *UpstreamRequest) continueAt(target string) *Decision {
	return u.continueWith(func(sub *state) phase { return sub.accelPhase(target) })
}

// continueWith decides the request again from where it stood when it
// reached its upstream, from the phase first gives on.
func (u *UpstreamRequest) continueWith(first func(*state) phase) *Decision {
	sub := u.st.fork()
	sub.phases(first(sub))
	sub.d.URI, sub.d.Args = sub.vars.uri, sub.vars.args
	sub.addHeaders()
	return sub.d
}

// accelPhase is where an X-Accel-Redirect to target sends the request.
func (sub *state) accelPhase(target string) phase {
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
	return next
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
