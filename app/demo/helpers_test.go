package demo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/gateway/uwsgi"
)

// waitFor waits until cond holds, failing the test after 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10s for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitAccepting waits until the unix socket at sock accepts a
// connection: the file appears when it is bound, a moment before it
// listens, and a dial in between is refused.
func waitAccepting(t *testing.T, what, sock string) {
	t.Helper()
	waitFor(t, what, func() bool {
		c, err := net.Dial("unix", sock)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

// startServe runs serve in a goroutine until the test ends (or the
// returned stop is called), and returns stop, which cancels and waits for
// serve's result.
func startServe(t *testing.T, serve func(ctx context.Context) error) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- serve(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("serve did not return within 10s of its context ending")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}

// request is one uwsgi request as a client sends it.
type request struct {
	method, uri, path, query string
	body                     string
}

// ask sends r over network/addr as nginx would (packet, body) and returns
// the status, the Content-Type and the body of the answer.
func ask(t *testing.T, network, addr string, r request) (status int, ctype string, body []byte) {
	t.Helper()
	c := send(t, network, addr, r)
	defer c.Close()
	return answer(t, c, r.method)
}

// send connects and writes r's packet and body.
func send(t *testing.T, network, addr string, r request) net.Conn {
	t.Helper()
	c, err := net.DialTimeout(network, addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	vars := []uwsgi.Var{
		{Key: "QUERY_STRING", Value: r.query},
		{Key: "REQUEST_METHOD", Value: r.method},
		{Key: "CONTENT_LENGTH", Value: contentLength(r.body)},
		{Key: "REQUEST_URI", Value: r.uri},
		{Key: "PATH_INFO", Value: r.path},
	}
	pkt, err := uwsgi.AppendPacket(nil, 0, 0, vars)
	if err != nil {
		c.Close()
		t.Fatal(err)
	}
	if _, err := c.Write(append(pkt, r.body...)); err != nil {
		c.Close()
		t.Fatal(err)
	}
	return c
}

// answer reads the service's answer to the request sent on c: status,
// Content-Type and body (up to the close that ends it, as nginx reads).
func answer(t *testing.T, c net.Conn, method string) (status int, ctype string, body []byte) {
	t.Helper()
	br := bufio.NewReader(c)
	head, err := uwsgi.ReadResponseHead(br)
	if err != nil {
		t.Fatalf("reading the answer's head: %v", err)
	}
	ctype, _ = head.Get("Content-Type")
	body, err = io.ReadAll(br)
	if err != nil {
		t.Fatalf("reading the answer's body: %v", err)
	}
	if n := head.ContentLength(); n != int64(len(body)) && method != "HEAD" {
		t.Errorf("Content-Length %d, body of %d bytes", n, len(body))
	}
	return head.Status, ctype, body
}

// contentLength is $content_length: empty without a body.
func contentLength(body string) string {
	if body == "" {
		return ""
	}
	return strconv.Itoa(len(body))
}

// decode reads a Reply, failing on anything else.
func decode(t *testing.T, body []byte) Reply {
	t.Helper()
	var r Reply
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("body %q is not a Reply: %v", body, err)
	}
	return r
}
