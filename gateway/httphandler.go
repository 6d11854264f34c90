package gateway

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/gateway/nginx"
)

// handler serves the connections of one listen group. It never lets
// net/http's mux or path cleaning near the request: the raw target goes
// to Match, which normalises it as nginx does.
type handler struct {
	g      *Gateway
	group  *Group
	scheme string
	port   int // the local port bound: $server_port and redirects
}

func (h *handler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	start := time.Now()
	rt := h.g.acquire()
	rw := &countingWriter{ResponseWriter: w, rt: rt}
	defer rw.release()
	defer rw.giveBack()
	h.g.conns.requests.Add(1)
	h.g.conns.writing.Add(1)
	defer h.g.conns.writing.Add(-1)
	r := h.request(req)
	r.conns = &h.g.conns
	describeArrival(&r, req, start)
	d := rt.table.Match(r, MatchOptions{Version: h.g.opts.Version, Files: h.g.opts.Files, Prefix: h.g.opts.Prefix})
	body := newClientBody(w, req, d.Conf)
	chunked := req.ContentLength < 0 && (len(req.TransferEncoding) > 0 || req.ProtoMajor == 2 && req.Body != http.NoBody)
	if chunked && d.Discards && discardArrived(rw, req.Body) {
		// return's answer drops what of the body has arrived first
		// (ngx_http_discard_request_body), and a broken one makes it 400.
		r.ChunkedInvalid = true
		d = rt.table.Match(r, MatchOptions{Version: h.g.opts.Version, Files: h.g.opts.Files, Prefix: h.g.opts.Prefix})
	}
	if d.Status == 0 && chunked {
		// A chunked body (or an HTTP/2 one without a length): nginx
		// reads it whole (checking client_max_body_size as it goes)
		// before the upstream sees it with a Content-Length; so does
		// Berth.
		// Decided again with what reading found: its length (past the
		// limit when too big: 413) or that it did not parse (400).
		buf, tooBig, err := readLimited(body, d.ClientMaxBodySize)
		switch {
		case err != nil && clientGone(err):
			// Gone, or silent for client_body_timeout: nginx closes
			// the connection without an answer.
			panic(http.ErrAbortHandler)
		case err != nil:
			r.ChunkedInvalid = true
		default:
			r.ChunkedLength, r.ChunkedRead = int64(len(buf)), true
			if !tooBig {
				body = bytes.NewReader(buf)
			}
		}
		d = rt.table.Match(r, MatchOptions{Version: h.g.opts.Version, Files: h.g.opts.Files, Prefix: h.g.opts.Prefix})
	}
	d = h.resume(rt, rw, req, r, d)
	rw.conf = d.Conf
	if req.ProtoMajor == 1 && req.Header.Get("Upgrade") == "" && closesAfter(d.Conf, r.ConnectionRequests) {
		w.Header().Set("Connection", "close")
	}
	out := newGzipWriter(rw, filterConf(d), req)
	o := h.serve(rt, out, req, r, d, body)
	if gz, ok := out.(*gzipWriter); ok && !o.cut {
		gz.Close()
	}
	dur := time.Since(start)
	upstream := o.upstream
	h.accessLog(rt, req, d, upstream, rw, dur)
	if s := d.Server.Server; s != nil {
		status := rw.status
		if d.Close {
			status = 444 // as nginx logs a closed connection
		}
		if ls := rt.stats.lookup(s, d.Location); ls != nil {
			ls.record(RequestRecord{Time: start, Method: req.Method, URI: req.RequestURI, Status: status, Upstream: upstream, Duration: dur})
		}
	}
	if o.cut {
		// What arrived has gone out already (copyBody flushes every
		// read). This panic is how a handler has net/http close the
		// connection without finishing the response.
		panic(http.ErrAbortHandler)
	}
}

