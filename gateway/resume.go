package gateway

import (
	"net/http"
	"time"
)

// resume carries a paused decision on until it is whole: limit_req's
// buckets first (the preaccess phase), then auth_request's subrequest
// (the access phase), as often as the phases pause again.
func (h *handler) resume(rt *routes, w http.ResponseWriter, req *http.Request, r Request, d *Decision) *Decision {
	for i := 0; d.paused() && i < maxAuthRounds; i++ {
		switch {
		case d.Limit != nil:
			d = h.limit(req, d)
		case d.ConnLimit != nil:
			v, release := h.g.connLimiter.Acquire(d.ConnLimit)
			if v.Status != 0 {
				h.g.log.Warn("limiting connections", "zone", v.Zone, "client", d.ConnLimit.st.vars.remote, "uri", req.RequestURI, "status", v.Status)
			}
			if release != nil {
				// The places are the request's until it ends.
				if rw := heldPlaces(w); rw != nil {
					rw.held = append(rw.held, release)
				} else {
					release()
				}
			}
			d = d.ConnLimit.Continue(v)
		default:
			d = h.authorize(rt, req, r, d)
		}
	}
	return d
}

// paused reports whether the decision waits on limit_req, limit_conn or
// auth_request.
func (d *Decision) paused() bool { return d.Limit != nil || d.ConnLimit != nil || d.Auth != nil }

// limit asks the gateway's buckets about a request limit_req paused,
// waits as long as they say (unless the client goes first), and decides
// the rest.
func (h *handler) limit(req *http.Request, d *Decision) *Decision {
	v := h.g.limiter.Check(d.Limit, time.Now())
	switch {
	case v.Status != 0:
		h.g.log.Warn("limiting requests", "zone", v.Zone, "client", d.Limit.st.vars.remote, "uri", req.RequestURI, "status", v.Status)
	case v.Delay > 0:
		h.g.log.Debug("delaying request", "zone", v.Zone, "delay", v.Delay.String())
		t := time.NewTimer(v.Delay)
		select {
		case <-t.C:
		case <-req.Context().Done():
			t.Stop()
			return &Decision{Close: true, Group: d.Group, Server: d.Server, Host: d.Host, Location: d.Location, Conf: d.Conf,
				Method: d.Method, Reason: "the client went away while limit_req delayed the request"}
		}
	}
	return d.Limit.Continue(v)
}
