package gateway

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// proxy serves a proxy_pass decision: an HTTP/1.0 (or proxy_http_version)
// request written exactly as Decision.Upstream says, the response relayed
// as it arrives.
func (h *handler) proxy(rt *routes, w http.ResponseWriter, req *http.Request, r Request, d *Decision, body io.Reader) outcome {
	u := d.Upstream
	connectTimeout := timeoutSetting(d.Conf, "proxy_connect_timeout", 60*time.Second)
	readTimeout := timeoutSetting(d.Conf, "proxy_read_timeout", 60*time.Second)
	head := h.proxyHead(d, r)
	var idle *idlePool
	if n := keepaliveFor(u, h.g.opts.Version.OrDefault()); n > 0 {
		idle = rt.idleFor(u.Upstream, n*max(rt.table.Workers, 1))
	}
	switch {
	case u.SetBody != nil && *u.SetBody != "":
		body = strings.NewReader(*u.SetBody)
	case u.SetBody != nil, u.NoBody, !requestHasBody(r):
		body = nil // nothing to send after the head
	}
	rb := newReplayBody(body)
	connect := h.connector(rt, d, "proxy", connectTimeout)
	var further outcome // where an upstream's answer sent the request on
	o := h.tryUpstream(rt, w, req, d, "proxy", rb, func(addr Addr, name string, next func(int) bool) (bool, error) {
		began, key := time.Now(), name
		if u.TLS != nil {
			key = "tls " + name // kept apart from plain connections to the same peer
		}
		conn, br, resp, sent, err := h.roundTrip(idle, addr, key, connect, readTimeout, head, rb.reader(), r, u.Method)
		if err != nil {
			return sent, err
		}
		if rec, ok := w.(upstreamRecorder); ok {
			rec.upstreamAnswered(resp.StatusCode, resp.Header)
		}
		reusable := idle != nil && !resp.Close
		defer func() {
			if reusable {
				// Its deadline is left as it is: whoever takes it next
				// sets a new one before using it.
				idle.put(key, idleConn{conn: conn, br: br})
			} else {
				conn.Close()
				releaseUpstreamReader(br)
			}
		}()
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusSwitchingProtocols {
			reusable = false
			return true, h.tunnel(w, resp, conn, br)
		}
		// As ngx_http_upstream_process_header and _process_headers
		// take them: the next peer, an error page, X-Accel-Redirect.
		if next(resp.StatusCode) {
			reusable = false
			return true, errNextUpstream(resp.StatusCode)
		}
		if page, ok := h.interceptErrors(rt, w, req, r, d, "proxy_intercept_errors", resp.StatusCode, resp.Header.Values, rb.again); ok {
			reusable, further = false, page
			return true, nil
		}
		if target, ok := accelTarget(d, "proxy_ignore_headers", func(name string) (string, bool) {
			vs, ok := resp.Header[name]
			if !ok || len(vs) == 0 {
				return "", false
			}
			return vs[0], true
		}); ok {
			reusable = false
			further = h.accelRedirect(rt, w, req, r, d, target, resp.Header.Values, rb.again)
			return true, nil
		}
		h.relayHeaders(w, d, resp.Header, r)
		status := resp.StatusCode
		if d.OverrideStatus != 0 {
			status = d.OverrideStatus
		}
		var seen *upstreamSeen
		if d.readsResponse() {
			seen = &upstreamSeen{addr: name, status: resp.StatusCode, header: resp.Header, took: time.Since(began)}
		}
		h.headerFilter(w, d, status, seen)
		w.WriteHeader(status)
		if req.Method == "HEAD" {
			return true, nil
		}
		src := &deadlineReader{conn: conn, r: resp.Body, timeout: readTimeout}
		if len(resp.TransferEncoding) == 0 {
			// A chunked body's reader may read conn while br still
			// holds bytes (a chunk's head split across two reads):
			// it renews before every read.
			src.buf = br
		}
		if err := copyBody(w, src); err != nil {
			reusable = false
			return true, fmt.Errorf("%w: %v", errResponseStarted, err)
		}
		return true, nil
	})
	return o.and(further)
}

// roundTrip sends the request head and body (nil: none) to addr, on an idle
// keepalive connection kept under name when there is one (falling back
// to a new one if the idle one turns out closed), and reads the response
// head.
func (h *handler) roundTrip(idle *idlePool, addr Addr, name string, connect connector, readTimeout time.Duration, head []byte,
	body io.Reader, r Request, method string) (net.Conn, *bufio.Reader, *http.Response, bool, error) {
	if idle != nil {
		if c, ok := idle.get(name); ok {
			c.conn.SetDeadline(time.Now().Add(readTimeout))
			if _, err := c.conn.Write(head); err == nil && body == nil {
				if resp, err := http.ReadResponse(c.br, &http.Request{Method: method}); err == nil {
					return c.conn, c.br, resp, true, nil
				}
			} else if err == nil {
				// a body cannot be replayed on a fresh connection: use it
				_, err := io.Copy(c.conn, body)
				if err == nil {
					if resp, err := http.ReadResponse(c.br, &http.Request{Method: method}); err == nil {
						return c.conn, c.br, resp, true, nil
					}
				}
				c.close()
				if isClientBodyError(err) {
					return nil, nil, nil, true, err
				}
				return nil, nil, nil, true, fmt.Errorf("keepalive connection to %s failed", addr)
			}
			c.close()
		}
	}
	conn, err := connect.connect(addr)
	if err != nil {
		return nil, nil, nil, false, err
	}
	conn.SetDeadline(time.Now().Add(readTimeout))
	if _, err := conn.Write(head); err != nil {
		conn.Close()
		return nil, nil, nil, true, err
	}
	if body != nil {
		if _, err := io.Copy(conn, body); err != nil {
			conn.Close()
			return nil, nil, nil, true, err
		}
	}
	br := newUpstreamReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		conn.Close()
		releaseUpstreamReader(br)
		return nil, nil, nil, true, answerError(err)
	}
	return conn, br, resp, true, nil
}

