package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/gateway"
)

func runMatch(_ context.Context, e *env, args []string) error {
	fs := newFlagSet("match", e.stderr)
	var cf configFlags
	var headers multiFlag
	var asJSON, pathAsIs bool
	var method, version string
	fs.StringVar(&cf.file, "c", "", "the nginx config `FILE`")
	fs.StringVar(&cf.prefix, "prefix", "", "local `DIR` standing in for the production config folder")
	fs.StringVar(&cf.prodPrefix, "prod-prefix", "/etc/nginx", "the production config folder that --prefix replaces")
	fs.StringVar(&method, "X", "GET", "request `METHOD`")
	fs.Var(&headers, "H", "request header `'Name: value'` (repeatable; -H 'Host: x' overrides the URL's host)")
	fs.BoolVar(&pathAsIs, "path-as-is", false, "send the URL's path as written, without removing /./ and /../ (as curl's --path-as-is)")
	fs.StringVar(&version, "nginx-version", gateway.DefaultNginxVersion.String(), "the nginx `VERSION` whose behaviour to mirror")
	fs.BoolVar(&asJSON, "json", false, "print JSON (schema in the README)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprintln(e.stderr, "berth match: give one URL, e.g. berth match -c nginx.conf http://localhost/api/")
		return errUsage
	}
	ver, err := gateway.ParseNginxVersion(version)
	if err != nil {
		return err
	}
	req, err := requestFromURL(pos[0], method, headers, pathAsIs)
	if err != nil {
		return err
	}
	t, err := loadTable(cf)
	if err != nil {
		return err
	}
	d := t.Match(req, gateway.MatchOptions{Version: ver})
	v := matchView(req, d)
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	printMatch(e.stdout, v)
	return nil
}

// requestFromURL builds the request curl would send for URL: its host
// becomes the Host header (with a non-default port) unless -H Host: is
// given; its port is the production listen port the request reaches.
func requestFromURL(raw, method string, headers []string, pathAsIs bool) (gateway.Request, error) {
	schemeEnd := strings.Index(raw, "://")
	if schemeEnd < 0 {
		raw = "http://" + raw
		schemeEnd = 4
	}
	scheme := strings.ToLower(raw[:schemeEnd])
	if scheme != "http" && scheme != "https" {
		return gateway.Request{}, fmt.Errorf("unsupported scheme %q: use http:// or https://", scheme)
	}
	rest := raw[schemeEnd+3:]
	authority, target := rest, "/"
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		authority, target = rest[:i], rest[i:]
		if strings.HasPrefix(target, "?") {
			target = "/" + target
		}
	}
	if i := strings.IndexByte(target, '#'); i >= 0 {
		target = target[:i] // curl never sends the fragment
	}
	u, err := url.Parse(scheme + "://" + authority)
	if err != nil {
		return gateway.Request{}, fmt.Errorf("bad URL %q: %w", raw, err)
	}
	port := 80
	if scheme == "https" {
		port = 443
	}
	if p := u.Port(); p != "" {
		port, err = strconv.Atoi(p)
		if err != nil {
			return gateway.Request{}, fmt.Errorf("bad port in %q", raw)
		}
	}
	if !pathAsIs {
		target = removeDotSegments(target)
	}
	req := gateway.Request{Method: method, Target: target, Proto: "HTTP/1.1", Scheme: scheme,
		LocalAddr: localAddrFor(u.Hostname()), LocalPort: port, RemoteAddr: "127.0.0.1", RemotePort: 50000}
	hostHeader := authority
	var extra [][2]string
	for _, h := range headers {
		name, val, ok := strings.Cut(h, ":")
		if !ok {
			return gateway.Request{}, fmt.Errorf("bad header %q: want 'Name: value'", h)
		}
		name, val = strings.TrimSpace(name), strings.TrimSpace(val)
		if strings.EqualFold(name, "Host") {
			hostHeader = val
			continue
		}
		extra = append(extra, [2]string{name, val})
	}
	req.Headers = append([][2]string{{"Host", hostHeader}}, extra...)
	return req, nil
}

// removeDotSegments squashes /./ and /../ in the path as curl does before
// sending (RFC 3986 §5.2.4); the query is left alone.
func removeDotSegments(target string) string {
	path, query, hasQuery := strings.Cut(target, "?")
	var out []string
	segs := strings.Split(path, "/")
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	path = strings.Join(out, "/")
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	if hasQuery {
		return path + "?" + query
	}
	return path
}

