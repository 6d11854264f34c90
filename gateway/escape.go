package gateway

import "strings"

// This file mirrors ngx_escape_uri and ngx_unescape_uri
// (src/core/ngx_string.c). nginx escapes with one of a few fixed byte
// tables, chosen per call site, and always emits upper-case hex; the tables
// are the same from 1.22.1 to 1.31.x (newer releases only add a mail table).

// EscapeKind selects one of nginx's escape tables. The values follow the
// NGX_ESCAPE_* constants.
type EscapeKind int

const (
	// EscapeKindURI is NGX_ESCAPE_URI (table "uri"): controls, space, `"`,
	// "#", "%", "<", ">", "?", `\`, "^", "`", "{", "|", "}", DEL and bytes
	// >= 0x80. proxy_pass uses it for the URI after the location prefix
	// when the client URI was quoted, and for the 301 added to locations
	// ending in "/".
	EscapeKindURI EscapeKind = iota
	// EscapeKindArgs is NGX_ESCAPE_ARGS (table "args"): the URI table plus
	// "&", "+" and ";". rewrite uses it for captures copied into args or
	// into a redirect when the client URI had "%" or "+".
	EscapeKindArgs
	// EscapeKindURIComponent is NGX_ESCAPE_URI_COMPONENT
	// ("uri_component"): everything except ALPHA, DIGIT, "-", ".", "_", "~".
	// autoindex uses it for file names.
	EscapeKindURIComponent
	// EscapeKindHTML is NGX_ESCAPE_HTML (table "html"): controls, space,
	// `"`, "#", "%", "'", "<", ">", `\`, "^", "`", "{", "|", "}", DEL and
	// bytes >= 0x80. SSI `echo encoding="url"` uses it.
	EscapeKindHTML
	// EscapeKindRefresh is NGX_ESCAPE_REFRESH (table "refresh"): controls,
	// space, `"`, "'", "<", ">", `\`, "^", "`", "{", "|", "~", DEL and bytes
	// >= 0x80. Note "~" is escaped and "}" is not: nginx's comment above the
	// table says otherwise, its bits say this. msie_refresh uses it.
	EscapeKindRefresh
	// EscapeKindMemcached is NGX_ESCAPE_MEMCACHED ("memcached"): controls,
	// space and "%" only; DEL and bytes >= 0x80 pass.
	EscapeKindMemcached
	// EscapeKindMailAuth is NGX_ESCAPE_MAIL_AUTH, which nginx maps to the
	// memcached table.
	EscapeKindMailAuth
)

// escapeTable marks the bytes a kind escapes.
type escapeTable [256]bool

// newEscapeTable marks the bytes in chars, plus controls 0x00-0x1F, DEL and
// 0x80-0xFF when nonASCII is set (every table but memcached's).
func newEscapeTable(chars string, nonASCII bool) *escapeTable {
	var t escapeTable
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	if nonASCII {
		for c := 0x7f; c < 0x100; c++ {
			t[c] = true
		}
	}
	for i := 0; i < len(chars); i++ {
		t[chars[i]] = true
	}
	return &t
}

// escapeTables is indexed by EscapeKind. The byte lists restate nginx's
// bit tables; escape_test.go checks them against nginx's hex words.
var escapeTables = [...]*escapeTable{
	EscapeKindURI:          newEscapeTable(" \"#%<>?\\^`{|}", true),
	EscapeKindArgs:         newEscapeTable(" \"#%&+;<>?\\^`{|}", true),
	EscapeKindURIComponent: newEscapeTable(" !\"#$%&'()*+,/:;<=>?@[\\]^`{|}", true),
	EscapeKindHTML:         newEscapeTable(" \"#%'<>\\^`{|}", true),
	EscapeKindRefresh:      newEscapeTable(" \"'<>\\^`{|~", true),
	EscapeKindMemcached:    newEscapeTable(" %", false),
	EscapeKindMailAuth:     newEscapeTable(" %", false),
}

// EscapeURI escapes s the way ngx_escape_uri does for kind: each marked byte
// becomes "%" and two upper-case hex digits; an existing "%XX" is not
// special (the URI table escapes "%" itself, so "%25" becomes "%2525").
// An unknown kind returns s unchanged.
func EscapeURI(s string, kind EscapeKind) string {
	if kind < 0 || int(kind) >= len(escapeTables) {
		return s
	}
	tab := escapeTables[kind]
	n := 0
	for i := 0; i < len(s); i++ {
		if tab[s[i]] {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if tab[c] {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// UnescapeKind selects ngx_unescape_uri's mode; values follow the
// NGX_UNESCAPE_* flags (0 is a plain decode).
type UnescapeKind int

const (
	// UnescapeKindPlain decodes every valid "%XX" and never stops (type 0,
	// used for e.g. ngx_http_parse_unsafe_uri).
	UnescapeKindPlain UnescapeKind = 0
	// UnescapeKindURI is NGX_UNESCAPE_URI: decodes everything and stops
	// after the first "?", typed or decoded from "%3F".
	UnescapeKindURI UnescapeKind = 1
	// UnescapeKindRedirect is NGX_UNESCAPE_REDIRECT: stops after the first
	// "?" like the URI mode, but decodes only bytes in '&'..'~' (0x26-0x7E);
	// other escapes, "%20", "%22", "%25" among them, are kept as the client
	// spelled them. rewrite applies it to a redirect target.
	UnescapeKindRedirect UnescapeKind = 2
)

// UnescapeURI decodes s the way ngx_unescape_uri does for kind, and appends
// whatever follows the "?" where the URI and redirect modes stop, unchanged,
// as nginx's only caller in rewrite does. nginx's handling of broken escapes
// is kept: "%zz" drops the "%" ("zz"), "%4z" drops all three bytes, and a
// "%" or "%4" at the end vanishes.
func UnescapeURI(s string, kind UnescapeKind) string {
	stopAtQuery := kind == UnescapeKindURI || kind == UnescapeKindRedirect
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c == '?' && stopAtQuery {
			b.WriteString(s[i:])
			return b.String()
		}
		if c != '%' {
			b.WriteByte(c)
			i++
			continue
		}
		// "%" seen (sw_quoted).
		if i+1 >= len(s) {
			break
		}
		hi := uriUnhex(s[i+1])
		if hi < 0 {
			b.WriteByte(s[i+1]) // the "%" is lost, the byte is kept
			i += 2
			continue
		}
		// First digit seen (sw_quoted_second).
		if i+2 >= len(s) {
			break
		}
		lo := uriUnhex(s[i+2])
		if lo < 0 {
			i += 3 // "%", digit and the bad byte are all lost
			continue
		}
		d := byte(hi<<4 | lo)
		escaped := s[i : i+3]
		i += 3
		switch {
		case d == '?' && stopAtQuery:
			// Only reachable through a letter second digit ("%3F"): nginx
			// checks for "?" on that branch alone, which covers it.
			b.WriteByte('?')
			b.WriteString(s[i:])
			return b.String()
		case kind == UnescapeKindRedirect && !(d > '%' && d < 0x7f):
			b.WriteString(escaped)
		default:
			b.WriteByte(d)
		}
	}
	return b.String()
}
