package gateway

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
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
func (h *handler) uwsgi(rt *routes, w http.ResponseWriter, req *http.Request, r Request, d *Decision, body io.Reader) outcome {
	u := d.Upstream
	if u.NoBody {
		body = nil
	}
	// nginx reads a body up to bodyInMemory into memory before it
	// connects and sends it with the packet in one write: an application
	// that answers without reading the body (many Django views) never
	// meets a half-sent request. So does Berth; larger bodies stream.
	small := int64(0)
	if n := r.bodyLength(); body != nil && n > 0 && n <= bodyInMemory {
		small = n
	}
	// One buffer for the packet and a small body.
	packet := make([]byte, 0, uwsgi.PairsSize(u.Vars)+int(small))
	packet, err := uwsgi.AppendPairs(packet, modifier(d.Conf, "uwsgi_modifier1"), modifier(d.Conf, "uwsgi_modifier2"), u.Vars)
	if err != nil {
		h.g.log.Error("uwsgi request is too big", "upstream", u.Upstream.Name, "error", err)
		h.respond(w, req, d, 502)
		return outcome{}
	}
	var inPacket []byte // a small body, sent with the packet
	if small > 0 {
		n := len(packet)
		packet = packet[:n+int(small)]
		if _, err := io.ReadFull(body, packet[n:]); err != nil {
			return outcome{cut: true} // the client went away or fell silent: close
		}
		inPacket, body = packet[n:], nil
	}
	connectTimeout := timeoutSetting(d.Conf, "uwsgi_connect_timeout", 60*time.Second)
	readTimeout := timeoutSetting(d.Conf, "uwsgi_read_timeout", 60*time.Second)
	bufSize := 4096
	if b := d.Conf.Get("uwsgi_buffer_size"); b != nil {
		if n, err := ParseSize(b.Args[0]); err == nil && n > 0 {
			bufSize = int(n)
		}
	}
	rb := newReplayBody(body)
	// again is the body for where an upstream's answer sends the request.
	again := func() io.Reader {
		if inPacket != nil {
			return bytes.NewReader(inPacket)
		}
		return rb.again()
	}
	connect := h.connector(rt, d, "uwsgi", connectTimeout)
	var further outcome
	o := h.tryUpstream(rt, w, req, d, "uwsgi", rb, func(addr Addr, name string, next func(int) bool) (bool, error) {
		began := time.Now()
		conn, err := connect.connect(addr)
		if err != nil {
			return false, err
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(readTimeout))
		if _, err := conn.Write(packet); err != nil {
			return true, err
		}
		if b := rb.reader(); b != nil && requestHasBody(r) {
			if _, err := io.Copy(conn, b); err != nil {
				return true, err
			}
		}
		br := newUpstreamReader(conn)
		defer releaseUpstreamReader(br) // nothing reads it once this returns
		head, err := uwsgi.ReadResponseHeadLimit(br, bufSize)
		if err != nil {
			return true, answerError(err)
		}
		var hdr http.Header // made only for whoever reads it
		upHeader := func() http.Header {
			if hdr == nil {
				hdr = http.Header{}
				for _, kv := range head.Headers {
					hdr.Add(kv.Name, kv.Value)
				}
			}
			return hdr
		}
		if rec, ok := w.(upstreamRecorder); ok {
			rec.upstreamAnswered(head.Status, upHeader())
		}
		if next(head.Status) {
			return true, errNextUpstream(head.Status)
		}
		if page, ok := h.interceptErrors(rt, w, req, r, d, "uwsgi_intercept_errors", head.Status, head.Values, again); ok {
			further = page
			return true, nil
		}
		if target, ok := accelTarget(d, "uwsgi_ignore_headers", head.Get); ok {
			further = h.accelRedirect(rt, w, req, r, d, target, head.Values, again)
			return true, nil
		}
		rules := headerRulesFor(d.Conf, "uwsgi")
		relayUWSGIHeaders(w.Header(), head.Headers, rules)
		setServer(w.Header(), rules, h.serverHeader(d))
		status := head.Status
		if d.OverrideStatus != 0 {
			status = d.OverrideStatus
		}
		var seen *upstreamSeen
		if d.readsResponse() {
			seen = &upstreamSeen{addr: name, status: head.Status, header: upHeader(), took: time.Since(began)}
		}
		h.headerFilter(w, d, status, seen)
		w.WriteHeader(status)
		n := head.BodyLength(req.Method)
		if n == 0 {
			return true, nil
		}
		var src io.Reader = &deadlineReader{conn: conn, buf: br, r: br, timeout: readTimeout}
		if n > 0 {
			src = &lengthReader{r: src, left: n}
		}
		if err := copyBody(w, src); err != nil {
			return true, fmt.Errorf("%w: %v", errResponseStarted, err)
		}
		return true, nil
	})
	return o.and(further)
}

func modifier(c *Conf, name string) byte {
	if d := c.Get(name); d != nil {
		if n, err := strconv.Atoi(d.Args[0]); err == nil && n >= 0 && n < 256 {
			return byte(n)
		}
	}
	return 0
}

// relayUWSGIHeaders adds the application's response headers nginx passes
// on to out, as out.Add would, but with the values of headers named once
// sharing one backing array: Add made a slice per header.
func relayUWSGIHeaders(out http.Header, headers []uwsgi.Header, rules headerRules) {
	vals := make([]string, 0, len(headers))
	for _, hd := range headers {
		if rules.hidden(hd.Name) {
			continue
		}
		key := textproto.CanonicalMIMEHeaderKey(hd.Name)
		if prev, ok := out[key]; ok {
			out[key] = append(prev, hd.Value)
			continue
		}
		vals = append(vals, hd.Value)
		out[key] = vals[len(vals)-1 : len(vals) : len(vals)]
	}
}

// lengthReader reads a body of a known length: io.LimitReader, but an
// end before the length is io.ErrUnexpectedEOF, an upstream failure
// (nginx's "upstream prematurely closed connection"), not the body's end.
type lengthReader struct {
	r    io.Reader
	left int64
}

func (l *lengthReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if err == io.EOF && l.left > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}