type matchJSON struct {
	Request struct {
		Method  string      `json:"method"`
		Target  string      `json:"target"`
		Port    int         `json:"port"`
		Headers [][2]string `json:"headers"`
	} `json:"request"`
	Status     int            `json:"status"`             // non-zero when nginx answers itself
	Redirect   string         `json:"redirect,omitempty"` // the Location header it sends
	Body       string         `json:"body,omitempty"`     // return's text
	Close      bool           `json:"close,omitempty"`    // return 444: the connection is closed
	Reason     string         `json:"reason,omitempty"`
	Server     *matchServer   `json:"server,omitempty"`
	Host       string         `json:"host"`
	URI        string         `json:"uri"`
	Args       string         `json:"args"`
	Location   *locationJSON  `json:"location,omitempty"`
	Steps      []matchStep    `json:"steps"`
	Trace      []string       `json:"trace"` // rewrites, internal redirects, error_page, in order
	Handler    string         `json:"handler,omitempty"`
	File       string         `json:"file,omitempty"` // the static file served
	FileStatus int            `json:"file_status,omitempty"`
	Upstream   *matchUpstream `json:"upstream,omitempty"`
	// Auth is the auth_request the request waits on; what follows it
	// above is what happens when the subrequest answers 2xx.
	Auth *matchAuth `json:"auth_request,omitempty"`
	// Limit: limit_req counts the request first; what is shown is what
	// follows when its buckets let it through.
	Limit     *matchLimit `json:"limit_req,omitempty"`
	ConnLimit *matchLimit `json:"limit_conn,omitempty"`
}

type matchLimit struct {
	Zones  []string `json:"zones"`
	Status int      `json:"status"` // when a bucket is over its burst
}

type matchAuth struct {
	posJSON
	URI        string    `json:"uri"`
	Subrequest matchJSON `json:"subrequest"`
}

type matchServer struct {
	posJSON
	Name   string `json:"name"`
	How    string `json:"how"`
	Listen string `json:"listen"`
}

type matchStep struct {
	posJSON
	Location string `json:"location"`
	What     string `json:"what"`
}

type matchUpstream struct {
	Name        string      `json:"name"`
	Addresses   []string    `json:"addresses"`
	Method      string      `json:"method"`
	URI         string      `json:"uri"`
	Host        string      `json:"host"`
	Headers     [][2]string `json:"headers,omitempty"`
	Vars        [][2]string `json:"vars,omitempty"`
	UnknownVars []string    `json:"unknown_vars,omitempty"`
	// NoResolver: the host name needs a `resolver`, and there is none.
	NoResolver bool `json:"no_resolver,omitempty"`
	// TLS is how an https:// or suwsgi:// upstream is connected to.
	TLS *gateway.UpstreamTLS `json:"tls,omitempty"`
}

func matchView(r gateway.Request, d *gateway.Decision) matchJSON {
	if l := d.Limit; l != nil {
		v := matchView(r, l.Continue(gateway.LimitVerdict{Label: "PASSED"}))
		v.Limit = &matchLimit{Zones: l.Zones(), Status: l.RefuseStatus()}
		return v
	}
	if l := d.ConnLimit; l != nil {
		v := matchView(r, l.Continue(gateway.ConnVerdict{Label: "PASSED"}))
		v.ConnLimit = &matchLimit{Zones: l.Zones(), Status: l.RefuseStatus()}
		return v
	}
	if a := d.Auth; a != nil {
		v := matchView(r, a.Continue(gateway.AuthAnswer{Status: 200}))
		v.Auth = &matchAuth{posJSON: pos(a.Directive.Pos), URI: a.Directive.Args[0], Subrequest: matchView(r, a.Sub)}
		return v
	}
	var v matchJSON
	v.Request.Method, v.Request.Target, v.Request.Port, v.Request.Headers = r.Method, r.Target, r.LocalPort, r.Headers
	v.Status, v.Redirect, v.Body, v.Close, v.Reason = d.Status, d.Redirect, d.Body, d.Close, d.Reason
	v.Host, v.URI, v.Args = d.Host, d.URI, d.Args
	v.Steps, v.Trace = []matchStep{}, append([]string{}, d.Trace...)
	v.File, v.FileStatus = d.File, d.FileStatus
	if s := d.Server.Server; s != nil {
		v.Server = &matchServer{posJSON: pos(s.Pos), Name: s.FirstName(), How: d.Server.How, Listen: d.Group.Socket()}
		if d.Server.Name != "" {
			v.Server.How += " " + d.Server.Name
		}
	}
	if d.Location != nil {
		l := locationView(d.Location)
		l.Locations = nil
		v.Location = &l
	}
	for _, s := range d.Steps {
		v.Steps = append(v.Steps, matchStep{posJSON: pos(s.Loc.Pos), Location: s.Loc.Label(), What: s.What})
	}
	if d.Handler != nil {
		v.Handler = string(d.Handler.Kind) + " " + d.Handler.Target
	} else if d.Status == 0 {
		v.Handler = "static files"
	}
	if u := d.Upstream; u != nil {
		mu := &matchUpstream{Method: u.Method, URI: u.URI, Host: u.Host, Headers: u.Headers, Vars: u.Vars, UnknownVars: u.UnknownVars, TLS: u.TLS}
		if u.Upstream != nil {
			mu.Name, mu.Addresses, mu.NoResolver = u.Upstream.Name, addresses(u.Upstream), u.Upstream.NoResolver
		}
		v.Upstream = mu
	}
	return v
}

