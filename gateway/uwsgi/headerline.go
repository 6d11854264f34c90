package uwsgi

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidHeader is wrapped when a response header line breaks nginx's
// rules; nginx answers 502 ("upstream sent invalid header").
var ErrInvalidHeader = errors.New("upstream sent invalid header")

// Header is one response header as the application sent it: original case,
// value with the surrounding spaces nginx strips removed.
type Header struct{ Name, Value string }

// lineKind says what readHeaderLine found.
type lineKind int

const (
	lineHeader  lineKind = iota // a header
	lineIgnored                 // an "HTTP/..." line, skipped as nginx does for IIS
	lineEnd                     // the empty line that ends the head
)

// readHeaderLine reads one line of the head by the rules of nginx's
// ngx_http_parse_header_line with underscores allowed (as for upstreams):
//   - a line starting with a control byte, space, DEL or ':' is invalid;
//   - a name may hold other odd bytes (nginx flags them but keeps the
//     header) but no control byte, space or DEL;
//   - a line with no ':' is a header with an empty value;
//   - spaces (not tabs) around the value are dropped; NUL in it is invalid;
//   - a line starting "HTTP/" is skipped;
//   - lines end in LF, CR LF, or CRs then LF; a CR before anything else is
//     invalid.
func readHeaderLine(src *headReader) (Header, lineKind, error) {
	var name []byte
	c, err := src.next()
	if err != nil {
		return Header{}, 0, err
	}
	switch {
	case c == '\n':
		return Header{}, lineEnd, nil
	case c == '\r':
		if c, err = src.next(); err != nil {
			return Header{}, 0, err
		}
		if c != '\n' {
			return Header{}, 0, invalidHeader("\r", c)
		}
		return Header{}, lineEnd, nil
	case c <= ' ' || c == 0x7f || c == ':':
		return Header{}, 0, invalidHeader("", c)
	}
	name = append(name, c)

	for {
		if c, err = src.next(); err != nil {
			return Header{}, 0, err
		}
		switch {
		case c == ':':
			value, err := readHeaderValue(src, name)
			if err != nil {
				return Header{}, 0, err
			}
			return Header{Name: string(name), Value: value}, lineHeader, nil
		case c == '\n':
			return Header{Name: string(name)}, lineHeader, nil
		case c == '\r':
			if err := finishLine(src, string(name)); err != nil {
				return Header{}, 0, err
			}
			return Header{Name: string(name)}, lineHeader, nil
		case c == '/' && string(name) == "HTTP":
			return Header{}, lineIgnored, skipLine(src)
		case c <= ' ' || c == 0x7f:
			return Header{}, 0, invalidHeader(string(name), c)
		}
		name = append(name, c)
	}
}

// readHeaderValue reads after the ':' to the end of the line.
func readHeaderValue(src *headReader, name []byte) (string, error) {
	var value []byte
	for {
		c, err := src.next()
		if err != nil {
			return "", err
		}
		switch c {
		case '\n':
			return trimSpaces(value), nil
		case '\r':
			if err := finishLine(src, string(name)+":"+string(value)); err != nil {
				return "", err
			}
			return trimSpaces(value), nil
		case 0:
			return "", invalidHeader(string(name)+":"+string(value), c)
		}
		value = append(value, c)
	}
}

// finishLine reads what follows a CR: more CRs, then the LF.
func finishLine(src *headReader, sofar string) error {
	for {
		c, err := src.next()
		if err != nil {
			return err
		}
		switch c {
		case '\n':
			return nil
		case '\r':
		default:
			return invalidHeader(sofar+"\r", c)
		}
	}
}

// skipLine discards everything up to and including the next LF.
func skipLine(src *headReader) error {
	for {
		c, err := src.next()
		if err != nil {
			return err
		}
		if c == '\n' {
			return nil
		}
	}
}

// trimSpaces drops leading and trailing spaces only: nginx keeps tabs.
func trimSpaces(b []byte) string {
	return strings.Trim(string(b), " ")
}

// invalidHeader words the error like nginx's log line: the text so far
// and the offending byte in hex.
func invalidHeader(sofar string, c byte) error {
	return fmt.Errorf("%w: %q\\x%02X...", ErrInvalidHeader, sofar, c)
}
