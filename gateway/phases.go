package gateway

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/gateway/nginx"
)

// state is one request as nginx's phases change it: the fields of
// ngx_http_request_t that decide where it goes.
type state struct {
	t    *Table
	r    Request
	opts MatchOptions
	ver  NginxVersion
	d    *Decision
	vars *reqVars
	// ownVars and ownDecision are where vars and d point: allocated
	// with the state, as the hot path allocates once instead of thrice.
	ownVars     reqVars
	ownDecision Decision

	target RequestTarget
	server *Server
	loc    *Location
	conf   *Conf
	// handler is the content handler in effect: the location's, or an
	// if block's own when its condition held.
	handler *Handler

	// nginx's request flags.
	validUnparsed bool // proxy_pass without URI part may send the raw URI
	validLocation bool // proxy_pass's URI part replaces the location prefix
	internal      bool // reached by a rewrite or internal redirect
	uriChanged    bool
	quoted, plus  bool // the client URI had "%" / "+"
	uriChanges    int  // left before "rewrite or internal redirection cycle"
	inErrorPage   bool // error_page already ran (recursive_error_pages off)
	subrequest    bool // an auth_request subrequest: no access phase of its own
	// accessCode is r->access_code: under `satisfy any`, the refusal
	// kept while later checks may still let the request through.
	accessCode int
	accessWhy  string
	errStatus  int // the status an error_page keeps for the final response
}

// phase is a step of nginx's request processing, in order.
type phase int

const (
	phaseServerRewrite phase = iota
	phaseFindConfig
	phaseRewrite
	phaseAccess
	phaseTryFiles
	phaseContent
	phaseDone
)

// run handles the request line and Host, picks the server, then runs the
// phases until the request is decided.
func (st *state) run() {
	d, r := st.d, st.r
	d.Group = st.t.GroupFor(r.LocalAddr, r.LocalPort)
	if d.Group == nil {
		d.Reason = fmt.Sprintf("no server listens on port %d", r.LocalPort)
		return
	}
	bad := func(err error) {
		// Before a server is chosen nginx answers with the default
		// server's settings.
		d.Status, d.Reason = 400, err.Error()
		d.Server = NameMatch{Server: d.Group.Default, How: "default server (the request was refused before its Host was read)"}
		d.Conf = d.Group.Default.Conf
	}
	target, err := ParseRequestTarget(r.Target)
	if err != nil {
		bad(err)
		return
	}
	// The request line is parsed before the Host is known, with the
	// default server's merge_slashes (reference §2.4).
	norm, err := target.Normalize(flag(d.Group.Default.Conf, "merge_slashes", true))
	if err != nil {
		bad(err)
		return
	}
	d.RawURI = target.RawURI
	host, err := requestHost(r, target, st.ver)
	if err != nil {
		bad(err)
		return
	}
	d.Host = host
	d.Server = d.Group.FindServer(host)
	st.target, st.server = target, d.Server.Server
	st.quoted, st.plus = norm.QuotedURI, norm.PlusInURI
	st.validUnparsed, st.validLocation = !target.EmptyPath, true
	st.uriChanges = 11 // NGX_HTTP_MAX_URI_CHANGES + 1
	st.ownVars = reqVars{method: r.Method, proto: r.Proto, scheme: r.Scheme, rawURI: target.RawURI,
		uri: norm.URI, args: norm.Args, host: host, headers: r.Headers, server: st.server, port: r.serverPort(),
		remote: r.RemoteAddr, rport: strconv.Itoa(r.RemotePort), maps: st.t.maps,
		set: map[string]string{}, paths: st, chunkedLength: r.ChunkedLength, chunkedRead: r.ChunkedRead,
		req: &st.r, version: st.ver.OrDefault()}
	st.vars = &st.ownVars
	if c := d.Server.Captures; c != nil {
		st.vars.setCaptures(c)
	}
	st.realIP(st.server.Conf) // the post-read phase
	st.phases(phaseServerRewrite)
}

