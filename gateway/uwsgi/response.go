package uwsgi

import (
	"bufio"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrInvalidStatus is wrapped when a CGI-style answer carries a Status
// header that does not start with three digits; nginx answers 502
// ("upstream sent invalid status").
var ErrInvalidStatus = errors.New("upstream sent invalid status")

// ResponseHead is the head of what a uWSGI application answered.
type ResponseHead struct {
	// Proto is the version from the status line ("HTTP/1.1"), or "" when
	// the application answered CGI-style, without a status line.
	Proto string
	// Status is the response code nginx would use.
	Status int
	// StatusLine is the status text nginx keeps, without the version: the
	// status line from the code on ("200 OK"), the Status header's value
	// verbatim, "302 Moved Temporarily", or "200 OK".
	StatusLine string
	// Headers are in arrival order with their original case, duplicates
	// kept. A Status header stays in the list, as it does in nginx's.
	Headers []Header
}

// ReadResponseHead reads a response head from r, as nginx's
// ngx_http_uwsgi_process_status_line and _process_header do: if the first
// line is an HTTP status line it gives the status; otherwise every line,
// the first included, is a header and the status comes from the first
// Status header, else 302 when there is a Location header, else 200. It
// stops just after the empty line, so r is left at the body, which callers
// read up to BodyLength or to EOF. Heads over MaxHeadSize are refused.
func ReadResponseHead(r *bufio.Reader) (*ResponseHead, error) {
	return ReadResponseHeadLimit(r, MaxHeadSize)
}

// ReadResponseHeadLimit is ReadResponseHead with the head capped at limit
// bytes instead of MaxHeadSize. Passing the location's uwsgi_buffer_size
// reproduces nginx exactly: a head that fits the buffer is read, one byte
// more is ErrHeadTooBig (nginx: 502).
func ReadResponseHeadLimit(r *bufio.Reader, limit int) (*ResponseHead, error) {
	src := &headReader{r: r, limit: limit}
	st, ok, consumed, err := readStatusLine(src)
	if err != nil {
		return nil, err
	}
	head := &ResponseHead{}
	if ok {
		head.Proto, head.Status, head.StatusLine = st.proto, st.code, st.text
	} else {
		src.replay = consumed
	}
	for {
		h, kind, err := readHeaderLine(src)
		if err != nil {
			return nil, err
		}
		if kind == lineEnd {
			break
		}
		if kind == lineHeader {
			if head.Headers == nil {
				head.Headers = make([]Header, 0, 8) // a usual head in one allocation
			}
			head.Headers = append(head.Headers, h)
		}
	}
	if !ok {
		if err := head.cgiStatus(); err != nil {
			return nil, err
		}
	}
	return head, nil
}

// cgiStatus sets the status of an answer that had no status line.
func (h *ResponseHead) cgiStatus() error {
	if v, ok := h.Get("Status"); ok {
		code, valid := threeDigits(v)
		if !valid {
			return fmt.Errorf("%w: %q", ErrInvalidStatus, v)
		}
		h.Status, h.StatusLine = code, v
		return nil
	}
	if _, ok := h.Get("Location"); ok {
		h.Status, h.StatusLine = 302, "302 Moved Temporarily"
		return nil
	}
	h.Status, h.StatusLine = 200, "200 OK"
	return nil
}

// threeDigits parses the first three bytes of s as a number, as
// ngx_atoi(value, 3) does; anything after them is ignored.
func threeDigits(s string) (int, bool) {
	if len(s) < 3 {
		return 0, false
	}
	n := 0
	for i := range 3 {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// Get returns the first header named name, ignoring ASCII case. nginx
// keeps the first Status and the first Location it sees.
// Values returns every value of the header named name, in arrival order.
func (h *ResponseHead) Values(name string) []string {
	var vs []string
	for _, hd := range h.Headers {
		if strings.EqualFold(hd.Name, name) {
			vs = append(vs, hd.Value)
		}
	}
	return vs
}

func (h *ResponseHead) Get(name string) (string, bool) {
	for _, hd := range h.Headers {
		if strings.EqualFold(hd.Name, name) {
			return hd.Value, true
		}
	}
	return "", false
}

// ContentLength is the body length the head announces, or -1 when it
// announces none. As in nginx 1.22, the last Content-Length header counts,
// and one that is not all digits means "unknown" (read to EOF), not an
// error.
func (h *ResponseHead) ContentLength() int64 {
	n := int64(-1)
	for _, hd := range h.Headers {
		if strings.EqualFold(hd.Name, "Content-Length") {
			n = parseLength(hd.Value)
		}
	}
	return n
}

// BodyLength is how much body nginx reads after the head for a request
// with this method (ngx_http_uwsgi_input_filter_init): none for 204 and
// 304, up to EOF (-1) for HEAD, else ContentLength (-1 meaning up to EOF).
func (h *ResponseHead) BodyLength(method string) int64 {
	switch {
	case h.Status == 204 || h.Status == 304:
		return 0
	case method == "HEAD":
		return -1
	}
	return h.ContentLength()
}

// parseLength is ngx_atoof: one or more digits, no sign, no overflow;
// anything else is -1.
func parseLength(s string) int64 {
	if s == "" {
		return -1
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return -1
	}
	return n
}
