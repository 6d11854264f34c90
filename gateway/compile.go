package gateway

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/gateway/nginx"
)

// compiler turns a parsed configuration into a Table, checking what
// nginx's directive handlers check and recording what Berth does not act on.
type compiler struct {
	t    *Table
	refs []*upstreamRef
	// ignoredBy groups directives Berth does not act on per file and
	// name; ignoredOrder keeps the groups in the order first seen.
	ignoredBy    map[string]*ignoredGroup
	ignoredOrder []*ignoredGroup
	// noted are the directives a warning was written for, so that one
	// every location inherits is reported once.
	noted map[*nginx.Directive]bool
	// confs are every http, server and location level, for the checks
	// made once the whole config is read.
	confs []*Conf
}

// Compile builds the route table of a parsed configuration. Errors are
// *nginx.Error, worded as `nginx -t` words them.
func Compile(cfg *nginx.Config) (*Table, error) {
	c := &compiler{t: &Table{Config: cfg, regexes: map[*nginx.Directive]*Regex{}, anonymous: map[*nginx.Directive]*Location{}}}
	c.t.Report = append(c.t.Report, cfg.Notes...)
	httpBlock, err := c.httpBlock(cfg)
	if err != nil {
		return nil, err
	}
	if err := c.compileHTTP(httpBlock); err != nil {
		return nil, err
	}
	c.flushIgnored()
	for _, g := range c.t.Groups {
		g.explainFallback()
	}
	return c.t, nil
}

// httpBlock finds the http context: the `http` block of a full nginx.conf,
// or the whole file for a conf.d snippet.
func (c *compiler) httpBlock(cfg *nginx.Config) ([]*nginx.Directive, error) {
	var http *nginx.Directive
	main := false
	for _, d := range cfg.Root {
		if d.Name == "http" || d.Name == "events" {
			main = true
		}
	}
	if !main {
		// A snippet runs under Debian's nginx.conf: worker_processes auto.
		c.t.Workers = runtime.NumCPU()
		return cfg.Root, nil
	}
	c.t.Workers = 1 // nginx's default
	for _, d := range cfg.Root {
		switch d.Name {
		case "http":
			if http != nil {
				return nil, &nginx.Error{Pos: d.ErrPos(), Msg: `"http" directive is duplicate`}
			}
			http = d
		case "events":
			for _, e := range d.Block {
				c.ignored(e)
			}
		case "worker_processes":
			n, err := workerProcesses(d)
			if err != nil {
				return nil, err
			}
			c.t.Workers = n
			c.ignored(d) // still reported: Berth is one process
		default:
			c.ignored(d)
		}
	}
	if http == nil {
		return nil, nil
	}
	return http.Block, nil
}

func (c *compiler) compileHTTP(block []*nginx.Directive) error {
	var parent *Conf
	if c.t.Config.Snippet {
		parent = snippetParent()
		c.t.Report = append(c.t.Report, nginx.Note{Pos: nginx.Pos{File: c.t.Config.File, Line: 1}, Severity: nginx.Info,
			Msg: "a conf.d snippet is read inside Debian's default http block, as production runs it: " +
				"include mime.types; default_type application/octet-stream; gzip on"})
	}
	http := newConf(LevelHTTP, parent, block)
	c.t.HTTP = http
	c.confs = append(c.confs, http)
	for _, d := range block {
		switch d.Name {
		case "server":
			if err := c.compileServer(d, http); err != nil {
				return err
			}
		case "upstream":
			u, err := c.compileUpstream(d)
			if err != nil {
				return err
			}
			if prev := c.t.Upstream(u.Name); prev != nil {
				return &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(`duplicate upstream "%s"`, u.Name)}
			}
			c.t.Upstreams = append(c.t.Upstreams, u)
		case "limit_req_zone":
			z, err := compileLimitZone(d)
			if err == nil {
				err = bindZone(&c.t.limitZones, d, z)
			}
			if err != nil {
				return err
			}
		case "limit_conn_zone":
			z, err := compileConnZone(d)
			if err == nil {
				err = bindZone(&c.t.connZones, d, z)
			}
			if err != nil {
				return err
			}
		case "map", "geo", "split_clients":
			compile := compileMap
			switch d.Name {
			case "geo":
				compile = compileGeo
			case "split_clients":
				compile = compileSplitClients
			}
			name, m, err := compile(d)
			if err != nil {
				return err
			}
			if c.t.maps == nil {
				c.t.maps = map[string]*mapVar{}
			}
			c.t.maps[name] = m
		default:
			if err := c.setting(d); err != nil {
				return err
			}
		}
	}
	if err := c.checkLimits(); err != nil {
		return err
	}
	return c.resolveUpstreams()
}