func (st *state) phases(p phase) {
	for p != phaseDone {
		switch p {
		case phaseServerRewrite:
			st.loc, st.conf, st.handler = nil, st.server.Conf, nil
			p = st.script(st.server.Rewrite, phaseFindConfig)
		case phaseFindConfig:
			p = st.findConfig()
		case phaseRewrite:
			var code []*nginx.Directive
			if st.loc != nil {
				code = st.loc.script
			}
			p = st.script(code, phaseAccess)
			if p == phaseAccess && st.uriChanged {
				st.uriChanged = false
				p = st.countURIChange(phaseFindConfig)
			}
		case phaseAccess:
			// The preaccess phase: realip, then limit_req, which pauses
			// the request for the zones' buckets (Limiter.Check).
			st.realIP(st.conf)
			if c := st.limitReq(); c != nil {
				st.d.Limit = c
				st.d.Location, st.d.Conf = st.loc, st.conf
				p = phaseDone
				break
			}
			p = st.afterLimitReq()
		case phaseTryFiles:
			p = st.tryFiles()
		case phaseContent:
			p = st.content()
		}
	}
}

// findConfig is ngx_http_core_find_config_phase: the location search,
// then the internal, client_max_body_size and trailing-slash checks.
func (st *state) findConfig() phase {
	search := &locationSearch{uri: st.vars.uri}
	rc := search.find(st.server.Locations)
	st.d.Steps = append(st.d.Steps, search.steps...)
	st.loc, st.conf, st.handler = search.loc, st.server.Conf, nil
	if search.caps != nil {
		st.vars.setCaptures(search.caps)
	}
	if st.loc != nil {
		st.conf, st.handler = st.loc.Conf, st.loc.Handler
	}
	if st.loc != nil && st.loc.Internal && !st.internal {
		return st.finalize(404, "the location is internal: only internal redirects reach it")
	}
	if limit, cl := bodyLimit(st.conf), st.r.bodyLength(); limit > 0 && cl > limit {
		return st.finalize(413, fmt.Sprintf("Content-Length %d exceeds client_max_body_size %d", cl, limit))
	}
	if rc == findAutoRedirect {
		st.d.Redirect = st.absolute(EscapeURI(st.loc.Name, EscapeKindURI) + argsSuffix(st.vars.args))
		return st.finalize(301, `the URI names a location ending in "/" without its slash`)
	}
	return phaseRewrite
}

// afterLimitReq is the rest of the preaccess phase: limit_conn, which
// pauses the request for the zones' counts (ConnLimiter.Acquire), then
// the access phase.
func (st *state) afterLimitReq() phase {
	if c := st.limitConn(); c != nil {
		st.d.ConnLimit = c
		st.d.Location, st.d.Conf = st.loc, st.conf
		return phaseDone
	}
	return st.access()
}

// bodyBroken reports whether reading (or discarding) the body finds
// the broken chunked body the handler met: once, as a body is read
// once; after that 400 the error page's handler reads nothing.
func (st *state) bodyBroken() bool {
	return st.r.ChunkedInvalid && !st.subrequest && !st.inErrorPage
}

// countURIChange spends one of the request's URI changes, as nginx does
// for every rewrite that searches again and every internal redirect.
func (st *state) countURIChange(next phase) phase {
	st.uriChanges--
	if st.uriChanges == 0 {
		return st.finalize(500, "rewrite or internal redirection cycle")
	}
	return next
}

// internalRedirect is ngx_http_internal_redirect: a new URI and args,
// processed again from the server rewrite phase.
func (st *state) internalRedirect(uri, args, why string) phase {
	st.d.Trace = append(st.d.Trace, fmt.Sprintf("internal redirect to %q (%s)", uri+argsSuffix(args), why))
	st.vars.uri, st.vars.args = uri, args
	st.validUnparsed, st.internal = false, true
	st.vars.caps = nil
	return st.countURIChange(phaseServerRewrite)
}

// namedLocation is ngx_http_named_location: the request continues in
// @name's rewrite phase with its URI and args unchanged.
func (st *state) namedLocation(name, why string) phase {
	l := st.server.Locations.Named(name)
	if l == nil {
		return st.finalize(500, fmt.Sprintf("could not find named location \"@%s\"", name))
	}
	st.d.Trace = append(st.d.Trace, fmt.Sprintf("to named location @%s (%s)", name, why))
	st.d.Steps = append(st.d.Steps, LocationStep{Loc: l, What: "named location, " + why})
	st.loc, st.conf, st.handler = l, l.Conf, l.Handler
	st.internal = true
	return st.countURIChange(phaseRewrite)
}