// request turns what net/http parsed back into what nginx sees: the raw
// target, the headers (Host first; net/http keeps the rest in a map, so
// their order is lost — one of the README's allowed differences), and the
// socket.
func (h *handler) request(req *http.Request) Request {
	r := Request{Method: req.Method, Target: req.RequestURI, Proto: req.Proto, Scheme: h.scheme,
		LocalAddr: h.group.Addr, LocalPort: h.group.Port, ServerPort: h.port}
	n := 1 // sized once: growing the list cost several allocations
	for _, vs := range req.Header {
		n += len(vs)
	}
	r.Headers = make([][2]string, 0, n)
	if req.Host != "" {
		r.Headers = append(r.Headers, [2]string{"Host", req.Host})
	}
	if len(req.TransferEncoding) > 0 {
		// net/http takes Transfer-Encoding out of the headers; nginx
		// passes it on to uwsgi (HTTP_TRANSFER_ENCODING).
		r.Headers = append(r.Headers, [2]string{"Transfer-Encoding", strings.Join(req.TransferEncoding, ", ")})
	}
	underscores := flag(h.group.Default.Conf, "underscores_in_headers", false)
	var nameBuf [32]string // on the stack for every usual request
	names := nameBuf[:0]
	for name := range req.Header {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if strings.Contains(name, "_") && !underscores {
			continue // nginx drops such headers (ignore_invalid_headers)
		}
		vals := req.Header[name]
		if name == "Cookie" && req.ProtoMajor == 2 && len(vals) > 1 {
			// HTTP/2 clients send each cookie as a header of its own;
			// nginx joins them into one (ngx_http_v2_construct_cookie_header).
			vals = []string{strings.Join(vals, "; ")}
		}
		for _, v := range vals {
			r.Headers = append(r.Headers, [2]string{name, v})
		}
	}
	if len(r.Headers) == 0 {
		r.Headers = nil
	}
	if ap, err := netip.ParseAddrPort(req.RemoteAddr); err == nil {
		r.RemoteAddr, r.RemotePort = remoteHost(req.RemoteAddr, ap), int(ap.Port())
	}
	return r
}

// remoteHost is $remote_addr: the address as netip writes it, which for
// a plain IPv4 peer is the text before the port, so no new string is
// needed.
func remoteHost(remoteAddr string, ap netip.AddrPort) string {
	if a := ap.Addr(); a.Is4() {
		if i := strings.LastIndexByte(remoteAddr, ':'); i > 0 {
			return remoteAddr[:i]
		}
	}
	return ap.Addr().Unmap().String()
}

// serve answers a decided request and returns what that came to: the
// upstream peer used, and whether its response was cut short.
func (h *handler) serve(rt *routes, w http.ResponseWriter, req *http.Request, r Request, d *Decision, body io.Reader) outcome {
	if d.paused() {
		// An error page or X-Accel-Redirect decided while serving
		// reached a location that limits requests or asks the auth
		// service again.
		if d = h.resume(rt, w, req, r, d); d.paused() {
			h.respond(w, req, d, 500) // asked without end
			return outcome{}
		}
	}
	for _, v := range d.AuthHeaders {
		w.Header().Add("WWW-Authenticate", v)
	}
	switch {
	case d.Close:
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
				return outcome{}
			}
		}
		// An HTTP/2 stream cannot be hijacked: it is reset, as nginx
		// resets it.
		return outcome{cut: true}
	case d.Status != 0:
		h.respond(w, req, d, d.Status)
		return outcome{}
	case d.File != "":
		h.serveFile(w, req, d)
		return outcome{}
	case d.Handler == nil:
		h.respond(w, req, d, 404)
		return outcome{}
	case d.Handler.Kind == HandleProxy && d.Upstream != nil:
		return h.proxy(rt, w, req, r, d, body)
	case d.Handler.Kind == HandleUWSGI && d.Upstream != nil:
		return h.uwsgi(rt, w, req, r, d, body)
	case d.Handler.Kind == HandleStub:
		w.Header().Set("Content-Type", "text/plain")
		h.writeResponse(w, req, d, http.StatusOK, h.g.conns.counts().stubStatus())
		return outcome{}
	}
	// fastcgi_pass, scgi_pass, grpc_pass, memcached_pass: not served yet.
	// The page says so, naming the directive, instead of a bare 502.
	at := d.Handler.Directive.Pos.String()
	h.g.log.Warn("handler not served yet", "directive", d.Handler.Kind, "at", at)
	page := errorPage(502, h.serverHeader(d))
	note := fmt.Sprintf("Berth does not serve %s yet (%s %s at %s)", d.Handler.Kind, d.Handler.Kind, d.Handler.Target, at)
	page = []byte(strings.Replace(string(page), "<hr>", "<center>"+htmlEscape.Replace(note)+"</center>\r\n<hr>", 1))
	w.Header().Set("Content-Type", "text/html")
	h.writeResponse(w, req, d, 502, page)
	return outcome{}
}

