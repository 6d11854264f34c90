package gateway

import (
	"errors"
	"fmt"
	"strings"
)

// This file mirrors how nginx reads the request-target and turns it into
// $uri and $args: ngx_http_parse_request_line (the target part),
// ngx_http_process_request_uri and ngx_http_parse_complex_uri, all in
// src/http/ngx_http_parse.c and ngx_http_request.c. Their behaviour is the
// same in 1.22.1 and 1.31.x except for CONNECT, noted below. Windows-only
// branches (backslash as a separator, "::$data") are left out: the gateway
// mirrors nginx on Linux.

// ErrNginx400 is wrapped by every error for input that nginx answers with
// "400 Bad Request", so callers can test errors.Is(err, ErrNginx400).
var ErrNginx400 = errors.New("nginx answers 400 Bad Request")

// URIError tells why nginx rejects a request target or URI with 400.
type URIError struct {
	Input  string // the text examined
	Offset int    // byte offset of the offending byte; len(Input) for "ended too early"
	Check  string // the nginx check that fails, named after its parser state
}

func (e *URIError) Error() string {
	return fmt.Sprintf("invalid request URI %q at byte %d: %s", e.Input, e.Offset, e.Check)
}

// Unwrap makes errors.Is(err, ErrNginx400) true.
func (e *URIError) Unwrap() error { return ErrNginx400 }

// HTTPStatus is the status nginx sends for this error.
func (e *URIError) HTTPStatus() int { return 400 }

func uriErr(input string, off int, check string) error {
	return &URIError{Input: input, Offset: off, Check: check}
}

// RequestTarget is the request-target of a request line, split the way
// ngx_http_parse_request_line splits it. Nothing is decoded or normalised;
// call Normalize for $uri and $args.
type RequestTarget struct {
	// Absolute is set for absolute-form targets ("http://host:port/path").
	Absolute bool
	// Scheme is the raw scheme of an absolute-form target. nginx accepts
	// any RFC 3986 scheme here ("ftp://h/" is served like "http://h/").
	Scheme string
	// Host is the raw host of an absolute-form target without the port;
	// IP literals keep their brackets. It is not validated: nginx runs
	// ngx_http_validate_host on it next (NormalizeHost, 400 on failure), and
	// then uses it instead of the Host header for server selection.
	Host string
	// Port is the raw digits after "host:" ("" when absent or empty);
	// HasPort tells "h:" from "h". See HostForValidation.
	Port    string
	HasPort bool

	// RawURI is nginx's unparsed_uri, i.e. $request_uri: everything from
	// the path's first "/" (or the "?" of an empty path) to the end,
	// args and "#fragment" included. For "http://h" it is "/".
	RawURI string
	// Path is RawURI up to the first "?" or "#"; "" for an empty path.
	Path string
	// Args is $args: the raw text after the first "?" up to a "#", or ""
	// when a "#" comes before any "?".
	Args string

	// EmptyPath is nginx's empty_path_in_uri: an absolute-form target whose
	// path is missing but which has args ("http://h?x"). nginx then clears
	// valid_unparsed_uri, so proxy_pass without a URI part does not forward
	// RawURI verbatim. ("http://h" with nothing after it is not an empty
	// path: nginx uses the "/" of "//" instead.)
	EmptyPath bool
	// ComplexURI, QuotedURI and PlusInURI are the flags the request-line
	// parser sets: complex_uri ("/." "//" or "#" seen), quoted_uri ("%" in
	// the path before the args) and plus_in_uri ("+" in the path). The
	// complex-URI pass adds to the last two; see NormalizedURI.
	ComplexURI bool
	QuotedURI  bool
	PlusInURI  bool
}

// HostForValidation is the text nginx hands to ngx_http_validate_host for an
// absolute-form target: before 1.29.3 the host alone, from 1.29.3 (CONNECT
// support reworked the parser) host and ":port". The result of validation is
// the same in both cases except for 1.29.4's port range check.
func (t RequestTarget) HostForValidation(v NginxVersion) string {
	if t.HasPort && v.OrDefault().AtLeast(1, 29, 3) {
		return t.Host + ":" + t.Port
	}
	return t.Host
}

