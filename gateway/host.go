package gateway

import (
	"fmt"
	"strings"
)

// This file mirrors ngx_http_validate_host (src/http/ngx_http_request.c),
// which turns the Host header, or the host of an absolute-form request line,
// into $host and the name used for server selection. nginx rewrote it in
// 1.29.4 (commit 511abb19e, "Improved host header validation").

// HostError tells why nginx rejects a host with 400.
type HostError struct {
	Host   string
	Reason string
}

func (e *HostError) Error() string {
	return fmt.Sprintf("invalid host %q: %s", e.Host, e.Reason)
}

// Unwrap makes errors.Is(err, ErrNginx400) true.
func (e *HostError) Unwrap() error { return ErrNginx400 }

// HTTPStatus is the status nginx sends for this error.
func (e *HostError) HTTPStatus() int { return 400 }

// NormalizeHost returns the host as nginx stores it for $host and server
// lookup: the name without ":port", with one trailing dot removed and ASCII
// letters lower-cased. A zero version means DefaultNginxVersion.
//
// Up to 1.29.3 validation is permissive: it rejects only an empty name,
// "..", "/", controls, space and DEL, anywhere in the text including the
// port part, which is not checked otherwise ("a.test:abc" passes). From
// 1.29.4 the name must use the RFC 3986 host bytes (letters, digits,
// "-._~", sub-delims, "%"; IP literals in "[]"), and the port must be digits
// not above 65535.
//
// nginx validates the Host header even when an absolute-form request line
// supplies the host that is used, so a bad header is 400 either way.
func NormalizeHost(h string, v NginxVersion) (string, error) {
	var (
		n   int
		why string
	)
	if v.OrDefault().AtLeast(1, 29, 4) {
		n, why = hostLenStrict(h)
	} else {
		n, why = hostLenLegacy(h)
	}
	if why != "" {
		return "", &HostError{Host: h, Reason: why}
	}
	return hostLowerASCII(h[:n]), nil
}

// hostLowerASCII lower-cases A-Z only, as ngx_strlow does; other bytes, UTF-8
// included, are kept as they are.
func hostLowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// hostNoDot is a dot position no byte can have, so that a first "." is never
// taken for the second of "..".
const hostNoDot = -2

// hostLenLegacy is the ≤ 1.29.3 rule set. It returns the length of the name
// to keep, or a reason for rejecting the host.
func hostLenLegacy(h string) (int, string) {
	const (
		usual = iota
		literal
		rest
	)
	state := usual
	dot, n := hostNoDot, len(h)
	for i := 0; i < len(h); i++ {
		switch c := h[i]; {
		case c == '.':
			// Dots are tracked over the whole text, port part included.
			if dot == i-1 {
				return 0, "\"..\" in host"
			}
			dot = i
		case c == ':':
			if state == usual {
				n, state = i, rest
			}
		case c == '[':
			if i == 0 {
				state = literal
			}
		case c == ']':
			if state == literal {
				n, state = i+1, rest
			}
		case c == '/':
			return 0, "\"/\" in host" // ngx_path_separator; "\\" only on Windows
		case c <= 0x20 || c == 0x7f:
			return 0, "control byte or space in host"
		}
	}
	// The last dot anywhere (even after ":") decides, so "a.:1.2" keeps
	// its dot.
	if dot == n-1 {
		n--
	}
	if n == 0 {
		return 0, "empty host"
	}
	return n, ""
}

// hostLenStrict is the ≥ 1.29.4 rule set, in the same shape.
func hostLenStrict(h string) (int, string) {
	const (
		start = iota
		name
		literal
		afterLiteral
		port
	)
	state := start
	dot, n, portNum := hostNoDot, len(h), 0
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch state {
		case start, name:
			if state == start && c == '[' {
				state = literal
				continue
			}
			state = name
			switch {
			case c == ':':
				n, state = i, port
			case c == '.':
				if dot == i-1 {
					return 0, "\"..\" in host"
				}
				dot = i
			case c == '%' || isStrictHostByte(c):
			default:
				return 0, fmt.Sprintf("byte %q not allowed in host", c)
			}
		case literal:
			switch {
			case c == ']':
				n, state = i+1, afterLiteral
			case c == ':':
			case c == '.':
				if dot == i-1 {
					return 0, "\"..\" in host"
				}
				dot = i
			case isStrictHostByte(c):
			default:
				return 0, fmt.Sprintf("byte %q not allowed in IP literal", c)
			}
		case afterLiteral:
			if c != ':' {
				return 0, "only \":port\" may follow an IP literal"
			}
			state = port
		case port:
			if !targetIsDigit(c) {
				return 0, "port is not a number"
			}
			portNum = portNum*10 + int(c-'0')
			if portNum > 65535 {
				return 0, "port above 65535"
			}
		}
	}
	if state == literal {
		return 0, "unterminated IP literal"
	}
	if dot == n-1 {
		n--
	}
	if n == 0 {
		return 0, "empty host"
	}
	return n, ""
}

// isStrictHostByte: letters, digits, unreserved "-._~" (the "." is handled
// by the callers) and sub-delims.
func isStrictHostByte(c byte) bool {
	return targetIsLetter(c) || targetIsDigit(c) || strings.IndexByte("-_~!$&'()*+,;=", c) >= 0
}
