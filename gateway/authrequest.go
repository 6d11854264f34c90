package gateway

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/gateway/nginx"
)

// access is the access phase (ngx_http_core_access_phase) with its
// handlers in nginx's order: allow/deny and limit_except first, then
// auth_basic, then auth_request. `satisfy all` (the default) needs every one to pass;
// `satisfy any` is content with one, and otherwise answers with the
// first 401 among the refusals, else 403. A subrequest has no access
// phase of its own.
func (st *state) access() phase {
	if st.subrequest {
		return phaseTryFiles
	}
	settings := accessSettingsFor(st.conf)
	any := settings.any
	if rule := accessRule(st.loc, st.conf, st.d.Method, st.vars.remote); rule != nil {
		why := fmt.Sprintf("access denied by %q at %s", rule.Name+" "+strings.Join(rule.Args, " "), rule.Pos)
		switch {
		case rule.Name == "allow" && any:
			return phaseTryFiles
		case rule.Name == "deny" && !any:
			return st.finalize(403, why)
		case rule.Name == "deny":
			st.accessCode, st.accessWhy = 403, why
		}
	}
	switch status, realm, why := st.authBasic(); {
	case status == http.StatusOK && any:
		st.accessCode, st.d.AuthHeaders = 0, nil
		return phaseTryFiles
	case status > http.StatusOK:
		if status == http.StatusUnauthorized {
			st.d.AuthHeaders = []string{basicChallenge(realm)}
		}
		if !any {
			return st.finalize(status, why)
		}
		if st.accessCode != http.StatusUnauthorized {
			st.accessCode, st.accessWhy = status, why
		}
	}
	if ar := settings.authRequest; ar != nil {
		st.d.Auth = st.authRequest(ar)
		st.d.Location, st.d.Conf = st.loc, st.conf
		return phaseDone
	}
	return st.postAccess()
}

// postAccess is ngx_http_core_post_access_phase: under `satisfy any`,
// the refusal kept when nothing let the request through.
func (st *state) postAccess() phase {
	if st.accessCode != 0 {
		return st.finalize(st.accessCode, st.accessWhy)
	}
	return phaseTryFiles
}

// accessSettings are a level's settings of the access checks, read once
// per level: every request runs the access phase.
type accessSettings struct {
	any         bool                // satisfy any
	authBasic   [2]*nginx.Directive // auth_basic and auth_basic_user_file; both or neither
	authRequest *nginx.Directive    // nil when none or `off`
}

func accessSettingsFor(c *Conf) *accessSettings {
	return settingOnce(c, "access", func() *accessSettings {
		a := &accessSettings{}
		if d := c.Get("satisfy"); d != nil {
			a.any = d.Args[0] == "any"
		}
		if rd, fd := c.Get("auth_basic"), c.Get("auth_basic_user_file"); rd != nil && fd != nil {
			a.authBasic = [2]*nginx.Directive{rd, fd}
		}
		if d := c.Get("auth_request"); d != nil && d.Args[0] != "off" {
			a.authRequest = d
		}
		return a
	})
}

// AuthRequest is an auth_request the request waits on in its access
// phase (ngx_http_auth_request_module): a subrequest for the directive's
// URI, whose status decides whether the request goes on.
type AuthRequest struct {
	Directive *nginx.Directive
	// Sub is the subrequest's own decision: a GET for the URI, with the
	// request's headers and no body, reaching internal locations.
	Sub *Decision
	// st is the request paused in its access phase, and sub the
	// subrequest's state where it was decided, for auth_request_set.
	st, sub *state
}