// finalize ends the request with a status nginx produces itself; an
// error_page in effect for it takes over (once: recursive_error_pages is
// off by default).
func (st *state) finalize(status int, why string) phase {
	if status == 444 {
		// NGX_HTTP_CLOSE, from limit_req_status 444 say: the
		// connection closes with no answer, whatever error_page says.
		st.d.Close = true
		return st.answer(status, why)
	}
	if status >= 300 && !st.inErrorPage {
		if ep := errorPageDirective(st.conf, status); ep != nil {
			return st.errorPage(ep, status, why)
		}
	}
	d := st.d
	d.Status, d.Reason = status, why
	d.Location, d.Conf, d.Handler = st.loc, st.conf, nil
	return phaseDone
}

// errorPage follows `error_page CODES [=[RESPONSE]] TARGET`.
func (st *state) errorPage(ep *nginx.Directive, status int, why string) phase {
	st.inErrorPage = true
	args := ep.Args
	target := st.vars.expand(args[len(args)-1])
	keep := status // the status the final response carries
	if eq := args[len(args)-2]; strings.HasPrefix(eq, "=") {
		if eq == "=" {
			keep = 0 // the target's own status
		} else if n, err := strconv.Atoi(eq[1:]); err == nil {
			keep = n
		}
	}
	st.d.Trace = append(st.d.Trace, fmt.Sprintf("%d (%s) handled by error_page at %s", status, why, ep.Pos))
	st.errStatus = keep
	switch {
	case strings.HasPrefix(target, "@"):
		return st.namedLocation(target[1:], "error_page")
	case strings.HasPrefix(target, "/"):
		st.asGet()
		uri, args, _ := strings.Cut(target, "?")
		return st.internalRedirect(uri, args, "error_page")
	}
	code := 302
	if keep == 301 || keep == 303 || keep == 307 || keep == 308 {
		code = keep
	}
	st.d.Redirect = target
	st.d.Status, st.d.Reason = code, "error_page redirects"
	st.d.Location, st.d.Conf = st.loc, st.conf
	return phaseDone
}

// errorPageDirective finds the error_page in effect for status.
func errorPageDirective(conf *Conf, status int) *nginx.Directive {
	pages := conf.List("error_page")
	if len(pages) == 0 {
		return nil // most locations: spare the number's formatting
	}
	code := strconv.Itoa(status)
	for _, d := range pages {
		for _, a := range d.Args[:len(d.Args)-1] {
			if a == code {
				return d
			}
		}
	}
	return nil
}

// fastcgiSplit is fastcgi_split_path_info applied to $uri:
// $fastcgi_script_name and $fastcgi_path_info.
func (st *state) fastcgiSplit() (script, pathInfo string) {
	uri := st.vars.uri
	if d := st.conf.Get("fastcgi_split_path_info"); d != nil {
		if re := st.t.regexes[d]; re != nil {
			if c := re.Match(uri); c != nil && len(c.Groups) > 2 {
				return c.Groups[1], c.Groups[2]
			}
		}
	}
	return uri, ""
}

// absolute makes a redirect target absolute as nginx's header filter does.
func (st *state) absolute(loc string) string {
	return absoluteRedirect(loc, st.r, st.server, st.conf, st.d.Host)
}

// content is the content phase: the location's handler, or static files.
func (st *state) content() phase {
	d := st.d
	d.Location, d.Conf, d.Handler = st.loc, st.conf, st.handler
	st.vars.docRoot = st.documentRoot()
	h := st.handler
	switch {
	case h == nil:
		return st.static()
	case st.bodyBroken() && (h.Kind == HandleProxy || h.Kind == HandleUWSGI):
		// Reading the body for the upstream found it broken.
		return st.finalize(400, "client sent invalid chunked body")
	case h.Kind == HandleStub && st.d.Method != "GET" && st.d.Method != "HEAD":
		return st.finalize(405, "stub_status takes GET and HEAD only")
	case h.Kind == HandleStub && st.bodyBroken():
		return st.finalize(400, "client sent invalid chunked body")
	case h.Kind == HandleProxy:
		d.Upstream = st.proxyRequest()
	case h.Kind == HandleUWSGI:
		d.Upstream = st.uwsgiRequest()
	}
	d.OverrideStatus = st.errStatus
	if d.Upstream != nil && !st.inErrorPage {
		st.upstreamErrorPages()
	}
	return phaseDone
}