// respond sends a response nginx makes itself: return's text, a
// redirect, or nginx's own page for the status.
func (h *handler) respond(w http.ResponseWriter, req *http.Request, d *Decision, status int) {
	hdr := w.Header()
	var body []byte
	switch {
	case d.Body != "" && !isRedirect(status):
		body = []byte(d.Body)
		// ngx_http_send_response types the text by the URI's extension,
		// unless a type is set (an X-Accel-Redirect's upstream's).
		if hdr.Get("Content-Type") == "" {
			hdr.Set("Content-Type", contentType(d.Conf, d.URI))
		}
	case status >= 300:
		body = errorPage(status, h.serverHeader(d))
		if body != nil {
			hdr.Set("Content-Type", "text/html")
		}
	}
	h.writeResponse(w, req, d, status, body)
}

// writeResponse sends status and body with the headers nginx adds.
func (h *handler) writeResponse(w http.ResponseWriter, req *http.Request, d *Decision, status int, body []byte) {
	hdr := w.Header()
	if d.Redirect != "" {
		hdr.Set("Location", d.Redirect)
	}
	hdr.Set("Server", h.serverHeader(d)) // nginx's own, and any add_header Server too
	h.headerFilter(w, d, status, nil)
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if req.Method != "HEAD" && status != 204 && status != 304 {
		w.Write(body)
	}
}

func isRedirect(status int) bool {
	switch status {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// readLimited reads a body whose size is unknown, up to limit (0: none).
// closesAfter reports whether nginx ends the connection with the answer
// to its served-th request (ngx_http_update_location_config):
// keepalive_timeout 0, or keepalive_requests (1000 by default) served.
// Upgrades are the caller's to leave alone: their connection becomes
// the tunnel.
func closesAfter(c *Conf, served uint64) bool {
	if c == nil {
		return false
	}
	limit := settingOnce(c, "keepalive_requests", func() uint64 {
		if keepaliveTimeout(c) == 0 {
			return 0
		}
		if d := c.Get("keepalive_requests"); d != nil {
			if n, err := strconv.ParseUint(d.Args[0], 10, 64); err == nil {
				return n
			}
		}
		return 1000
	})
	return served >= limit
}

// discardArrived reads and drops the part of a body that has arrived,
// without waiting for more, as ngx_http_discard_request_body reads
// before nginx answers (the rest is dropped after the answer, or the
// connection closes). It reports whether what arrived is broken.
func discardArrived(w http.ResponseWriter, body io.Reader) (broken bool) {
	rc := http.NewResponseController(w)
	if rc.SetReadDeadline(time.Now()) != nil {
		return false
	}
	defer rc.SetReadDeadline(time.Time{})
	_, err := io.Copy(io.Discard, body)
	return err != nil && !clientGone(err)
}

// clientGone tells a body read that failed because the client went
// away (or stopped sending) from a body that is malformed.
func clientGone(err error) bool {
	var ne net.Error
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &ne)
}

func readLimited(r io.Reader, limit int64) (buf []byte, tooBig bool, err error) {
	if limit <= 0 {
		buf, err = io.ReadAll(r)
		return buf, false, err
	}
	buf, err = io.ReadAll(io.LimitReader(r, limit+1))
	return buf, int64(len(buf)) > limit, err
}

// countingWriter remembers the status and counts body bytes for the
// access log.
type countingWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	// rt are the routes the request is counted on (Gateway.acquire),
	// until release: at its end, or once it hijacks the connection (a
	// websocket tunnel may stay open for hours, and would hold every
	// route change for drainLimit).
	rt *routes
	// held are the limit_conn places the request holds until it ends.
	held []func()
	// conf is where the request was decided, for send_timeout, read
	// once an answer is long enough to need it; deadlineSet is when
	// the write deadline was last renewed.
	conf        *Conf
	deadlineSet time.Time
}

// sendWatchFrom is how much of an answer goes out before send_timeout is
// watched: less fits the socket's buffers.
const sendWatchFrom = 64 << 10

// giveBack returns the limit_conn places the request held.
func (c *countingWriter) giveBack() {
	for _, f := range c.held {
		f()
	}
	c.held = nil
}