// ParseRequestTarget splits the request-target of a request line (the text
// between the method and the HTTP version) as ngx_http_parse_request_line
// does, and returns an error wrapping ErrNginx400 for every target nginx
// answers with 400. It accepts origin-form ("/a/b?x") and absolute-form
// ("http://Host:port/path?args", any scheme).
//
// Quirks kept on purpose:
//   - "*" (asterisk-form, even for OPTIONS) is 400: nginx accepts only "/"
//     or a scheme letter as the first byte.
//   - Authority-form ("h:443") is 400 in 1.22.1. nginx ≥ 1.29.3 accepts it
//     for CONNECT only, which the gateway does not proxy.
//   - The host of an absolute-form target may hold only letters, digits,
//     "." and "-" (or an IP literal in "[]"); "_", "@" (userinfo) and "%"
//     are 400. An empty host ("http:///x") passes this parser and fails in
//     ngx_http_validate_host.
//   - The port is digits only, with no range check here; "h:" is allowed.
//   - Control bytes (< 0x20) and DEL anywhere in the path or args are 400;
//     bytes >= 0x80 are fine. A space, CR or LF would end the target in
//     nginx, so they are rejected here too.
func ParseRequestTarget(raw string) (RequestTarget, error) {
	var t RequestTarget
	if raw == "" {
		return t, uriErr(raw, 0, "empty request target (sw_spaces_before_uri)")
	}
	if i := strings.IndexAny(raw, " \r\n"); i >= 0 {
		return t, uriErr(raw, i, "space, CR or LF ends the request target (sw_uri)")
	}

	start := 0
	switch c := raw[0]; {
	case c == '/':
	case targetIsLetter(c):
		t.Absolute = true
		var err error
		if start, err = parseTargetAuthority(raw, &t); err != nil {
			return RequestTarget{}, err
		}
		if start == len(raw) {
			t.RawURI, t.Path = "/", "/"
			return t, nil
		}
	default:
		return t, uriErr(raw, 0, "target must start with \"/\" or a scheme (sw_spaces_before_uri)")
	}

	t.RawURI = raw[start:]
	if err := scanTargetPath(raw, start, &t); err != nil {
		return RequestTarget{}, err
	}

	if cut := strings.IndexAny(t.RawURI, "?#"); cut < 0 {
		t.Path = t.RawURI
	} else {
		t.Path = t.RawURI[:cut]
		if t.RawURI[cut] == '?' {
			t.Args, _, _ = strings.Cut(t.RawURI[cut+1:], "#")
		}
	}
	return t, nil
}

// parseTargetAuthority reads "scheme://host[:port]" and returns the offset
// of the path ("/" or "?"), or len(raw) when the target ends after the
// authority.
func parseTargetAuthority(raw string, t *RequestTarget) (int, error) {
	i := 1
	for i < len(raw) && isSchemeByte(raw[i]) {
		i++
	}
	if i == len(raw) || raw[i] != ':' {
		return 0, uriErr(raw, i, "bad scheme byte (sw_schema)")
	}
	t.Scheme = raw[:i]
	i++
	for k := 0; k < 2; k++ {
		if i == len(raw) || raw[i] != '/' {
			return 0, uriErr(raw, i, "scheme must be followed by \"//\" (sw_schema_slash)")
		}
		i++
	}

	hostStart := i
	if i < len(raw) && raw[i] == '[' {
		i++
		for {
			if i == len(raw) {
				return 0, uriErr(raw, i, "unterminated IP literal (sw_host_ip_literal)")
			}
			c := raw[i]
			i++
			if c == ']' {
				break
			}
			if !isIPLiteralByte(c) {
				return 0, uriErr(raw, i-1, "bad byte in IP literal (sw_host_ip_literal)")
			}
		}
	} else {
		for i < len(raw) && isTargetHostByte(raw[i]) {
			i++
		}
	}
	t.Host = raw[hostStart:i]

	if i < len(raw) && raw[i] == ':' {
		t.HasPort = true
		i++
		portStart := i
		for i < len(raw) && raw[i] >= '0' && raw[i] <= '9' {
			i++
		}
		t.Port = raw[portStart:i]
		if i < len(raw) && raw[i] != '/' && raw[i] != '?' {
			return 0, uriErr(raw, i, "bad byte in port (sw_port)")
		}
	}
	if i < len(raw) {
		switch raw[i] {
		case '/':
		case '?':
			t.EmptyPath = true
		default:
			return 0, uriErr(raw, i, "bad byte after host (sw_host_end)")
		}
	}
	return i, nil
}

// Request-line parser states for the path (ngx_http_parse_request_line).
type targetPathState uint8

const (
	tpAfterSlash targetPathState = iota // sw_after_slash_in_uri
	tpCheck                             // sw_check_uri
	tpRest                              // sw_uri: no more flags but "#" is watched
)

