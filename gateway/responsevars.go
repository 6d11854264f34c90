package gateway

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// responseVars are what the variables of a response read once its head is
// known: nginx evaluates add_header and expires in its header filters, so
// `add_header X-Upstream $upstream_addr` names the peer that answered.
type responseVars struct {
	status   int
	sent     http.Header   // the headers going out ($sent_http_*)
	upstream *upstreamSeen // nil when no upstream answered
	tried    []triedPeer   // peers that failed before
}

// triedPeer is one peer a request tried and left: nginx lists it in
// $upstream_addr and the other per-peer variables, ", " between peers.
type triedPeer struct {
	addr   string
	status int           // its answer's, or 502/504 for a failure
	took   time.Duration // until it was left
	header time.Duration // until its answer's head; -1 for none
}

// upstreamSeen is the upstream's answer as it arrived.
type upstreamSeen struct {
	addr   string // the peer, as nginx names it ("127.0.0.1:8000", "unix:/run/app.sock")
	status int
	header http.Header
	took   time.Duration // from the first connect to the answer's head
}

// isResponseVar tells the variables that read the response.
func isResponseVar(name string) bool {
	switch name {
	case "status", "body_bytes_sent", "bytes_sent", "upstream_addr", "upstream_status",
		"upstream_response_time", "upstream_header_time", "upstream_cache_status":
		return true
	}
	return strings.HasPrefix(name, "sent_http_") || strings.HasPrefix(name, "upstream_http_")
}

// readsResponse tells whether a value names a variable of the response,
// itself or through a map whose source or values do, and must wait for
// the response.
func readsResponse(s string, maps map[string]*mapVar) bool {
	return readsResponseDepth(s, maps, 0)
}

func readsResponseDepth(s string, maps map[string]*mapVar, depth int) bool {
	for i := 0; i < len(s); i++ {
		name, end, ok := variableAt(s, i)
		if !ok {
			continue
		}
		if isResponseVar(name) {
			return true
		}
		if m := maps[name]; m != nil && depth < 8 && m.readsResponse(maps, depth+1) {
			return true
		}
		i = end - 1
	}
	return false
}

// readsResponse tells whether a map's value can depend on the response.
func (m *mapVar) readsResponse(maps map[string]*mapVar, depth int) bool {
	if readsResponseDepth(m.source, maps, depth) || readsResponseDepth(m.def, maps, depth) {
		return true
	}
	for _, v := range m.exact {
		if readsResponseDepth(v, maps, depth) {
			return true
		}
	}
	for _, r := range m.regex {
		if readsResponseDepth(r.value, maps, depth) {
			return true
		}
	}
	for _, v := range m.values {
		if readsResponseDepth(v, maps, depth) {
			return true
		}
	}
	return false // a geo block's values are plain text
}

// lookup answers a response variable; before the response (r nil) every
// one is empty, as nginx's are not found then.
func (r *responseVars) lookup(name string) string {
	if r == nil {
		return ""
	}
	up := r.upstream
	switch {
	case name == "status":
		return strconv.Itoa(r.status)
	case name == "body_bytes_sent" || name == "bytes_sent":
		return "0" // evaluated with the head, before any body went out
	case strings.HasPrefix(name, "sent_http_"):
		return r.sent.Get(strings.ReplaceAll(name[10:], "_", "-"))
	case name == "upstream_cache_status": // no cache locally
		return ""
	case strings.HasPrefix(name, "upstream_http_"):
		if up == nil {
			return ""
		}
		return up.header.Get(strings.ReplaceAll(name[14:], "_", "-"))
	}
	// The per-peer variables: the peers left before, then the one
	// answering; a response time is known only once a peer is left.
	var each func(t triedPeer) string
	var current string
	switch name {
	case "upstream_addr":
		each = func(t triedPeer) string { return t.addr }
		if up != nil {
			current = up.addr
		}
	case "upstream_status":
		each = func(t triedPeer) string { return strconv.Itoa(t.status) }
		if up != nil {
			current = strconv.Itoa(up.status)
		}
	case "upstream_header_time":
		each = func(t triedPeer) string {
			if t.header < 0 {
				return "-"
			}
			return seconds(t.header)
		}
		if up != nil {
			current = seconds(up.took)
		}
	case "upstream_response_time":
		each = func(t triedPeer) string { return seconds(t.took) }
		if up != nil {
			current = "-"
		}
	default:
		return ""
	}
	parts := make([]string, 0, len(r.tried)+1)
	for _, t := range r.tried {
		parts = append(parts, each(t))
	}
	if up != nil {
		parts = append(parts, current)
	}
	return strings.Join(parts, ", ")
}

// readsResponse tells whether serving d evaluates variables of the
// response: an add_header that waits for it, or expires with variables.
// Only then is the upstream's answer kept for them. Decided with the add
// headers (Decision.late).
func (d *Decision) readsResponse() bool { return d.late }