// upstreamErrorPages decides, ahead of time, what nginx does when the
// upstream fails with a status an error_page handles: the gateway serves
// that decision instead of the error.
func (st *state) upstreamErrorPages() {
	for _, code := range []int{502, 503, 504} {
		ep := errorPageDirective(st.conf, code)
		if ep == nil {
			continue
		}
		if st.d.OnUpstreamError == nil {
			st.d.OnUpstreamError = map[int]*Decision{}
		}
		st.d.OnUpstreamError[code] = st.decideFrom(func(sub *state) phase {
			return sub.errorPage(ep, code, "the upstream failed")
		})
	}
}

// decideFrom decides, on a fork of the request's state, a different
// outcome from the phase first gives on, leaving this one as it is: an
// error page, where an X-Accel-Redirect leads.
func (st *state) decideFrom(first func(*state) phase) *Decision {
	sub := st.fork()
	sub.phases(first(sub))
	sub.d.URI, sub.d.Args = sub.vars.uri, sub.vars.args
	sub.addHeaders()
	return sub.d
}

// asGet makes the request a GET, as nginx does for an internal redirect
// to an error page or an X-Accel-Redirect, unless it is a HEAD.
func (st *state) asGet() {
	if st.d.Method != "HEAD" {
		st.d.Method, st.vars.method = "GET", "GET"
	}
}

// fork copies the request's state so a different outcome can be decided
// without touching this one.
func (st *state) fork() *state {
	sub := *st
	v := *st.vars
	v.set = make(map[string]string, len(st.vars.set))
	for k, val := range st.vars.set {
		v.set[k] = val
	}
	sub.vars = &v
	v.paths = &sub
	sub.d = &Decision{Method: st.d.Method, Group: st.d.Group, Server: st.d.Server, Host: st.d.Host,
		RawURI: st.d.RawURI, Steps: append([]LocationStep(nil), st.d.Steps...), Trace: append([]string(nil), st.d.Trace...)}
	return &sub
}

// addHeaders evaluates the add_header lines in effect where the request
// ended (all-or-nothing inheritance, like every array directive).
func (st *state) addHeaders() {
	st.d.vars = st.vars
	conf := st.d.Conf
	if conf == nil {
		conf = st.conf
	}
	if conf == nil {
		return
	}
	st.d.ClientMaxBodySize = bodyLimit(conf)
	plan := headerPlanFor(conf, st.t.maps)
	st.d.late = plan.late
	for _, a := range plan.headers {
		if a.late == "" {
			a.Value = st.vars.expand(a.Value)
		}
		st.d.AddHeaders = append(st.d.AddHeaders, a)
	}
}

// headerPlan is a level's add_header lines as the response filters use
// them, with which values read the response (evaluated late), and
// whether anything does (expires with variables too): worked out once
// per level, as the config never changes.
type headerPlan struct {
	headers []AddHeader // Value holds the value as written until expanded
	late    bool
}

func headerPlanFor(conf *Conf, maps map[string]*mapVar) *headerPlan {
	return settingOnce(conf, "add_header plan", func() *headerPlan {
		p := &headerPlan{}
		if e := conf.Get("expires"); e != nil && hasVariables(e.Args[len(e.Args)-1]) {
			p.late = true
		}
		for _, d := range conf.List("add_header") {
			a := AddHeader{Name: d.Args[0], Value: d.Args[1], Always: len(d.Args) > 2 && d.Args[2] == "always"}
			if readsResponse(d.Args[1], maps) {
				a.Value, a.late = "", d.Args[1] // evaluated with the response's head
				p.late = true
			}
			p.headers = append(p.headers, a)
		}
		return p
	})
}