// resolveUpstreams ties every pass directive to its upstream, as nginx
// does once the whole config is read (ngx_http_upstream_add): a name
// without a port may refer to an upstream block defined anywhere;
// anything else is an implicit upstream of its own.
func (c *compiler) resolveUpstreams() error {
	implicit := map[string]*Upstream{}
	for _, r := range c.refs {
		if r.addr.Network != "unix" {
			if u := c.t.Upstream(r.host); u != nil {
				if r.port != 0 {
					return &nginx.Error{Pos: r.pos, Msg: fmt.Sprintf(`upstream "%s" may not have port %d`, r.host, r.port)}
				}
				r.handler.Upstream = u
				continue
			}
		}
		key := r.addr.String()
		u := implicit[key]
		if u == nil {
			u = &Upstream{Name: key, Pos: r.pos, Implicit: true, Balance: RoundRobin,
				Servers: []*Peer{newPeer(r.addr, r.pos)}}
			implicit[key] = u
			c.t.Upstreams = append(c.t.Upstreams, u)
		}
		r.handler.Upstream = u
	}
	return nil
}

func (c *compiler) compileServer(d *nginx.Directive, http *Conf) error {
	s := &Server{Pos: d.Pos, Conf: newConf(LevelServer, http, d.Block)}
	c.confs = append(c.confs, s.Conf)
	var locs []*Location
	for _, sd := range d.Block {
		switch sd.Name {
		case "listen":
			l, err := parseListen(sd)
			if err != nil {
				return err
			}
			if err := c.addListen(s, l); err != nil {
				return err
			}
		case "server_name":
			s.Names = append(s.Names, sd.Args...)
		case "location":
			l, err := c.compileLocation(sd, s, nil, s.Conf)
			if err != nil {
				return err
			}
			locs = append(locs, l)
		case "rewrite", "return", "set", "if", "break":
			if err := c.checkRewriteModule(sd); err != nil {
				return err
			}
			s.Rewrite = append(s.Rewrite, sd)
		default:
			if err := c.setting(sd); err != nil {
				return err
			}
		}
	}
	if len(s.Listens) == 0 {
		l := defaultListen
		l.Pos = d.Pos
		if err := c.addListen(s, l); err != nil {
			return err
		}
	}
	if len(s.Names) == 0 {
		s.Names = []string{""}
	}
	set, err := newLocationSet(locs)
	if err != nil {
		return err
	}
	s.Locations = set
	c.t.Servers = append(c.t.Servers, s)
	return c.addNames(s)
}

// addListen puts a server into the group of its address:port, as
// ngx_http_add_listen does when it reads the listen directive.
func (c *compiler) addListen(s *Server, l Listen) error {
	s.Listens = append(s.Listens, l)
	g := c.group(l)
	for _, other := range g.Servers {
		if other == s {
			return &nginx.Error{Pos: l.Pos, Msg: "a duplicate listen " + l.Socket()}
		}
	}
	if l.DefaultServer {
		if g.Default != nil && g.hasDefaultServer() {
			return &nginx.Error{Pos: l.Pos, Msg: "a duplicate default server for " + l.Socket()}
		}
		g.Default = s
	}
	if g.Default == nil {
		g.Default = s
	}
	g.Servers = append(g.Servers, s)
	return nil
}

func (g *Group) hasDefaultServer() bool {
	for _, l := range g.Default.Listens {
		if l.DefaultServer && l.Port == g.Port && l.Addr == g.Addr {
			return true
		}
	}
	return false
}

func (c *compiler) group(l Listen) *Group {
	for _, g := range c.t.Groups {
		if g.Port == l.Port && g.Addr == l.Addr {
			return g
		}
	}
	g := &Group{Addr: l.Addr, Port: l.Port, names: newNameTable()}
	c.t.Groups = append(c.t.Groups, g)
	return g
}

