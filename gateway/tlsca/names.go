package tlsca

import (
	"net/netip"
	"slices"
	"strings"
)

// localNames are in every leaf certificate, so https://localhost and
// https://127.0.0.1 work whatever the config's server names are.
var localNames = []string{"localhost", "127.0.0.1", "::1"}

// nameKind is the shape of a server_name value, as far as certificates go.
type nameKind int

const (
	nameSkip  nameKind = iota // regex, "_", "", anything not a host name
	nameExact                 // example.com, or an IP address
	nameHead                  // *.example.com and .example.com
	nameTail                  // www.example.*
)

// certName is one server_name value classified.
type certName struct {
	kind nameKind
	// key is the lower-cased name; for wildcards without `*.`, `.` or `.*`.
	key string
	// dotted is `.example.com`, which also matches example.com itself.
	dotted bool
}

func parseName(raw string) certName {
	if strings.HasPrefix(raw, "~") {
		return certName{}
	}
	low := strings.TrimSuffix(strings.ToLower(raw), ".")
	if ip, err := netip.ParseAddr(strings.Trim(low, "[]")); err == nil {
		return certName{kind: nameExact, key: ip.Unmap().String()}
	}
	var n certName
	switch {
	case strings.HasPrefix(low, "*."):
		n = certName{kind: nameHead, key: low[2:]}
	case strings.HasPrefix(low, "."):
		n = certName{kind: nameHead, key: low[1:], dotted: true}
	case strings.HasSuffix(low, ".*"):
		n = certName{kind: nameTail, key: low[:len(low)-2]}
	default:
		n = certName{kind: nameExact, key: low}
	}
	if !validHost(n.key) {
		return certName{}
	}
	return n
}

// validHost reports whether s can go into a certificate as a DNS name:
// ASCII labels of letters, digits, '-' and '_', none empty. It rules out
// "_" on its own, which nginx configs use as a catch-all placeholder.
func validHost(s string) bool {
	if s == "" || s == "_" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range []byte(label) {
			ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
			if !ok {
				return false
			}
		}
	}
	return true
}

// subjectNames decides which names the certificate for one handshake
// covers: the names matching the requested SNI (see matchNames), or when the
// SNI is absent or matches nothing, the first usable server name. The local
// names are always added. The result is also the certificate's cache key.
func subjectNames(sni string, names []string) []string {
	sni = strings.TrimSuffix(strings.ToLower(sni), ".")
	var own []string
	if validHost(sni) {
		own = matchNames(sni, names)
	}
	if own == nil {
		own = fallbackNames(names)
	}
	out := own
	for _, l := range localNames {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// matchNames returns the names to certify when sni matches a server name,
// nil otherwise. An exact name wins over wildcards. A leading wildcard gives
// a wildcard certificate when sni is one label below it (so one certificate
// serves all such names); nginx's `*.` also matches deeper names, which a
// certificate wildcard cannot cover, so those get a certificate for sni
// itself, as do trailing wildcards.
func matchNames(sni string, names []string) []string {
	var wild []string
	for _, raw := range names {
		n := parseName(raw)
		switch n.kind {
		case nameExact:
			if n.key == sni {
				return []string{sni}
			}
		case nameHead:
			if wild == nil {
				wild = headNames(n, sni)
			}
		case nameTail:
			if wild == nil && strings.HasPrefix(sni, n.key+".") {
				wild = []string{sni}
			}
		}
	}
	return wild
}

// headNames is matchNames for one leading wildcard.
func headNames(n certName, sni string) []string {
	label, below := strings.CutSuffix(sni, "."+n.key)
	switch {
	case n.dotted && sni == n.key:
		return wildcardNames(n)
	case below && !strings.Contains(label, ".") && strings.Contains(n.key, "."):
		return wildcardNames(n)
	case below:
		return []string{sni}
	}
	return nil
}

// wildcardNames certifies a leading wildcard; a dotted name also covers its
// bare name. A wildcard directly under a top-level name (`*.test`) is
// refused by browsers, so none is made: nil for `*.test`, only `test` for
// `.test`.
func wildcardNames(n certName) []string {
	var out []string
	if strings.Contains(n.key, ".") {
		out = append(out, "*."+n.key)
	}
	if n.dotted {
		out = append(out, n.key)
	}
	return out
}

// fallbackNames certifies the first server name that can be certified
// (exact names and leading wildcards), nil when there is none.
func fallbackNames(names []string) []string {
	for _, raw := range names {
		n := parseName(raw)
		switch n.kind {
		case nameExact:
			return []string{n.key}
		case nameHead:
			if out := wildcardNames(n); out != nil {
				return out
			}
		}
	}
	return nil
}
