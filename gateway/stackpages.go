package gateway

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strings"
)

// The pages a gateway that knows the stack answers with, in HTML for a
// browser and JSON for `Accept: application/json`.

// unavailable answers 503 for a route whose service is not up.
func (h *handler) unavailable(w http.ResponseWriter, req *http.Request, d *Decision, t Target) {
	where := ""
	if d.Location != nil {
		where = fmt.Sprintf("%s (%s)", d.Location.Label(), d.Location.Pos)
	}
	hint := t.Hint
	if hint == "" {
		hint = "start " + t.Service + " in the Berth app, or run `berth up " + t.Service + "`"
	}
	h.stackPage(w, req, d, 503, map[string]any{
		"error": "service unavailable", "service": t.Service, "state": t.Down,
		"location": where, "upstream": d.Upstream.Upstream.Name, "hint": hint,
	}, fmt.Sprintf("%s is %s", t.Service, t.Down),
		fmt.Sprintf("Berth routes this request (location %s) to the service <b>%s</b>, which is <b>%s</b>. To serve it, %s.",
			html.EscapeString(where), html.EscapeString(t.Service), html.EscapeString(t.Down), html.EscapeString(hint)))
}

// outsidePage answers 502 for an upstream that is not part of the stack
// and did not answer at its production address.
func (h *handler) outsidePage(w http.ResponseWriter, req *http.Request, d *Decision) {
	u := d.Upstream.Upstream
	var addrs []string
	for _, p := range u.Servers {
		addrs = append(addrs, p.Addr.String())
	}
	hint := fmt.Sprintf("map it to a service with x-berth.gateway.upstreams: {%q: SERVICE} in the stack file", u.Name)
	h.stackPage(w, req, d, 502, map[string]any{
		"error": "bad gateway", "upstream": u.Name, "addresses": addrs,
		"reason": "the upstream is not part of the stack, and its production address did not answer", "hint": hint,
	}, "the upstream "+u.Name+" is not part of the stack",
		fmt.Sprintf("No service of the stack serves the upstream <b>%s</b> (%s), and its production address (%s) did not answer. To route it to a service, %s.",
			html.EscapeString(u.Name), html.EscapeString(u.Pos.String()), html.EscapeString(strings.Join(addrs, ", ")), html.EscapeString(hint)))
}

func (h *handler) stackPage(w http.ResponseWriter, req *http.Request, d *Decision, status int, data map[string]any, title, text string) {
	var body []byte
	if strings.Contains(req.Header.Get("Accept"), "application/json") {
		body, _ = json.Marshal(data)
		body = append(body, '\n')
		w.Header().Set("Content-Type", "application/json")
	} else {
		body = []byte(fmt.Sprintf("<!DOCTYPE html>\n<html><head><title>%d %s</title></head>\n<body style=\"font-family: sans-serif; max-width: 40em; margin: 3em auto\">\n<h1>%s</h1>\n<p>%s</p>\n<hr><p>Berth</p>\n</body></html>\n",
			status, html.EscapeString(title), html.EscapeString(title), text))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	h.writeResponse(w, req, d, status, body)
}
