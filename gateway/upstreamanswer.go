package gateway

// Upstream answers that make nginx continue the request elsewhere:
// X-Accel-Redirect, and error statuses *_intercept_errors hands to
// error_page.

import (
	"io"
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
		if containsFold(dir.Args, "X-Accel-Redirect") {
			return "", false
		}
	}
	return target, true
}

// accelRedirect serves what an upstream's X-Accel-Redirect names instead
// of the upstream's answer, as ngx_http_upstream_process_headers does: the
// upstream's `redirect` headers are kept, and the request continues at a
// named location (`@name`) or, as a GET unless it is a HEAD, at an
// internal redirect to the URI (its `?` starts the args), which an
// `internal` location may take. An unsafe URI is 404. body gives the
// request body again, for a location that passes it on.
func (h *handler) accelRedirect(rt *routes, w http.ResponseWriter, req *http.Request, r Request, d *Decision,
	target string, get func(string) []string, body func() io.Reader) outcome {
	out := w.Header()
	for _, name := range accelRedirectHeaders {
		for _, v := range get(name) {
			out.Add(name, v)
		}
	}
	next := d.Upstream.st.decideFrom(func(sub *state) phase { return sub.accelPhase(target) })
	return h.serve(rt, w, req, r, next, body())
}

// intercepted returns the decision that replaces an upstream's answer
// with status, as ngx_http_upstream_intercept_errors does with
// *_intercept_errors on: for a status of 300 or more that an error_page
// in effect lists, the request finalized with it (its error page, or
// nginx's own inside an error page already). nil leaves the answer as it is.
func (u *UpstreamRequest) intercepted(d *Decision, directive string, status int) *Decision {
	if status < 300 || !flag(d.Conf, directive, false) || errorPageDirective(d.Conf, status) == nil {
		return nil
	}
	return u.st.decideFrom(func(sub *state) phase {
		return sub.finalize(status, "the upstream answered "+strconv.Itoa(status))
	})
}

// interceptErrors serves the error page that replaces an upstream's
// answer, keeping a 401's WWW-Authenticate; ok is false when none does.
func (h *handler) interceptErrors(rt *routes, w http.ResponseWriter, req *http.Request, r Request, d *Decision, directive string,
	status int, get func(string) []string, body func() io.Reader) (o outcome, ok bool) {
	next := d.Upstream.intercepted(d, directive, status)
	if next == nil {
		return outcome{}, false
	}
	if status == http.StatusUnauthorized {
		for _, v := range get("WWW-Authenticate") {
			w.Header().Add("WWW-Authenticate", v)
		}
	}
	return h.serve(rt, w, req, r, next, body()), true
}

// accelPhase is where an X-Accel-Redirect to target sends the request.
func (sub *state) accelPhase(target string) phase {
	if strings.HasPrefix(target, "@") {
		return sub.namedLocation(target[1:], "X-Accel-Redirect")
	}
	uri, args, ok := unsafeURI(target)
	if !ok {
		return sub.finalize(404, "X-Accel-Redirect to an unsafe URI")
	}
	sub.asGet()
	return sub.internalRedirect(uri, args, "X-Accel-Redirect")
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
