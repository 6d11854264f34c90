package demo

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"

	"github.com/berth-dev/berth/gateway/uwsgi"
)

// Reply is the JSON body of every answer: which service answered, what
// nginx (or Berth's gateway) passed it, and how many requests this process
// has answered, this one included.
type Reply struct {
	Service    string `json:"service"`
	Path       string `json:"path"`        // PATH_INFO
	RequestURI string `json:"request_uri"` // REQUEST_URI
	Query      string `json:"query"`       // QUERY_STRING
	Count      int64  `json:"count"`
}

// handle answers the one request of a connection, as uWSGI does: read the
// packet and CONTENT_LENGTH bytes of body, answer, close. A connection
// closed before its first byte (a health probe) is not a request.
func (s *server) handle(c net.Conn) {
	r := bufio.NewReader(c)
	p, err := uwsgi.ReadPacket(r)
	if err != nil {
		if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrDeadlineExceeded) {
			s.logf("bad request: %v", err)
		}
		return
	}
	if n, err := strconv.ParseInt(lookup(p, "CONTENT_LENGTH"), 10, 64); err == nil && n > 0 {
		if _, err := io.CopyN(io.Discard, r, n); err != nil {
			s.logf("reading the request body: %v", err)
			return
		}
	}
	reply := Reply{
		Service:    s.name,
		Path:       lookup(p, "PATH_INFO"),
		RequestURI: lookup(p, "REQUEST_URI"),
		Query:      lookup(p, "QUERY_STRING"),
		Count:      s.count.Add(1),
	}
	method := lookup(p, "REQUEST_METHOD")
	if _, err := c.Write(response(reply, method != "HEAD")); err != nil {
		s.logf("%s %s: writing the answer: %v", method, reply.RequestURI, err)
		return
	}
	s.logf("%s %s -> 200 (request %d)", method, reply.RequestURI, reply.Count)
}

// lookup is the var as the application sees it ("" when absent).
func lookup(p uwsgi.Packet, key string) string {
	v, _ := p.Lookup(key)
	return v
}

// response is the whole answer: status line, headers, and the JSON body
// unless withBody is false (HEAD), in which case Content-Length still
// gives the body's size.
func response(r Reply, withBody bool) []byte {
	var body bytes.Buffer
	enc := json.NewEncoder(&body) // ends the body with a newline, for curl
	enc.SetEscapeHTML(false)
	enc.Encode(r) // cannot fail: strings and an integer
	var out bytes.Buffer
	fmt.Fprintf(&out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", body.Len())
	if withBody {
		out.Write(body.Bytes())
	}
	return out.Bytes()
}