// proxyHead is the request line and headers sent upstream.
func (h *handler) proxyHead(d *Decision, r Request) []byte {
	u := d.Upstream
	size := len(u.Method) + len(u.URI) + len(u.Proto) + 4 + len("Content-Length: 18446744073709551615\r\n\r\n")
	for _, kv := range u.Headers {
		size += len(kv[0]) + len(kv[1]) + 4
	}
	b := make([]byte, 0, size) // one allocation for the whole head
	b = append(append(append(append(append(b, u.Method...), ' '), u.URI...), ' '), u.Proto...)
	b = append(b, "\r\n"...)
	for _, kv := range u.Headers {
		b = append(append(append(append(b, kv[0]...), ": "...), kv[1]...), "\r\n"...)
	}
	n := r.bodyLength()
	if u.SetBody != nil {
		n = int64(len(*u.SetBody)) // $proxy_internal_body_length
	}
	if n >= 0 && !u.OwnLength {
		b = strconv.AppendInt(append(b, "Content-Length: "...), n, 10)
		b = append(b, "\r\n"...)
	}
	return append(b, "\r\n"...)
}

func requestHasBody(r Request) bool { return r.bodyLength() > 0 }

// relayHeaders copies an upstream's response headers nginx passes on, with
// proxy_redirect applied to Location and Refresh.
func (h *handler) relayHeaders(w http.ResponseWriter, d *Decision, from http.Header, r Request) {
	out := w.Header()
	rules := headerRulesFor(d.Conf, "proxy")
	for name, vals := range from {
		if rules.hidden(name) || len(vals) == 0 {
			continue
		}
		if name == "Location" || name == "Refresh" {
			for _, v := range vals {
				out.Add(name, h.proxyRedirect(d, name, v, r))
			}
			continue
		}
		if name == "Set-Cookie" {
			for _, v := range vals {
				out.Add(name, d.Upstream.rewriteSetCookie(v))
			}
			continue
		}
		// What out.Add would do value by value, with the upstream's own
		// slice (nothing reads the upstream's header after this; capped,
		// so that a later Add copies it).
		key := textproto.CanonicalMIMEHeaderKey(name)
		if prev, ok := out[key]; ok {
			out[key] = append(prev, vals...)
			continue
		}
		out[key] = vals[:len(vals):len(vals)]
	}
	setServer(out, rules, h.serverHeader(d))
}

// setServer sets nginx's Server header on an upstream's answer, unless
// proxy_pass_header (uwsgi_pass_header) Server passes the upstream's:
// then the upstream's is the one, or there is none.
func setServer(h http.Header, rules headerRules, server string) {
	if rules.hidden("Server") {
		h.Set("Server", server)
	}
}

// proxyRedirect rewrites an upstream's Location or Refresh header by the
// proxy_redirect rules (ngx_http_upstream_rewrite_location and
// _rewrite_refresh): a Location whole, a Refresh from its `url=` on
// (none: unchanged). Only a rewritten Location is made absolute, as
// nginx's header filter treats only that one as the response's Location:
// an upstream's own relative one passes unchanged.
func (h *handler) proxyRedirect(d *Decision, name, v string, r Request) string {
	if name == "Refresh" {
		at := refreshURL(v)
		if at < 0 {
			return v
		}
		out, _ := d.Upstream.rewriteRedirect(v, at)
		return out
	}
	out, ok := d.Upstream.rewriteRedirect(v, 0)
	if ok && strings.HasPrefix(out, "/") {
		return absoluteRedirect(out, r, d.Server.Server, d.Conf, d.Host)
	}
	return out
}

// tunnel completes a protocol switch (websockets): the 101 goes to the
// client, then bytes flow both ways until either side closes.
func (h *handler) tunnel(w http.ResponseWriter, resp *http.Response, up net.Conn, upBuf *bufio.Reader) error {
	rc := http.NewResponseController(w)
	client, cbuf, err := rc.Hijack()
	if err != nil {
		return err
	}
	defer h.g.conns.tunnelClosed(client)
	defer client.Close()
	up.SetDeadline(time.Time{})
	var head strings.Builder
	head.WriteString("HTTP/1.1 101 Switching Protocols\r\n")
	for name, vals := range resp.Header {
		for _, v := range vals {
			head.WriteString(name + ": " + v + "\r\n")
		}
	}
	head.WriteString("\r\n")
	if _, err := client.Write([]byte(head.String())); err != nil {
		return nil
	}
	done := make(chan struct{}, 2)
	go func() {
		io.Copy(up, cbuf) // client → upstream; ends when the client closes
		if cw, ok := up.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
		done <- struct{}{}
	}()
	io.Copy(client, upBuf) // upstream → client
	client.Close()
	<-done
	return nil
}

// deadlineReader renews the read timeout before every read of an
// upstream body that must wait on the connection, as proxy_read_timeout
// applies between two reads. A read that buf already holds needs none
// (most small responses arrive with their head), and the connection's
// deadline from sending the request still holds until a renewal.
type deadlineReader struct {
	conn net.Conn
	// buf is what r reads conn through, when r reads conn only once
	// buf is empty; nil renews before every read.
	buf     *bufio.Reader
	r       io.Reader
	timeout time.Duration
}

func (d *deadlineReader) Read(p []byte) (int, error) {
	if d.buf == nil || d.buf.Buffered() == 0 {
		d.conn.SetReadDeadline(time.Now().Add(d.timeout))
	}
	return d.r.Read(p)
}
