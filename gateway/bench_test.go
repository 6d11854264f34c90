package gateway

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/berth-dev/berth/fixtures"
	"github.com/berth-dev/berth/gateway/nginx"
	"github.com/hashicorp/go-hclog"
)

// The serving benchmarks measure the gateway's own cost per request, as
// `make bench` loads it: the config of fixtures/benchnginx, an access log
// line per request (written to io.Discard), and upstreams and a client
// that are raw sockets allocating nothing per request, so that allocs/op
// are the gateway's (plus a connection's accept and dial for the cases
// that open one per request).
//
//	go test -run XXX -bench Serve -benchmem ./gateway/

// benchResponse is what both upstreams answer, the head as Go's net/http
// upstream of the benchmark writes it.
const benchResponse = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n" +
	"Date: Sat, 28 Nov 2026 14:00:00 GMT\r\n\r\nhello, world\n"

// rawServer accepts connections and serves each with serve until it
// returns; close stops it and waits for every connection.
type rawServer struct {
	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]bool
}

func startRawServer(b *testing.B, serve func(net.Conn)) *rawServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	s := &rawServer{ln: ln, conns: map[net.Conn]bool{}}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns[c] = true
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				serve(c)
				c.Close()
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
			}()
		}
	}()
	b.Cleanup(func() {
		ln.Close()
		s.mu.Lock()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

func (s *rawServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// serveRawHTTP answers every request head on c with benchResponse,
// closing after one unless the request is HTTP/1.1 without Connection.
func serveRawHTTP(c net.Conn) {
	br := bufio.NewReader(c)
	for {
		keep := false
		first := true
		for {
			line, err := br.ReadSlice('\n')
			if err != nil {
				return
			}
			if first {
				keep = bytes.Contains(line, []byte("HTTP/1.1"))
				first = false
			}
			if bytes.HasPrefix(line, []byte("Connection:")) {
				keep = false
			}
			if len(line) <= 2 {
				break
			}
		}
		if _, err := io.WriteString(c, benchResponse); err != nil || !keep {
			return
		}
	}
}

// serveRawUWSGI reads one uwsgi packet and answers as uWSGI relays a WSGI
// app's answer, then closes.
func serveRawUWSGI(c net.Conn) {
	var hdr [4]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		return
	}
	pkt := benchPackets.Get().(*[]byte)
	defer benchPackets.Put(pkt)
	n := int(binary.LittleEndian.Uint16(hdr[1:3]))
	if _, err := io.ReadFull(c, (*pkt)[:n]); err != nil {
		return
	}
	io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nhello, world\n")
}

var benchPackets = sync.Pool{New: func() any { b := make([]byte, 1<<16); return &b }}

// benchGateway serves benchnginx's config against the raw upstreams.
func benchGateway(b *testing.B) string {
	up := startRawServer(b, serveRawHTTP)
	uw := startRawServer(b, serveRawUWSGI)
	src := fixtures.BenchSite(up.port(), uw.port(), 80)
	cfg, err := nginx.Parse(filepath.Join(b.TempDir(), "bench.conf"), []byte(src), nginx.Options{})
	if err != nil {
		b.Fatal(err)
	}
	tbl, err := Compile(cfg)
	if err != nil {
		b.Fatal(err)
	}
	log := hclog.New(&hclog.LoggerOptions{Name: "berth", Output: io.Discard, Level: hclog.Info})
	g := NewGateway(tbl, ServeOptions{Log: log.Named("gateway"), MapPort: func(int) int { return 0 }})
	if err := g.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { g.Shutdown(context.Background()) })
	return g.Listeners()[0].Addr
}

// benchClient sends the same request over one keepalive connection,
// reading each response to its end, as wrk does.
type benchClient struct {
	c    net.Conn
	br   *bufio.Reader
	req  []byte
	addr string
}

func newBenchClient(b *testing.B, addr, path string) *benchClient {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	return &benchClient{c: c, br: bufio.NewReader(c), req: []byte("GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\n\r\n"), addr: addr}
}

func (bc *benchClient) do() error {
	if _, err := bc.c.Write(bc.req); err != nil {
		return err
	}
	length, status, closing := -1, "", false
	for {
		line, err := bc.br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if status == "" {
			status = string(line[9:12])
		}
		if len(line) <= 2 {
			break
		}
		if v, ok := bytes.CutPrefix(line, []byte("Content-Length: ")); ok {
			length, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
		}
		closing = closing || bytes.Equal(line, []byte("Connection: close\r\n"))
	}
	if status != "200" || length < 0 {
		return fmt.Errorf("status %s, length %d", status, length)
	}
	if _, err := bc.br.Discard(length); err != nil || !closing {
		return err
	}
	// keepalive_requests reached: a client connects again, as wrk does.
	bc.c.Close()
	c, err := net.Dial("tcp", bc.addr)
	if err != nil {
		return err
	}
	bc.c = c
	bc.br.Reset(c)
	return nil
}

func benchServe(b *testing.B, path string) {
	addr := benchGateway(b)
	const conns = 4
	clients := make([]*benchClient, conns)
	for i := range clients {
		clients[i] = newBenchClient(b, addr, path)
		defer clients[i].c.Close()
		if err := clients[i].do(); err != nil { // warm: pools, buffers
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for i, bc := range clients {
		n := b.N / conns
		if i < b.N%conns {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range n {
				if err := bc.do(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

func BenchmarkServeProxyFresh(b *testing.B)     { benchServe(b, "/fresh/") }
func BenchmarkServeProxyKeepalive(b *testing.B) { benchServe(b, "/keep/") }
func BenchmarkServeUWSGI(b *testing.B)          { benchServe(b, "/uwsgi/") }