// addNames enters the server's names into each of its groups' tables, once
// the block is read, as ngx_http_server_names does.
func (c *compiler) addNames(s *Server) error {
	for _, raw := range s.Names {
		for _, l := range s.Listens {
			g := c.group(l)
			n, err := parseServerName(raw, s.Pos)
			var rerr *RegexError
			switch {
			case err == errInvalidName:
				return &nginx.Error{Pos: s.Pos, Msg: fmt.Sprintf(`invalid server name or wildcard "%s" on %s`, raw, g.Socket())}
			case errors.As(err, &rerr) && rerr.Unsupported != "":
				c.t.Report = append(c.t.Report, nginx.Note{Pos: s.Pos, Severity: nginx.Warning, Directive: "server_name",
					Msg: rerr.Msg + "; this name never matches in Berth"})
				continue
			case err != nil:
				return &nginx.Error{Pos: s.Pos, Msg: err.Error()}
			}
			n.server = s
			if !g.names.add(&n) {
				c.t.Report = append(c.t.Report, nginx.Note{Pos: s.Pos, Severity: nginx.Warning, Directive: "server_name",
					Msg: fmt.Sprintf(`conflicting server name "%s" on %s, ignored`, raw, g.Socket())})
			}
		}
	}
	return nil
}

// compileLocation compiles a location block (ngx_http_core_location) and
// its nested locations.
func (c *compiler) compileLocation(d *nginx.Directive, s *Server, parent *Location, parentConf *Conf) (*Location, error) {
	l := &Location{Pos: d.Pos, errPos: d.ErrPos(), Parent: parent}
	errf := func(format string, a ...any) error {
		return &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(format, a...)}
	}
	if len(d.Args) == 2 {
		switch d.Args[0] {
		case "=":
			l.Modifier = ModExact
		case "^~":
			l.Modifier = ModNoRegex
		case "~":
			l.Modifier = ModRegex
		case "~*":
			l.Modifier = ModRegexCI
		default:
			return nil, errf(`invalid location modifier "%s"`, d.Args[0])
		}
		l.Name = d.Args[1]
	} else {
		name := d.Args[0]
		switch {
		case strings.HasPrefix(name, "="):
			l.Modifier, l.Name = ModExact, name[1:]
		case strings.HasPrefix(name, "^~"):
			l.Modifier, l.Name = ModNoRegex, name[2:]
		case strings.HasPrefix(name, "~*"):
			l.Modifier, l.Name = ModRegexCI, name[2:]
		case strings.HasPrefix(name, "~"):
			l.Modifier, l.Name = ModRegex, name[1:]
		case strings.HasPrefix(name, "@"):
			l.Modifier, l.Name = ModNamed, name[1:]
		default:
			l.Modifier, l.Name = ModPrefix, name
		}
	}
	if l.Modifier == ModRegex || l.Modifier == ModRegexCI {
		re, err := c.regex(d, l.Name, l.Modifier == ModRegexCI)
		if err != nil {
			return nil, err
		}
		l.Regex = re
	}
	if parent != nil {
		switch {
		case parent.Modifier == ModExact:
			return nil, errf(`location "%s" cannot be inside the exact location "%s"`, l.rawName(), parent.rawName())
		case parent.Modifier == ModNamed:
			return nil, errf(`location "%s" cannot be inside the named location "%s"`, l.rawName(), parent.rawName())
		case l.Modifier == ModNamed:
			return nil, errf(`named location "%s" can be on the server level only`, l.rawName())
		case l.Regex == nil && !strings.HasPrefix(l.Name, parent.Name):
			return nil, errf(`location "%s" is outside location "%s"`, l.rawName(), parent.rawName())
		}
	}
	l.Conf = newConf(LevelLocation, parentConf, d.Block)
	c.confs = append(c.confs, l.Conf)
	l.script = blockScript(d.Block)
	var children []*Location
	for _, sd := range d.Block {
		switch sd.Name {
		case "location":
			child, err := c.compileLocation(sd, s, l, l.Conf)
			if err != nil {
				return nil, err
			}
			children = append(children, child)
		case "internal":
			l.Internal = true
		case "proxy_pass", "uwsgi_pass", "fastcgi_pass", "scgi_pass", "grpc_pass", "memcached_pass", "stub_status":
			h, err := c.parsePass(HandlerKind(sd.Name), sd, l)
			if err != nil {
				return nil, err
			}
			l.Handler = h
			if strings.HasSuffix(l.Name, "/") && sd.Name != "stub_status" {
				l.AutoRedirect = true
			}
		case "if", "limit_except":
			if sd.Name == "if" {
				if err := c.checkRewriteModule(sd); err != nil {
					return nil, err
				}
			}
			if err := c.compileAnonymous(sd, l); err != nil {
				return nil, err
			}
			if sd.Name == "limit_except" {
				l.limitExcept = append(l.limitExcept, sd)
			}
		default:
			if err := c.setting(sd); err != nil {
				return nil, err
			}
		}
	}
	if h := l.Handler; h != nil {
		var err error
		switch {
		case h.Kind == HandleProxy && (h.Scheme == "https" || h.HasVars):
			err = c.checkUpstreamTLS(l.Conf, "proxy")
		case h.Kind == HandleUWSGI && (h.Scheme == "suwsgi" || h.HasVars):
			err = c.checkUpstreamTLS(l.Conf, "uwsgi")
		}
		if err != nil {
			return nil, err
		}
	}
	if len(children) > 0 {
		set, err := newLocationSet(children)
		if err != nil {
			return nil, err
		}
		l.Children = set
	}
	return l, nil
}

