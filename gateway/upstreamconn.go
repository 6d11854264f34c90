package gateway

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/berth-dev/berth/gateway/balance"
)

// tryUpstream is nginx's upstream loop shared by proxy_pass and
// uwsgi_pass: pick a peer, exchange, and move on to the next peer as
// proxy_next_upstream (or uwsgi_next_upstream) says: on an error or a
// timeout before the response started, or on an answer whose status it
// lists, within its tries and timeout, and for a request whose body was
// sent with POST, LOCK or PATCH only with non_idempotent
// (ngx_http_upstream_next, ngx_http_upstream_test_next). exchange returns
// sent=true once any of the request reached the peer; name is
// addr.String(), made once. It calls next with the upstream's status
// before it answers the client: true means leave this answer for the next
// peer (exchange then returns errNextUpstream). body is the request
// body the attempts share; one that cannot be sent again keeps a request
// that was sent from moving on.
func (h *handler) tryUpstream(rt *routes, w http.ResponseWriter, req *http.Request, d *Decision, module string, body *replayBody,
	exchange func(addr Addr, name string, next func(status int) bool) (sent bool, err error)) outcome {
	u := d.Upstream
	if t, ok := rt.targets[u.Upstream]; ok && t.Down != "" {
		h.unavailable(w, req, d, t)
		return outcome{}
	}
	if u.Upstream.NoResolver {
		h.g.log.Error("no resolver defined to resolve "+u.Upstream.Servers[0].Addr.Host, "upstream", u.Upstream.Name)
		return h.fail(rt, w, req, d, 502)
	}
	pool := rt.pool(u.Upstream)
	client := d.clientAddr(req)
	cfg := nextUpstreamFor(d.Conf, module)
	att := pool.Begin(client, u.HashKey)
	att.LimitTries(cfg.tries)
	start := time.Now()
	nonIdempotent := !idempotent(req.Method)
	// retry is ngx_http_upstream_next's test for a failure of kind ft
	// once the peer is freed (more: tries left), after the request was
	// sent or not.
	retry := func(ft int, sent, more bool) bool {
		if sent && nonIdempotent {
			ft |= ftNonIdempotent
		}
		return more && cfg.mask&ft == ft && (cfg.timeout == 0 || time.Since(start) < cfg.timeout) &&
			(!sent || body.resendable())
	}
	// next is ngx_http_upstream_test_next, for an answer's status while
	// its peer still holds a try.
	next := func(status int) bool {
		ft := statusFailure(status)
		return ft != 0 && retry(ft, true, att.Left() > 1)
	}
	status := 502
	var last string
	began := time.Now()
	// note keeps a failed try for the variables that list every peer
	// ($upstream_addr, $upstream_status), shared with the error page
	// the failure may lead to.
	note := func(status int, answered bool) {
		if d.tried == nil {
			d.tried = new([]triedPeer)
		}
		t := triedPeer{addr: last, status: status, took: time.Since(began), header: -1}
		if answered {
			t.header = t.took
		}
		*d.tried = append(*d.tried, t)
		began = time.Now()
	}
	failed := func() outcome {
		o := h.fail(rt, w, req, d, status)
		if o.upstream == "" {
			o.upstream = last
		}
		return o
	}
	for {
		i, ok := att.Next()
		if !ok {
			if last == "" || att.Left() > 0 {
				// No live peer (not no try left): nginx counts a
				// try of the upstream itself, under its name.
				h.g.log.Warn("no live upstreams", "upstream", u.Upstream.Name)
				last = u.Upstream.Name
				note(502, false)
			}
			return failed()
		}
		addr := pool.addrs[i]
		last = pool.names[i]
		sent, err := exchange(addr, last, next)
		if err == nil {
			att.Done(false)
			return outcome{upstream: last}
		}
		if isClientBodyError(err) {
			// The client's fault, not the peer's: nginx would not have
			// called the peer before the body was read.
			h.g.log.Debug("the client's body failed", "error", err)
			att.Done(false)
			return outcome{upstream: last, cut: true}
		}
		var answered errNextUpstream
		if errors.As(err, &answered) {
			// http_403 and http_404 move on without counting against
			// the peer (NGX_PEER_NEXT); the others are failures. next
			// made sure a try is left.
			h.g.log.Warn("upstream answered "+strconv.Itoa(int(answered))+", trying the next", "upstream", u.Upstream.Name, "address", last)
			note(int(answered), true)
			status = 502
			if answered == 504 {
				status = 504
			}
			att.Done(answered != 403 && answered != 404)
			continue
		}
		if errors.Is(err, errResponseStarted) {
			// Once the answer has begun, nginx ends the request
			// without counting a failure (ngx_http_upstream_finalize_request
			// frees the peer with state 0), whoever broke off: often the
			// client, gone or too slow for send_timeout.
			h.g.log.Warn("the answer broke off", "upstream", u.Upstream.Name, "address", last, "error", err)
			att.Done(false)
			return outcome{upstream: last, cut: true}
		}
		h.g.log.Warn("upstream failed", "upstream", u.Upstream.Name, "address", last, "error", err)
		ft := ftError
		status = 502
		var invalid invalidHeader
		switch {
		case isTimeout(err):
			status, ft = 504, ftTimeout
		case errors.As(err, &invalid):
			ft = ftInvalidHeader
		}
		more := att.Done(true)
		note(status, false)
		if !retry(ft, sent, more) {
			return failed()
		}
	}
}

