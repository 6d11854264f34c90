package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// ioTimeout bounds one connection: a request this small that takes
	// longer is stuck.
	ioTimeout = 30 * time.Second
	// drainTime is how long, once asked to stop, open connections have
	// left to send their request. A gateway that moved its routes away
	// has its requests already in flight; they finish, an idle connection
	// does not hold the stop up for long.
	drainTime = 500 * time.Millisecond
	// backlogTime is how long accepting goes on once asked to stop, so
	// that connections already queued on the listener are served rather
	// than reset by its close.
	backlogTime = 50 * time.Millisecond
)

// server answers uwsgi requests for one service name. It owns one
// goroutine accepting connections and one per connection; run returns
// once they have all ended.
type server struct {
	name  string
	count atomic.Int64 // requests answered so far

	logMu sync.Mutex // one log line at a time
	log   io.Writer

	wg sync.WaitGroup // the connection goroutines

	mu    sync.Mutex // guards conns
	conns map[net.Conn]struct{}
}

func newServer(name string, log io.Writer) *server {
	if log == nil {
		log = io.Discard
	}
	return &server{name: name, log: log, conns: map[net.Conn]struct{}{}}
}

// run serves ln until ctx ends, then stops: unlink (if not nil) takes
// the socket's name away so that no new client reaches it, connections
// already queued are accepted for backlogTime, ln is closed, the open
// connections get drainTime to finish their request, and run returns
// once every goroutine has.
func (s *server) run(ctx context.Context, ln net.Listener, unlink func()) error {
	accepting := make(chan struct{})
	go func() {
		defer close(accepting)
		s.acceptLoop(ln)
	}()
	<-ctx.Done()
	if unlink != nil {
		unlink()
	}
	if dl, ok := ln.(interface{ SetDeadline(time.Time) error }); !ok || dl.SetDeadline(time.Now().Add(backlogTime)) != nil {
		ln.Close()
	}
	<-accepting
	ln.Close()
	s.drain()
	s.wg.Wait()
	return nil
}

// acceptLoop accepts until ln is closed or its deadline (set only when
// stopping) passes. Other errors (out of file descriptors) are waited out,
// as net/http does, rather than ending the service.
func (s *server) acceptLoop(ln net.Listener) {
	backoff := 5 * time.Millisecond
	for {
		c, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) || errors.Is(err, os.ErrDeadlineExceeded) {
			return
		}
		if err != nil {
			s.logf("accept: %v; retrying in %s", err, backoff)
			time.Sleep(backoff)
			backoff = min(2*backoff, time.Second)
			continue
		}
		backoff = 5 * time.Millisecond
		s.track(c)
		go func() {
			defer s.wg.Done()
			defer s.untrack(c)
			s.handle(c)
		}()
	}
}

// track registers c and counts its goroutine.
func (s *server) track(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.SetDeadline(time.Now().Add(ioTimeout))
	s.conns[c] = struct{}{}
	s.wg.Add(1)
}

func (s *server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.Close()
}

// drain cuts every open connection's reading time to drainTime: a request
// already sent is answered, a connection waiting for one ends. It runs
// after the accept loop has ended, so no connection comes after it.
func (s *server) drain() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.SetReadDeadline(time.Now().Add(drainTime))
	}
}

// logf writes one line to the service's log.
func (s *server) logf(format string, args ...any) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.log, format+"\n", args...)
}