// compileAnonymous checks the pass directives inside an `if` or
// `limit_except` block, which nginx compiles as locations of their own.
func (c *compiler) compileAnonymous(d *nginx.Directive, parent *Location) error {
	anon := &Location{Modifier: ModAnonymous, Name: parent.Name, Pos: d.Pos, Parent: parent}
	c.t.anonymous[d] = anon
	for _, sd := range d.Block {
		switch sd.Name {
		case "proxy_pass", "uwsgi_pass", "fastcgi_pass", "scgi_pass", "grpc_pass", "memcached_pass":
			h, err := c.parsePass(HandlerKind(sd.Name), sd, anon)
			if err != nil {
				return err
			}
			anon.Handler = h
		case "if", "limit_except":
			if err := c.compileAnonymous(sd, parent); err != nil {
				return err
			}
		case "rewrite":
			// compiled by checkRewriteModule with the enclosing if
		default:
			if err := c.setting(sd); err != nil {
				return err
			}
		}
	}
	return nil
}

// rawName is the location's name as nginx prints it in messages.
func (l *Location) rawName() string {
	if l.Modifier == ModNamed {
		return "@" + l.Name
	}
	return l.Name
}

// setting checks a directive Berth reads as a setting and reports one it
// does not act on.
func (c *compiler) setting(d *nginx.Directive) error {
	switch d.Name {
	case "rewrite", "if":
		return c.checkRewriteModule(d)
	case "fastcgi_split_path_info":
		re, err := c.regex(d, d.Args[0], false)
		c.t.regexes[d] = re
		c.report(d)
		return err
	case "client_max_body_size":
		if _, err := ParseSize(d.Args[0]); err != nil {
			return &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(`"client_max_body_size" directive invalid value`)}
		}
	case "return":
		return checkReturn(d)
	case "satisfy": // ngx_conf_set_enum_slot
		if d.Args[0] != "all" && d.Args[0] != "any" {
			return &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(`invalid value "%s"`, d.Args[0])}
		}
	case "auth_request_set":
		if !strings.HasPrefix(d.Args[0], "$") {
			return &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(`invalid variable name "%s"`, d.Args[0])}
		}
	case "proxy_redirect":
		if err := c.checkProxyRedirect(d); err != nil {
			return err
		}
	case "auth_basic_user_file":
		c.checkUserFile(d)
	case "limit_req":
		if _, err := parseLimitReq(d); err != nil {
			return err
		}
	case "limit_conn":
		if _, _, err := parseLimitConn(d); err != nil {
			return err
		}
	case "limit_req_status", "limit_conn_status": // ngx_conf_set_num_slot, 400 to 599
		n, ok := ngxAtoi(d.Args[0])
		if !ok {
			return &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(`"%s" directive invalid number`, d.Name)}
		}
		if n < 400 || n > 599 {
			return &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(`"%s" directive value must be between 400 and 599`, d.Name)}
		}
	case "set_real_ip_from":
		if err := c.compileRealIPFrom(d); err != nil {
			return err
		}
	case "proxy_cookie_domain", "proxy_cookie_path", "proxy_cookie_flags":
		if err := c.checkProxyCookie(d); err != nil {
			return err
		}
	}
	c.report(d)
	return nil
}

// checkProxyRedirect validates a proxy_redirect line as
// ngx_http_proxy_redirect does, and compiles its regex.
func (c *compiler) checkProxyRedirect(d *nginx.Directive) error {
	if len(d.Args) == 1 {
		if d.Args[0] != "off" && d.Args[0] != "default" {
			return &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(`invalid parameter "%s"`, d.Args[0])}
		}
		return nil
	}
	pattern, ok := strings.CutPrefix(d.Args[0], "~")
	if !ok {
		return nil
	}
	pattern, caseless := strings.CutPrefix(pattern, "*")
	re, err := c.regex(d, pattern, caseless)
	c.t.regexes[d] = re
	return err
}