// invalidHeader is an upstream answer that could not be read as one
// (NGX_HTTP_UPSTREAM_INVALID_HEADER: a malformed status line or header,
// a head too big): proxy_next_upstream's invalid_header, which its
// default does not list, where a connection that failed is error.
type invalidHeader struct{ err error }

func (e invalidHeader) Error() string { return "upstream sent an invalid header: " + e.err.Error() }
func (e invalidHeader) Unwrap() error { return e.err }

// answerError classes an error reading an upstream's answer head: the
// connection's (closed, reset, timed out) as it is, any other as
// invalidHeader.
func answerError(err error) error {
	var ne net.Error
	var se *os.SyscallError
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) || errors.As(err, &se) {
		return err
	}
	return invalidHeader{err}
}

// errNextUpstream is an upstream's answer left for the next peer: its
// status.
type errNextUpstream int

func (e errNextUpstream) Error() string { return "upstream answered " + strconv.Itoa(int(e)) }

// Failure kinds of proxy_next_upstream (NGX_HTTP_UPSTREAM_FT_*).
const (
	ftError = 1 << iota
	ftTimeout
	ftInvalidHeader
	ftHTTP500
	ftHTTP502
	ftHTTP503
	ftHTTP504
	ftHTTP403
	ftHTTP404
	ftHTTP429
	ftNonIdempotent
)

var nextUpstreamFlags = map[string]int{
	"error": ftError, "timeout": ftTimeout, "invalid_header": ftInvalidHeader,
	"http_500": ftHTTP500, "http_502": ftHTTP502, "http_503": ftHTTP503, "http_504": ftHTTP504,
	"http_403": ftHTTP403, "http_404": ftHTTP404, "http_429": ftHTTP429, "non_idempotent": ftNonIdempotent,
}

// statusFailure is the failure kind an upstream status is
// (ngx_http_upstream_next_errors), 0 for none.
func statusFailure(status int) int {
	switch status {
	case 500:
		return ftHTTP500
	case 502:
		return ftHTTP502
	case 503:
		return ftHTTP503
	case 504:
		return ftHTTP504
	case 403:
		return ftHTTP403
	case 404:
		return ftHTTP404
	case 429:
		return ftHTTP429
	}
	return 0
}

// nextUpstream is a location's *_next_upstream, *_next_upstream_tries
// and *_next_upstream_timeout.
type nextUpstream struct {
	mask    int
	tries   int           // 0: every peer
	timeout time.Duration // 0: none
}

// nextUpstreamFor reads them for module ("proxy", "uwsgi"); nginx's
// default is error and timeout.
func nextUpstreamFor(c *Conf, module string) nextUpstream {
	return settingOnce(c, module+"_next_upstream", func() nextUpstream { return readNextUpstream(c, module) })
}

func readNextUpstream(c *Conf, module string) nextUpstream {
	n := nextUpstream{mask: ftError | ftTimeout}
	if d := c.Get(module + "_next_upstream"); d != nil {
		n.mask = 0
		for _, a := range d.Args {
			n.mask |= nextUpstreamFlags[a] // "off" is none
		}
	}
	if d := c.Get(module + "_next_upstream_tries"); d != nil {
		n.tries, _ = strconv.Atoi(d.Args[0])
	}
	n.timeout = timeoutSetting(c, module+"_next_upstream_timeout", 0)
	return n
}

// fail answers an upstream failure: the error_page decision Match made
// for that status, or nginx's page.
func (h *handler) fail(rt *routes, w http.ResponseWriter, req *http.Request, d *Decision, status int) outcome {
	if ed := d.OnUpstreamError[status]; ed != nil {
		ed.tried = d.tried // the page's variables still list the peers tried
		return h.serve(rt, w, req, h.request(req), ed, nil)
	}
	if rt.outside[d.Upstream.Upstream] && status == 502 {
		h.outsidePage(w, req, d)
		return outcome{}
	}
	h.respond(w, req, d, status)
	return outcome{}
}

// outcome is what serving a decision came to, for the access log and
// for how the response ends.
type outcome struct {
	upstream string // the peer that answered last; "" when none was tried
	// cut: the upstream failed after its response began, so the
	// client's response must end unfinished, as nginx ends it: the
	// connection closes without a last chunk or the rest of a
	// Content-Length, and the client can tell the body is incomplete.
	cut bool
}

// and adds what serving the request on somewhere else came to: a cut
// there cuts this response.
func (o outcome) and(further outcome) outcome {
	o.cut = o.cut || further.cut
	return o
}

// errResponseStarted: the upstream failed after its response began to
// reach the client; nothing more can be sent.
var errResponseStarted = errors.New("upstream failed after the response started")

