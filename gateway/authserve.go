package gateway

import (
	"net/http"
)

// maxAuthRounds bounds the auth_request subrequests one request makes:
// each internal redirect into a location with auth_request makes one
// more, and nginx's own bound on internal redirects is ten.
const maxAuthRounds = 11

// authorize runs the auth_request subrequests a decision waits on and
// returns the decision to serve once they have answered. The
// subrequest's response goes nowhere: only its status and headers count.
func (h *handler) authorize(rt *routes, req *http.Request, r Request, d *Decision) *Decision {
	var sreq *http.Request
	for i := 0; d.Auth != nil && i < maxAuthRounds; i++ {
		if d.Auth.Sub.Close {
			return d.Auth.Continue(AuthAnswer{})
		}
		if sreq == nil {
			sreq = subrequestOf(req)
		}
		sw := &subrequestWriter{header: http.Header{}}
		h.serve(rt, sw, sreq, r, d.Auth.Sub, nil) // no body, but the request's Content-Length
		if sw.status == 0 {
			sw.status = http.StatusInternalServerError // it ended without an answer
		}
		d = d.Auth.Continue(AuthAnswer{Status: sw.status, Header: sw.header, UpstreamStatus: sw.upstreamStatus, Upstream: sw.upstream})
	}
	return d
}

// subrequestOf is the request as an auth subrequest is served: a GET
// (ngx_http_subrequest) with the client's headers but no body, and
// without the conditional and range headers, whose filters leave
// subrequests alone.
func subrequestOf(req *http.Request) *http.Request {
	sreq := req.Clone(req.Context())
	sreq.Method, sreq.Body, sreq.ContentLength = http.MethodGet, http.NoBody, 0
	for _, k := range append(conditionalHeaders, "Range", "If-Range") {
		sreq.Header.Del(k)
	}
	return sreq
}

// subrequestWriter takes an auth_request subrequest's response: its
// status and headers, the upstream's own headers when one answered, and
// no body (nginx makes the subrequest header_only).
type subrequestWriter struct {
	header         http.Header
	status         int
	upstreamStatus int
	upstream       http.Header
}

func (w *subrequestWriter) Header() http.Header { return w.header }

func (w *subrequestWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *subrequestWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(p), nil
}

// upstreamAnswered records the upstream's status and headers as they
// arrived, before any were hidden: $upstream_status and
// $upstream_http_* for auth_request_set.
func (w *subrequestWriter) upstreamAnswered(status int, header http.Header) {
	w.upstreamStatus, w.upstream = status, header
}

// upstreamRecorder is a response writer that wants the upstream's answer
// as it arrived.
type upstreamRecorder interface {
	upstreamAnswered(status int, header http.Header)
}