// checkProxyCookie validates a proxy_cookie_* line as nginx's handlers
// do and compiles its regex: caseless for a domain (`~`) and for
// flags, as `~*` asks for a path.
func (c *compiler) checkProxyCookie(d *nginx.Directive) error {
	if len(d.Args) == 1 {
		if d.Args[0] != "off" {
			return &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(`invalid parameter "%s"`, d.Args[0])}
		}
		return nil
	}
	pattern, ok := strings.CutPrefix(d.Args[0], "~")
	if !ok {
		return nil
	}
	caseless := d.Name != "proxy_cookie_path"
	if !caseless {
		pattern, caseless = strings.CutPrefix(pattern, "*")
	}
	re, err := c.regex(d, pattern, caseless)
	c.t.regexes[d] = re
	return err
}

// regex compiles a pattern of directive d. A pattern using a PCRE feature
// Berth cannot run is not an error (nginx accepts it): it is reported, and
// the returned nil Regex never matches.
func (c *compiler) regex(d *nginx.Directive, pattern string, caseless bool) (*Regex, error) {
	re, err := CompileRegex(pattern, caseless)
	var re2 *RegexError
	switch {
	case err == nil:
		return re, nil
	case errors.As(err, &re2) && re2.Unsupported != "":
		c.note(d, re2.Msg+"; it never matches in Berth")
		return nil, nil
	}
	return nil, &nginx.Error{Pos: d.ErrPos(), Msg: err.Error()}
}

// checkRewriteModule validates rewrite and if as ngx_http_rewrite_module
// does when it reads them: flags, and every regex compiles.
func (c *compiler) checkRewriteModule(d *nginx.Directive) error {
	switch d.Name {
	case "rewrite":
		if len(d.Args) == 3 {
			switch d.Args[2] {
			case "last", "break", "redirect", "permanent":
			default:
				return &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(`invalid parameter "%s"`, d.Args[2])}
			}
		}
		re, err := c.regex(d, d.Args[0], false)
		c.t.regexes[d] = re
		return err
	case "if":
		if op, pattern, ok := ifRegex(ifOperands(d.Args)); ok {
			re, err := c.regex(d, pattern, strings.HasSuffix(op, "*"))
			if err != nil {
				return err
			}
			c.t.regexes[d] = re
		}
		for _, sd := range d.Block {
			if sd.Name == "rewrite" || sd.Name == "if" {
				if err := c.checkRewriteModule(sd); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// ifRegex finds the regex operand of an `if ($var ~ pattern)` condition.
func ifRegex(args []string) (op, pattern string, ok bool) {
	if len(args) != 3 {
		return "", "", false
	}
	switch args[1] {
	case "~", "~*", "!~", "!~*":
		return args[1], args[2], true
	}
	return "", "", false
}

// checkReturn validates `return` as ngx_http_rewrite_return does.
func checkReturn(d *nginx.Directive) error {
	code, err := strconv.Atoi(d.Args[0])
	if err != nil {
		if len(d.Args) == 2 || !(strings.HasPrefix(d.Args[0], "http://") || strings.HasPrefix(d.Args[0], "https://") || strings.HasPrefix(d.Args[0], "$scheme")) {
			return &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(`invalid return code "%s"`, d.Args[0])}
		}
		return nil
	}
	if code > 999 || code < 0 {
		return &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(`invalid return code "%s"`, d.Args[0])}
	}
	return nil
}

// ParseSize parses an nginx size: "10", "10k", "75M", "1g".
func ParseSize(s string) (int64, error) {
	if s == "" {
		return 0, fmt.Errorf("empty size")
	}
	mult := int64(1)
	switch s[len(s)-1] {
	case 'k', 'K':
		mult, s = 1<<10, s[:len(s)-1]
	case 'm', 'M':
		mult, s = 1<<20, s[:len(s)-1]
	case 'g', 'G':
		mult, s = 1<<30, s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	return n * mult, nil
}

// workerProcesses reads worker_processes as ngx_set_worker_processes
// does: "auto" is one worker per CPU online.
func workerProcesses(d *nginx.Directive) (int, error) {
	if d.Args[0] == "auto" {
		return runtime.NumCPU(), nil
	}
	n, err := strconv.Atoi(d.Args[0])
	if err != nil || n < 0 {
		return 0, &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(`invalid value "%s" in "worker_processes" directive`, d.Args[0])}
	}
	return max(n, 1), nil
}
