package gateway

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/berth-dev/berth/gateway/uwsgi"
)

// bodyInMemory is nginx's client_body_buffer_size on 64-bit systems (two
// pages): bodies up to it are read whole before the upstream is called.
const bodyInMemory = 16 << 10

// uwsgi serves a uwsgi_pass decision: the packet of vars Decision.Upstream
// lists, the request body, then the application's HTTP-style response
// relayed as it arrives. nginx never reuses uwsgi connections.
func (h *handler) uwsgi(rt *routes, w http.ResponseWriter, req *http.Request, r Request, d *Decision, body io.Reader) string {
	u := d.Upstream
	vars := make([]uwsgi.Var, len(u.Vars))
	for i, kv := range u.Vars {
		vars[i] = uwsgi.Var{Key: kv[0], Value: kv[1]}
	}
	packet, err := uwsgi.AppendPacket(nil, modifier(d.Conf, "uwsgi_modifier1"), modifier(d.Conf, "uwsgi_modifier2"), vars)
	if err != nil {
		h.g.log.Error("uwsgi request is too big", "upstream", u.Upstream.Name, "error", err)
		h.respond(w, req, d, 502)
		return ""
	}
	if n := r.bodyLength(); body != nil && n > 0 && n <= bodyInMemory {
		// nginx reads a body this small into memory before it connects
		// and sends it with the packet in one write: an application that
		// answers without reading the body (many Django views) never
		// meets a half-sent request. So does Berth; larger bodies stream.
		buf := make([]byte, len(packet)+int(n))
		copy(buf, packet)
		if _, err := io.ReadFull(body, buf[len(packet):]); err != nil {
			return "" // the client went away
		}
		packet, body = buf, nil
	}
	connectTimeout := timeoutSetting(d.Conf, "uwsgi_connect_timeout", 60*time.Second)
	readTimeout := timeoutSetting(d.Conf, "uwsgi_read_timeout", 60*time.Second)
	bufSize := 4096
	if b := d.Conf.Get("uwsgi_buffer_size"); b != nil {
		if n, err := ParseSize(b.Args[0]); err == nil && n > 0 {
			bufSize = int(n)
		}
	}
	return h.tryUpstream(rt, w, req, d, func(addr Addr, _ string) (bool, error) {
		conn, err := dialUpstream(addr, connectTimeout)
		if err != nil {
			return false, err
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(readTimeout))
		if _, err := conn.Write(packet); err != nil {
			return true, err
		}
		if body != nil && requestHasBody(r) {
			if _, err := io.Copy(conn, body); err != nil {
				return true, err
			}
		}
		br := newUpstreamReader(conn)
		defer releaseUpstreamReader(br) // nothing reads it once this returns
		head, err := uwsgi.ReadResponseHeadLimit(br, bufSize)
		if err != nil {
			return true, err
		}
		out := w.Header()
		for _, hd := range head.Headers {
			if !hiddenResponseHeader(hd.Name) {
				out.Add(hd.Name, hd.Value)
			}
		}
		out.Set("Server", h.serverHeader())
		status := head.Status
		if d.OverrideStatus != 0 {
			status = d.OverrideStatus
		}
		h.headerFilter(w, d, status)
		w.WriteHeader(status)
		n := head.BodyLength(req.Method)
		if n == 0 {
			return true, nil
		}
		var src io.Reader = &deadlineReader{conn: conn, r: br, timeout: readTimeout}
		if n > 0 {
			src = io.LimitReader(src, n)
		}
		conn.SetDeadline(time.Time{})
		if err := copyBody(w, src); err != nil {
			return true, fmt.Errorf("%w: %v", errResponseStarted, err)
		}
		return true, nil
	})
}

func modifier(c *Conf, name string) byte {
	if d := c.Get(name); d != nil {
		if n, err := strconv.Atoi(d.Args[0]); err == nil && n >= 0 && n < 256 {
			return byte(n)
		}
	}
	return 0
}
