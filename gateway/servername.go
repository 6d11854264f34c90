package gateway

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/gateway/nginx"
)

// nameKind is the kind of a server_name entry.
type nameKind int

const (
	nameExact nameKind = iota
	nameHead           // *.example.com, and .example.com
	nameTail           // www.example.*
	nameRegex          // ~regex
)

// serverName is one server_name entry, compiled.
type serverName struct {
	raw  string // as written
	kind nameKind
	// key is the lower-cased name; for wildcards without the `*.`/`.*`
	// (and without the leading dot of `.example.com`).
	key string
	// dotted is `.example.com`: it also matches example.com itself.
	dotted bool
	regex  *Regex
	server *Server
}

// parseServerName compiles one server_name argument as
// ngx_http_core_server_name and ngx_hash_add_key classify it.
func parseServerName(raw string, pos nginx.Pos) (serverName, error) {
	n := serverName{raw: raw}
	if strings.HasPrefix(raw, "~") {
		src := raw[1:]
		// nginx compiles a name regex caselessly when it has any
		// upper-case letter (the Host it is matched against is lower case).
		caseless := strings.ContainsAny(src, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
		re, err := CompileRegex(src, caseless)
		if err != nil {
			return n, err
		}
		n.kind, n.regex = nameRegex, re
		return n, nil
	}
	low := strings.ToLower(raw)
	switch {
	case strings.HasPrefix(low, "*.") && !strings.Contains(low[2:], "*"):
		n.kind, n.key = nameHead, low[2:]
	case strings.HasPrefix(low, ".") && len(low) > 1 && !strings.Contains(low, "*"):
		n.kind, n.key, n.dotted = nameHead, low[1:], true
	case strings.HasSuffix(low, ".*") && !strings.Contains(low[:len(low)-2], "*"):
		n.kind, n.key = nameTail, low[:len(low)-2]
	case strings.Contains(low, "*"):
		return n, errInvalidName
	default:
		n.kind, n.key = nameExact, low
	}
	return n, nil
}

var errInvalidName = fmt.Errorf("invalid server name or wildcard")

// nameTable is the server names of one address:port, searched in nginx's
// order (ngx_http_find_virtual_server).
type nameTable struct {
	exact map[string]*serverName
	head  map[string]*serverName // by key: *.key (and .key)
	tail  map[string]*serverName
	regex []*serverName
}

func newNameTable() *nameTable {
	return &nameTable{exact: map[string]*serverName{}, head: map[string]*serverName{}, tail: map[string]*serverName{}}
}

// add inserts a name; it reports false when the name is already taken on
// this address:port (nginx keeps the first and warns "conflicting server
// name").
func (t *nameTable) add(n *serverName) bool {
	switch n.kind {
	case nameRegex:
		t.regex = append(t.regex, n)
		return true
	case nameExact:
		if _, dup := t.exact[n.key]; dup {
			return false
		}
		t.exact[n.key] = n
	case nameHead:
		if _, dup := t.head[n.key]; dup {
			return false
		}
		t.head[n.key] = n
	case nameTail:
		if _, dup := t.tail[n.key]; dup {
			return false
		}
		t.tail[n.key] = n
	}
	return true
}

// NameMatch says how a host picked a server.
type NameMatch struct {
	Server *Server
	// How: "exact name", "leading wildcard *.x", "trailing wildcard x.*",
	// "regex ~...", "default_server", "first server on ...".
	How      string
	Name     string    // the server_name entry that matched, as written
	Captures *Captures // for a regex name
}

// lookup finds the server for a normalised host: exact name, longest
// leading wildcard, longest trailing wildcard, first regex in config order.
func (t *nameTable) lookup(host string) (NameMatch, bool) {
	if n, ok := t.exact[host]; ok {
		return NameMatch{Server: n.server, How: "exact name", Name: n.raw}, true
	}
	if n := t.findHead(host); n != nil {
		return NameMatch{Server: n.server, How: "leading wildcard", Name: n.raw}, true
	}
	if n := t.findTail(host); n != nil {
		return NameMatch{Server: n.server, How: "trailing wildcard", Name: n.raw}, true
	}
	for _, n := range t.regex {
		if c := n.regex.Match(host); c != nil {
			return NameMatch{Server: n.server, How: "regex", Name: n.raw, Captures: c}, true
		}
	}
	return NameMatch{}, false
}

// findHead is ngx_hash_find_wc_head: the wildcard covering the most labels
// wins. `.key` also matches key itself; `*.key` needs at least one label
// before key.
func (t *nameTable) findHead(host string) *serverName {
	if n, ok := t.head[host]; ok && n.dotted {
		return n
	}
	for i := 0; i < len(host); i++ {
		if host[i] != '.' {
			continue
		}
		if n, ok := t.head[host[i+1:]]; ok {
			return n
		}
	}
	return nil
}

// findTail is ngx_hash_find_wc_tail: `www.example.*` matches when the host
// starts with "www.example." and has at least one more label; the longest
// such prefix wins.
func (t *nameTable) findTail(host string) *serverName {
	for i := len(host) - 1; i > 0; i-- {
		if host[i] != '.' || i == len(host)-1 {
			continue
		}
		if n, ok := t.tail[host[:i]]; ok {
			return n
		}
	}
	return nil
}
