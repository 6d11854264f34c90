package gateway

import (
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
)

// connStats are nginx's connection counters (ngx_stat_*), for
// stub_status and the $connections_* variables: one set per gateway,
// across its listen sockets, as nginx keeps one per instance.
type connStats struct {
	accepted, requests, writing atomic.Int64

	mu        sync.Mutex
	states    map[net.Conn]http.ConnState
	active    int64 // connections open, websocket tunnels too
	inRequest int64 // connections whose request is being read or served
	waiting   int64 // connections waiting for a request: new or idle
}

// track is the servers' ConnState hook. A connection counts as active
// from accept to close, and as waiting while it has no request (new, or
// idle between requests), as nginx counts its reusable connections. A
// websocket's connection stays active, its request writing, until the
// tunnel ends (tunnelClosed). nginx counts a request as reading from
// its first byte; net/http reports a connection active only once the
// request's head is read, so Reading stays 0 here and a connection
// half-way through its head counts as waiting.
func (s *connStats) track(c net.Conn, state http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.states == nil {
		s.states = map[net.Conn]http.ConnState{}
	}
	prev, known := s.states[c]
	switch prev {
	case http.StateActive:
		s.inRequest--
	case http.StateNew, http.StateIdle:
		if known {
			s.waiting--
		}
	}
	switch state {
	case http.StateNew:
		s.accepted.Add(1)
		s.active++
		s.waiting++
	case http.StateIdle:
		s.waiting++
	case http.StateActive:
		s.inRequest++
	case http.StateClosed:
		if known {
			s.active--
		}
		delete(s.states, c)
		return
	}
	s.states[c] = state
}

// tunnelClosed ends the count of a hijacked connection: net/http
// reports nothing once it has handed the connection over.
func (s *connStats) tunnelClosed(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.states[c] == http.StateHijacked {
		s.active--
		delete(s.states, c)
	}
}

// connCounts is one reading of the counters.
type connCounts struct {
	accepted, handled, requests       int64
	active, reading, writing, waiting int64
}

func (s *connStats) counts() connCounts {
	var n connCounts
	s.mu.Lock()
	n.active, n.reading, n.waiting = s.active, s.inRequest, s.waiting
	s.mu.Unlock()
	n.accepted, n.requests, n.writing = s.accepted.Load(), s.requests.Load(), s.writing.Load()
	n.handled = n.accepted
	n.reading = max(n.reading-n.writing, 0)
	return n
}

// stubStatus is ngx_http_stub_status_handler's page.
func (n connCounts) stubStatus() []byte {
	itoa := func(v int64) string { return strconv.FormatInt(v, 10) }
	return []byte("Active connections: " + itoa(n.active) + " \nserver accepts handled requests\n " +
		itoa(n.accepted) + " " + itoa(n.handled) + " " + itoa(n.requests) + " \nReading: " + itoa(n.reading) +
		" Writing: " + itoa(n.writing) + " Waiting: " + itoa(n.waiting) + " \n")
}

// connectionsVar is $connections_active, _reading, _writing or
// _waiting; ok is false for another name.
func (n connCounts) connectionsVar(name string) (string, bool) {
	switch name {
	case "connections_active":
		return strconv.FormatInt(n.active, 10), true
	case "connections_reading":
		return strconv.FormatInt(n.reading, 10), true
	case "connections_writing":
		return strconv.FormatInt(n.writing, 10), true
	case "connections_waiting":
		return strconv.FormatInt(n.waiting, 10), true
	}
	return "", false
}