// printMatch explains a decision for a terminal.
func printMatch(w io.Writer, v matchJSON) {
	fmt.Fprintf(w, "request   %s %s (port %d)\n", v.Request.Method, v.Request.Target, v.Request.Port)
	if v.Server != nil {
		fmt.Fprintf(w, "server    %s at %s:%d (%s, on %s)\n", displayName(v.Server.Name), v.Server.File, v.Server.Line, v.Server.How, v.Server.Listen)
	}
	if v.Status != 0 && v.Location == nil {
		fmt.Fprintf(w, "response  %d: %s\n", v.Status, v.Reason)
		return
	}
	fmt.Fprintf(w, "host      %s\nuri       %s\n", displayName(v.Host), v.URI)
	if v.Args != "" {
		fmt.Fprintf(w, "args      %s\n", v.Args)
	}
	if v.Location != nil {
		fmt.Fprintf(w, "location  %s at %s:%d\n", locationLabel(v.Location.Match, v.Location.Name), v.Location.File, v.Location.Line)
	} else {
		fmt.Fprintln(w, "location  none: the server's own settings apply (static files)")
	}
	for _, s := range v.Steps {
		fmt.Fprintf(w, "  why     %s (%s:%d): %s\n", s.Location, s.File, s.Line, s.What)
	}
	if l := v.Limit; l != nil {
		fmt.Fprintf(w, "limit     limit_req by zone %s: below, what follows while the bucket allows it (over its burst: %d)\n",
			strings.Join(l.Zones, ", "), l.Status)
	}
	if l := v.ConnLimit; l != nil {
		fmt.Fprintf(w, "limit     limit_conn by zone %s: below, what follows under the limit (at it: %d)\n",
			strings.Join(l.Zones, ", "), l.Status)
	}
	if a := v.Auth; a != nil {
		sub := a.Subrequest
		fmt.Fprintf(w, "auth      auth_request %s at %s:%d; the subrequest goes to", a.URI, a.File, a.Line)
		switch {
		case sub.Location != nil:
			fmt.Fprintf(w, " %s at %s:%d", locationLabel(sub.Location.Match, sub.Location.Name), sub.Location.File, sub.Location.Line)
		default:
			fmt.Fprint(w, " no location")
		}
		switch {
		case sub.Upstream != nil:
			fmt.Fprintf(w, ", %s: %s %s\n", sub.Upstream.Name, sub.Upstream.Method, sub.Upstream.URI)
		case sub.Status != 0:
			fmt.Fprintf(w, ", which answers %d\n", sub.Status)
		default:
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, "          below: what follows when it answers 2xx (401 and 403 refuse the request, anything else is 500)")
	}
	for _, t := range v.Trace {
		fmt.Fprintf(w, "  then    %s\n", t)
	}
	if v.Status != 0 {
		fmt.Fprintf(w, "response  %d: %s\n", v.Status, v.Reason)
		if v.Redirect != "" {
			fmt.Fprintf(w, "          Location: %s\n", v.Redirect)
		}
		if v.Body != "" {
			fmt.Fprintf(w, "          body: %q\n", v.Body)
		}
		if v.Close {
			fmt.Fprintln(w, "          (the connection is closed without a response)")
		}
		return
	}
	if v.Handler != "" {
		fmt.Fprintf(w, "handler   %s\n", v.Handler)
	}
	if v.File != "" {
		fmt.Fprintf(w, "file      %s (%d)\n", v.File, v.FileStatus)
	}
	if u := v.Upstream; u != nil {
		fmt.Fprintf(w, "upstream  %s: %s\n", u.Name, strings.Join(u.Addresses, ", "))
		if u.NoResolver {
			fmt.Fprintln(w, "          (502: the name needs a resolver directive, and none is in effect)")
		}
		if t := u.TLS; t != nil {
			sni := "no server name"
			if t.SNI != "" {
				sni = "server name " + t.SNI
			}
			check := "certificate not checked"
			if t.Verify {
				check = "certificate checked for " + displayName(t.Name)
			}
			fmt.Fprintf(w, "tls       %s, %s\n", sni, check)
		}
		if len(u.Vars) > 0 {
			fmt.Fprintf(w, "sends     uwsgi %s %s, HTTP_HOST %s\n", u.Method, u.URI, displayName(u.Host))
			for _, kv := range u.Vars {
				switch kv[0] {
				case "PATH_INFO", "REQUEST_URI", "QUERY_STRING", "SCRIPT_NAME", "SERVER_NAME", "SERVER_PORT":
					fmt.Fprintf(w, "          %s=%s\n", kv[0], kv[1])
				}
			}
		} else {
			fmt.Fprintf(w, "sends     %s %s, Host: %s\n", u.Method, u.URI, displayName(u.Host))
		}
		if len(u.UnknownVars) > 0 {
			fmt.Fprintf(w, "          (variables Berth cannot evaluate: $%s)\n", strings.Join(u.UnknownVars, ", $"))
		}
	}
}

func displayName(s string) string {
	if s == "" {
		return `""`
	}
	return s
}