// authRequest decides the subrequest of an auth_request as
// ngx_http_subrequest makes it: a GET for the URI with no args, the
// request's headers and raw URI, internal, from the server rewrite
// phase. It shares the request's `set` variables, as nginx's subrequests
// share the variables array.
func (st *state) authRequest(d *nginx.Directive) *AuthRequest {
	a := &AuthRequest{Directive: d, st: st}
	sub := st.fork()
	sub.vars.set = st.vars.set
	sub.d.Method, sub.vars.method = "GET", "GET"
	sub.vars.uri, sub.vars.args, sub.vars.caps = d.Args[0], "", nil
	sub.validUnparsed, sub.validLocation, sub.internal, sub.subrequest = false, true, true, true
	sub.uriChanges, sub.inErrorPage, sub.errStatus = 11, false, 0
	sub.d.Trace = append(sub.d.Trace, fmt.Sprintf("auth_request subrequest to %q (%s)", d.Args[0], d.Pos))
	sub.phases(phaseServerRewrite)
	sub.d.URI, sub.d.Args = sub.vars.uri, sub.vars.args
	sub.addHeaders()
	a.Sub, a.sub = sub.d, sub
	return a
}

// AuthAnswer is what the subrequest came to: its status and, when an
// upstream answered it, the upstream's headers ($upstream_http_*) and
// status ($upstream_status).
type AuthAnswer struct {
	Status         int
	UpstreamStatus int
	Upstream       http.Header
	// Header are the subrequest's response headers ($sent_http_*).
	Header http.Header
}

// Continue decides the rest of the request once the subrequest answered:
// auth_request_set's variables are set (evaluated as the subrequest saw
// them), then a 2xx lets the request through the access phase, 401 and
// 403 refuse it (a 401 keeping the auth upstream's WWW-Authenticate, in
// Decision.AuthHeaders), and any other status is a 500, as nginx's
// ngx_http_auth_request_handler decides. A subrequest that closed the
// connection (return 444) ends the request so, whatever the answer.
func (a *AuthRequest) Continue(ans AuthAnswer) *Decision {
	if a.Sub.Close {
		// return 444 in the subrequest ends the whole request
		// (ngx_http_terminate_request): the connection closes.
		d := a.st.d
		return &Decision{Close: true, Group: d.Group, Server: d.Server, Host: d.Host, Location: a.Sub.Location,
			Conf: a.Sub.Conf, Method: d.Method, Reason: "the auth_request location closed the connection"}
	}
	st := a.st.fork()
	st.vars.set = a.st.vars.set // the subrequest's `set`s stay
	st.d.Location, st.d.Conf = st.loc, st.conf
	st.d.AuthHeaders = a.st.d.AuthHeaders // auth_basic's, under satisfy any
	sv := *a.sub.vars
	sv.resp = &responseVars{status: ans.Status, sent: ans.Header}
	if ans.UpstreamStatus != 0 {
		sv.resp.upstream = &upstreamSeen{status: ans.UpstreamStatus, header: ans.Upstream}
	}
	for _, d := range st.conf.List("auth_request_set") {
		st.vars.set[strings.TrimPrefix(d.Args[0], "$")] = sv.expand(d.Args[1])
	}
	st.d.Trace = append(st.d.Trace, fmt.Sprintf("auth_request %q answered %d", a.Directive.Args[0], ans.Status))
	var p phase
	switch s := ans.Status; {
	case s == http.StatusForbidden || s == http.StatusUnauthorized:
		if s == http.StatusUnauthorized {
			// The upstream's, as it arrived: nginx 1.22 keeps the
			// first one, 1.23 every one (headers_in.www_authenticate).
			vals := ans.Upstream.Values("WWW-Authenticate")
			if len(vals) > 1 && !st.ver.AtLeast(1, 23, 0) {
				vals = vals[:1]
			}
			st.d.AuthHeaders = append(st.d.AuthHeaders, vals...)
		}
		why := "refused by auth_request at " + a.Directive.Pos.String()
		if st.accessCode != http.StatusUnauthorized {
			st.accessCode, st.accessWhy = s, why
		}
		if !accessSettingsFor(st.conf).any {
			p = st.finalize(s, why)
			break
		}
		p = st.postAccess()
	case s >= 200 && s < 300:
		if accessSettingsFor(st.conf).any {
			st.accessCode, st.d.AuthHeaders = 0, nil // a refusal before it no longer counts
		}
		p = phaseTryFiles
	default:
		p = st.finalize(500, "auth request unexpected status: "+strconv.Itoa(s))
	}
	st.phases(p)
	st.d.URI, st.d.Args = st.vars.uri, st.vars.args
	st.addHeaders()
	return st.d
}