// scanTargetPath sets the complex/quoted/plus flags and rejects control
// bytes, state by state as nginx's request-line parser does.
func scanTargetPath(raw string, start int, t *RequestTarget) error {
	st := tpAfterSlash
	if raw[start] == '?' {
		st = tpRest // empty path: nginx jumps straight to sw_uri
	}
	for i := start + 1; i < len(raw); i++ {
		c := raw[i]
		if c < 0x20 || c == 0x7f {
			return uriErr(raw, i, "control byte in URI (sw_check_uri/sw_uri)")
		}
		switch st {
		case tpAfterSlash:
			switch c {
			case '.', '/', '#':
				t.ComplexURI = true
				st = tpRest
			case '%':
				t.QuotedURI = true
				st = tpRest
			case '?':
				st = tpRest
			case '+':
				t.PlusInURI = true // nginx stays in sw_after_slash_in_uri
			default:
				st = tpCheck
			}
		case tpCheck:
			switch c {
			case '/':
				st = tpAfterSlash
			case '%':
				t.QuotedURI = true
				st = tpRest
			case '?':
				st = tpRest
			case '#':
				t.ComplexURI = true
				st = tpRest
			case '+':
				t.PlusInURI = true
			}
		case tpRest:
			if c == '#' {
				t.ComplexURI = true
			}
		}
	}
	return nil
}

// NormalizedURI is what nginx derives from the raw URI: $uri, $args and the
// request flags later stages depend on.
type NormalizedURI struct {
	URI  string // $uri / $document_uri: decoded, dot segments resolved
	Args string // $args: raw, never decoded
	// QuotedURI is r->quoted_uri: the client's path contained "%". It makes
	// proxy_pass re-escape the URI (NGX_ESCAPE_URI) and rewrite escape
	// captures (NGX_ESCAPE_ARGS).
	QuotedURI bool
	// PlusInURI is r->plus_in_uri: "+" or "%2B" in the path. It also turns
	// on rewrite's capture escaping.
	PlusInURI bool
}

// Normalize computes $uri and $args for the target with
// ngx_http_parse_complex_uri semantics. mergeSlashes must be the
// merge_slashes of the default server of the listening socket (the request
// line is parsed before the Host is known). nginx skips the complex pass for
// URIs without "%", "/.", "//" or "#"; running it anyway gives the same
// result, so this always does.
func (t RequestTarget) Normalize(mergeSlashes bool) (NormalizedURI, error) {
	raw := t.RawURI
	if t.EmptyPath {
		raw = "/" + raw // nginx writes the "/" itself, then parses "?args"
	}
	n, err := ParseComplexURI(raw, mergeSlashes)
	if err != nil {
		return NormalizedURI{}, err
	}
	n.QuotedURI = n.QuotedURI || t.QuotedURI
	n.PlusInURI = n.PlusInURI || t.PlusInURI
	return n, nil
}

// NormalizeURI returns $uri for a raw origin-form URI (which may carry
// "?args" and "#fragment"). See ParseComplexURI.
func NormalizeURI(rawPath string, mergeSlashes bool) (string, error) {
	n, err := ParseComplexURI(rawPath, mergeSlashes)
	return n.URI, err
}

// States of ngx_http_parse_complex_uri, minus the two "%XX" states, which
// are folded into the loop below.
type complexURIState uint8

const (
	cuUsual  complexURIState = iota // sw_usual: inside a segment
	cuSlash                         // sw_slash: just wrote "/"
	cuDot                           // sw_dot: wrote "/."
	cuDotDot                        // sw_dot_dot: wrote "/.."
)

