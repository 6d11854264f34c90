package demo

import (
	"context"
	"fmt"
	"io"
	"net"
)

// Serve answers uwsgi requests on the unix socket at path until ctx ends,
// as service name, writing one line per request to log. A stale socket
// file left by a dead server is removed first; the socket is removed when
// Serve returns.
func Serve(ctx context.Context, name, socket string, log io.Writer) error {
	ln, unlink, err := listenUnix(socket)
	if err != nil {
		return fmt.Errorf("demo service %s: %w", name, err)
	}
	defer unlink()
	defer ln.Close()
	s := newServer(name, log)
	s.logf("%s listening on unix:%s", name, socket)
	return s.run(ctx, ln, unlink)
}

// ServeTCP is Serve on a TCP address (":8000", "127.0.0.1:0"), for the
// container form: a container cannot share the host's unix socket.
func ServeTCP(ctx context.Context, name, addr string, log io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("demo service %s: %w", name, err)
	}
	defer ln.Close()
	s := newServer(name, log)
	s.logf("%s listening on %s", name, ln.Addr())
	return s.run(ctx, ln, nil)
}