func idempotent(method string) bool {
	switch method {
	case "POST", "LOCK", "PATCH":
		return false
	}
	return true
}

// isTimeout tells a timeout of the gateway's own (proxy_connect_timeout,
// proxy_read_timeout: nginx's 504) from an error the system reported
// (502), though Go's net.Error calls some of those timeouts too: EAGAIN
// from a unix socket's full backlog, ETIMEDOUT from the kernel.
func isTimeout(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded)
}

// dialNet connects to a peer within the connect timeout with Go's
// net.Dialer: dialUpstream on systems other than Linux, and on Linux for
// host names, which need Go's resolver. Like nginx (proxy_socket_keepalive
// off), it asks for no TCP keepalive probes, which also spares every new
// connection Go's three setsockopt calls for them.
func dialNet(a Addr, timeout time.Duration) (net.Conn, error) {
	network, address := a.Dial()
	d := net.Dialer{Timeout: timeout, KeepAlive: -1}
	return d.Dial(network, address)
}

// timeoutSetting reads a time directive (proxy_read_timeout and such).
func timeoutSetting(c *Conf, name string, def time.Duration) time.Duration {
	if c != nil {
		if d := c.Get(name); d != nil {
			if t, err := ParseDuration(d.Args[0]); err == nil {
				return t
			}
		}
	}
	return def
}

// hiddenResponseHeaders are what nginx does not pass from an upstream's
// response: hop-by-hop headers and those it makes itself
// (ngx_http_proxy_hide_headers, ngx_http_upstream_headers_in).
func hiddenResponseHeader(name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return hiddenResponseHeaderUnicode(name)
		}
	}
	// ASCII: EqualFold compares as ToLower would, without a copy.
	for _, h := range hiddenResponseHeaders {
		if strings.EqualFold(name, h) {
			return true
		}
	}
	return false
}

var hiddenResponseHeaders = []string{"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te",
	"trailer", "upgrade", "date", "server", "x-pad", "status",
	"x-accel-expires", "x-accel-redirect", "x-accel-limit-rate", "x-accel-buffering", "x-accel-charset"}

// passableHeaders are the hidden ones that *_pass_header can let through:
// the hide list nginx starts from (ngx_http_proxy_hide_headers), where
// hop-by-hop headers never pass.
var passableHeaders = []string{"date", "server", "x-pad",
	"x-accel-expires", "x-accel-redirect", "x-accel-limit-rate", "x-accel-buffering", "x-accel-charset"}

// headerRules are a location's *_hide_header and *_pass_header lines
// (array directives: the innermost level that sets any).
type headerRules struct {
	hide, pass []string
}

func headerRulesFor(c *Conf, module string) headerRules {
	return settingOnce(c, module+"_hide_header", func() headerRules { return readHeaderRules(c, module) })
}

func readHeaderRules(c *Conf, module string) headerRules {
	var r headerRules
	for _, d := range c.List(module + "_hide_header") {
		r.hide = append(r.hide, d.Args[0])
	}
	for _, d := range c.List(module + "_pass_header") {
		r.pass = append(r.pass, d.Args[0])
	}
	return r
}

// hidden tells whether an upstream's response header stays back
// (ngx_http_upstream_hide_headers_hash): nginx's own list and the hide
// lines, less the pass lines, which can free only what nginx hides by
// default.
func (r headerRules) hidden(name string) bool {
	if !hiddenResponseHeader(name) {
		return containsFold(r.hide, name)
	}
	return !(containsFold(r.pass, name) && containsFold(passableHeaders, name))
}

// hiddenResponseHeaderUnicode is the rule for names with non-ASCII bytes
// (which uwsgi answers may carry), by Unicode lower case as before.
func hiddenResponseHeaderUnicode(name string) bool {
	return slices.Contains(hiddenResponseHeaders, strings.ToLower(name))
}

// copyBody streams an upstream body to the client, flushing each read so
// server-sent events and chunked replies arrive as they are written.
func copyBody(w http.ResponseWriter, r io.Reader) error {
	rc := http.NewResponseController(w)
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	buf := *bp
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return werr
			}
			rc.Flush()
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// copyBufs recycles copyBody's buffers: a fresh 32 KiB per response was
// most of what the gateway allocated, and clearing and collecting it cost
// more CPU than the copying.
var copyBufs = sync.Pool{New: func() any {
	b := make([]byte, 32*1024)
	return &b
}}

// upstreamReaders recycles the read buffers of upstream connections: with
// nginx's default of a new connection per request, each request made a
// fresh 4 KiB one.
var upstreamReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4096) }}

// newUpstreamReader is bufio.NewReader(c) from the pool.
func newUpstreamReader(c net.Conn) *bufio.Reader {
	br := upstreamReaders.Get().(*bufio.Reader)
	br.Reset(c)
	return br
}

// releaseUpstreamReader gives br back once its connection is closed and
// nothing reads from it any more.
func releaseUpstreamReader(br *bufio.Reader) {
	br.Reset(nil)
	upstreamReaders.Put(br)
}

// balanceKey keeps the import of the balance package next to its use.
var _ balance.Method