// release stops counting the request on its routes; later calls do
// nothing.
func (c *countingWriter) release() {
	if c.rt != nil {
		c.rt.inflight.Add(-1)
		c.rt = nil
	}
}

func (c *countingWriter) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = 200
	}
	if c.bytes >= sendWatchFrom {
		// send_timeout: a client that stops reading a long answer is
		// cut off once a write has waited that long. The deadline is
		// renewed at most once a second; an answer that fits the
		// socket's buffers never waits, so never needs one. net/http
		// clears it once the answer's last bytes are out.
		if now := time.Now(); now.Sub(c.deadlineSet) > time.Second {
			if t := timeoutSetting(c.conf, "send_timeout", 60*time.Second); t > 0 {
				http.NewResponseController(c.ResponseWriter).SetWriteDeadline(now.Add(t))
				c.deadlineSet = now
			}
		}
	}
	n, err := c.ResponseWriter.Write(p)
	c.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach Flush and Hijack.
func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// Hijack passes the connection through for `return 444` and websockets;
// a hijacked request no longer holds route changes.
func (c *countingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(c.ResponseWriter).Hijack()
	if err == nil {
		c.release()
	}
	return conn, brw, err
}

// accessLog writes one line per request through hclog, with the labels
// of server and location the table made once; the line is not built when
// info lines are not written.
func (h *handler) accessLog(rt *routes, req *http.Request, d *Decision, upstream string, w *countingWriter, dur time.Duration) {
	if !h.g.log.IsInfo() {
		return
	}
	args := make([]any, 0, 16)
	args = append(args, "method", methodArg(req.Method), "uri", req.RequestURI, "status", w.status, "bytes", w.bytes,
		"duration", dur.Round(time.Microsecond).String())
	if s := d.Server.Server; s != nil {
		labels, ok := rt.stats.logLabels[routeKey{s, d.Location}]
		if !ok { // an `if` block's location, say
			labels = routeLabels(s, d.Location)
		}
		args = append(args, "server", labels[0])
		if labels[1] != nil {
			args = append(args, "location", labels[1])
		}
	} else if d.Location != nil {
		args = append(args, "location", withPos(d.Location.Label(), d.Location.Pos))
	}
	if upstream != "" {
		args = append(args, "upstream", upstream)
	}
	h.g.log.Info("request", args...)
}

// The usual methods as log arguments, boxed once rather than per line.
var (
	argGET, argHEAD, argPOST any = "GET", "HEAD", "POST"
)

func methodArg(m string) any {
	switch m {
	case "GET":
		return argGET
	case "HEAD":
		return argHEAD
	case "POST":
		return argPOST
	}
	return m
}

// defaultServerVersion and defaultServerHeader are the Server header of
// the usual version, made once rather than on every response.
var defaultServerVersion, defaultServerHeader = DefaultNginxVersion, "nginx/" + DefaultNginxVersion.String()

// serverHeader is the Server header nginx of the mirrored version sends
// (and the tail of its error pages): just "nginx" under server_tokens
// off where the response is made.
func (h *handler) serverHeader(d *Decision) string {
	if d.Conf != nil && !serverTokensFor(d.Conf) {
		return "nginx"
	}
	if v := h.g.opts.Version.OrDefault(); v != defaultServerVersion {
		return "nginx/" + v.String()
	}
	return defaultServerHeader
}

// serverTokensFor is server_tokens: on (or build, the same for Debian's
// nginx, built with no build name) unless off.
func serverTokensFor(c *Conf) bool {
	return settingOnce(c, "server_tokens", func() bool {
		d := c.Get("server_tokens")
		return d == nil || d.Args[0] != "off"
	})
}

// withPos is "what (file:line)", built without fmt: it runs for every
// request.
func withPos(what string, p nginx.Pos) string {
	return what + " (" + p.File + ":" + strconv.Itoa(p.Line) + ")"
}

func displayServer(s *Server) string {
	if n := s.FirstName(); n != "" {
		return n
	}
	return `""`
}

// filterConf is the configuration the response filters read.
func filterConf(d *Decision) *Conf {
	if d.Conf != nil {
		return d.Conf
	}
	if d.Server.Server != nil {
		return d.Server.Server.Conf
	}
	return nil
}

// htmlEscape escapes what a config path may hold for an HTML page.
var htmlEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
