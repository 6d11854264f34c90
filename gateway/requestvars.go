package gateway

import (
	"context"
	"encoding/hex"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// connKey carries a client connection's numbers in its context.
type connKey struct{}

// connInfo is what nginx knows per client connection.
type connInfo struct {
	number   uint64        // $connection
	requests atomic.Uint64 // $connection_requests so far
	local    netip.Addr    // $server_addr
}

// connectionCounter numbers client connections, as nginx's
// ngx_connection_counter does (which counts upstream connections too, so
// the numbers are alike, not equal).
var connectionCounter atomic.Uint64

// numberConnection is the servers' ConnContext: it numbers each client
// connection.
func numberConnection(ctx context.Context, c net.Conn) context.Context {
	ci := &connInfo{number: connectionCounter.Add(1)}
	if ap, err := netip.ParseAddrPort(c.LocalAddr().String()); err == nil {
		ci.local = ap.Addr().Unmap()
	}
	return context.WithValue(ctx, connKey{}, ci)
}

// describeArrival fills in what nginx knows of a request beyond its
// bytes: when it came, its ID, the connection's number and local address.
func describeArrival(r *Request, req *http.Request, start time.Time) {
	r.Start = start
	binaryID(&r.ID)
	if ci, ok := req.Context().Value(connKey{}).(*connInfo); ok {
		r.Connection, r.ConnectionRequests, r.ServerAddr = ci.number, ci.requests.Add(1), ci.local
	}
}

// binaryID fills id with random bytes: $request_id's 16, as nginx takes
// them from RAND_bytes. They name a request in logs and traces, and need
// to be unique, not secret.
func binaryID(id *[16]byte) {
	a, b := rand.Uint64(), rand.Uint64()
	for i := range 8 {
		id[i], id[8+i] = byte(a>>(8*i)), byte(b>>(8*i))
	}
}

// requestID is $request_id: the request's 16 bytes in hex, made on
// first use when the request came with none (berth match).
func (v *reqVars) requestID() string {
	if v.req.ID == ([16]byte{}) {
		binaryID(&v.req.ID)
	}
	return hex.EncodeToString(v.req.ID[:])
}

// The clock's variables, as nginx formats them.
func msec(t time.Time) string {
	return strconv.FormatInt(t.Unix(), 10) + "." + millis(int64(t.Nanosecond()/1e6))
}

// seconds writes a duration as nginx's timing variables do: seconds to
// the millisecond.
func seconds(d time.Duration) string {
	ms := d.Milliseconds()
	return strconv.FormatInt(ms/1000, 10) + "." + millis(ms%1000)
}

// millis writes 0..999 in three digits.
func millis(ms int64) string { return strconv.FormatInt(ms+1000, 10)[1:] }

const (
	timeISO8601 = "2006-01-02T15:04:05-07:00"
	timeLocal   = "02/Jan/2006:15:04:05 -0700"
)

// hostname is $hostname, read once.
var hostname = sync.OnceValue(func() string {
	h, _ := os.Hostname()
	return strings.ToLower(h) // as ngx_init_cycle keeps it
})

// requestTime is $request_time: seconds since the request arrived, to
// the millisecond.
func requestTime(start, now time.Time) string {
	if start.IsZero() {
		return "0.000"
	}
	return seconds(now.Sub(start))
}

// serverAddr is $server_addr: where the connection arrived.
func (r *Request) serverAddr() string {
	if r.ServerAddr.IsValid() {
		return r.ServerAddr.String()
	}
	if r.LocalAddr.IsValid() && !r.LocalAddr.IsUnspecified() {
		return r.LocalAddr.String()
	}
	return "127.0.0.1"
}

// binaryRemoteAddr is $binary_remote_addr: the client's address as 4 or
// 16 bytes.
func binaryRemoteAddr(remote string) string {
	a, err := netip.ParseAddr(remote)
	if err != nil {
		return ""
	}
	a = a.Unmap()
	b := a.AsSlice()
	return string(b)
}