// ParseComplexURI is ngx_http_parse_complex_uri: it turns a raw URI that
// starts with "/" into $uri and $args. Rules, byte for byte as nginx:
//
//   - "%XX" is decoded and the byte is then handled as if the client had
//     typed it, so "%2F" separates segments and "%2e%2e" is "..". Only a
//     decoded "%", "#" or "?" is stored as a plain byte (it neither starts
//     an escape, nor ends the path, nor starts the args).
//   - "%00", "%" without two hex digits, and ".." above "/" are errors (400).
//   - Runs of "/" collapse to one when mergeSlashes is set; "/./" goes,
//     "/x/../" and a trailing "/x/.." or "/." are resolved.
//   - A typed "?" starts $args (kept raw, cut at "#"); a typed "#" ends the
//     URI. Bytes >= 0x80, controls and "+" are copied as they are.
func ParseComplexURI(raw string, mergeSlashes bool) (NormalizedURI, error) {
	var res NormalizedURI
	if raw == "" || raw[0] != '/' {
		return res, uriErr(raw, 0, "URI must start with \"/\"")
	}
	out := make([]byte, 0, len(raw))
	st := cuUsual

	for i := 0; i < len(raw); {
		c := raw[i]
		i++

		if c == '%' {
			res.QuotedURI = true
			if i >= len(raw) || uriUnhex(raw[i]) < 0 {
				return NormalizedURI{}, uriErr(raw, i, "\"%\" not followed by a hex digit (sw_quoted)")
			}
			if i+1 >= len(raw) || uriUnhex(raw[i+1]) < 0 {
				return NormalizedURI{}, uriErr(raw, i+1, "\"%\" not followed by two hex digits (sw_quoted_second)")
			}
			c = byte(uriUnhex(raw[i])<<4 | uriUnhex(raw[i+1]))
			i += 2
			switch c {
			case 0:
				return NormalizedURI{}, uriErr(raw, i-3, "%00 (sw_quoted_second)")
			case '%', '#', '?':
				out = append(out, c)
				st = cuUsual
				continue
			}
		}

		// From here c is handled as typed. "?" and "#" can only be typed:
		// decoded ones were stored above.
		if c == '+' {
			res.PlusInURI = true
		}
		if c == '?' || c == '#' {
			if st == cuDot {
				out = out[:len(out)-1]
			}
			if st == cuDotDot {
				var ok bool
				if out, ok = climbDotDot(out); !ok {
					return NormalizedURI{}, uriErr(raw, i-1, "\"..\" above the root (sw_dot_dot)")
				}
			}
			if c == '?' {
				res.Args, _, _ = strings.Cut(raw[i:], "#")
			}
			res.URI = string(out)
			return res, nil
		}

		switch st {
		case cuUsual:
			out = append(out, c)
			if c == '/' {
				st = cuSlash
			}
		case cuSlash:
			switch c {
			case '/':
				if !mergeSlashes {
					out = append(out, c)
				}
			case '.':
				out = append(out, c)
				st = cuDot
			default:
				out = append(out, c)
				st = cuUsual
			}
		case cuDot:
			switch c {
			case '/':
				out = out[:len(out)-1] // drop "." of "/./"
				st = cuSlash
			case '.':
				out = append(out, c)
				st = cuDotDot
			default:
				out = append(out, c)
				st = cuUsual
			}
		case cuDotDot:
			if c == '/' {
				var ok bool
				if out, ok = climbDotDot(out); !ok {
					return NormalizedURI{}, uriErr(raw, i-1, "\"..\" above the root (sw_dot_dot)")
				}
				st = cuSlash
				break
			}
			out = append(out, c)
			st = cuUsual
		}
	}

	switch st {
	case cuDot:
		out = out[:len(out)-1]
	case cuDotDot:
		var ok bool
		if out, ok = climbDotDot(out); !ok {
			return NormalizedURI{}, uriErr(raw, len(raw), "\"..\" above the root (sw_dot_dot)")
		}
	}
	res.URI = string(out)
	return res, nil
}

// climbDotDot removes a trailing "/.." together with the segment before it,
// keeping that segment's leading "/". out always ends in "/.." here. With
// nothing left to climb it reports false, which nginx answers with 400.
func climbDotDot(out []byte) ([]byte, bool) {
	for u := len(out) - 4; u >= 0; u-- {
		if out[u] == '/' {
			return out[:u+1], true
		}
	}
	return out, false
}

func uriUnhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c|0x20 >= 'a' && c|0x20 <= 'f':
		return int(c|0x20-'a') + 10
	}
	return -1
}

func targetIsLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func targetIsDigit(c byte) bool { return c >= '0' && c <= '9' }

// isSchemeByte: letters, digits, "+", "-", "." (sw_schema).
func isSchemeByte(c byte) bool {
	return targetIsLetter(c) || targetIsDigit(c) || c == '+' || c == '-' || c == '.'
}

// isTargetHostByte: what sw_host keeps in a request-line host.
func isTargetHostByte(c byte) bool {
	return targetIsLetter(c) || targetIsDigit(c) || c == '.' || c == '-'
}

// isIPLiteralByte: what sw_host_ip_literal accepts before "]": letters,
// digits, ":" and the other RFC 3986 unreserved and sub-delims bytes.
func isIPLiteralByte(c byte) bool {
	return targetIsLetter(c) || targetIsDigit(c) || c == ':' || strings.IndexByte("-._~!$&'()*+,;=", c) >= 0
}
