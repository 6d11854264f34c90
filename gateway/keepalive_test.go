package gateway

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/berth-dev/berth/gateway/nginx"
)

// compileFull compiles a whole nginx.conf held in memory.
func compileFull(t *testing.T, src string) (*Table, error) {
	t.Helper()
	cfg, err := nginx.Parse(filepath.Join(t.TempDir(), "nginx.conf"), []byte(src), nginx.Options{})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return Compile(cfg)
}

func TestWorkerProcesses(t *testing.T) {
	for _, tc := range []struct {
		main    string
		workers int
		err     string
	}{
		{"", 1, ""}, // nginx's default
		{"worker_processes 3;", 3, ""},
		{"worker_processes auto;", runtime.NumCPU(), ""},
		{"worker_processes 0;", 1, ""},
		{"worker_processes many;", 0, `nginx.conf:1: invalid value "many" in "worker_processes" directive`},
	} {
		tbl, err := compileFull(t, tc.main+"\nevents {}\nhttp { server { listen 80; } }\n")
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.main, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", tc.main, err)
		}
		if tbl.Workers != tc.workers {
			t.Errorf("%q: %d workers, want %d", tc.main, tbl.Workers, tc.workers)
		}
	}
	// A conf.d snippet runs under Debian's nginx.conf: worker_processes auto.
	if got := compileSnippet(t, "server { listen 80; }").Workers; got != runtime.NumCPU() {
		t.Errorf("snippet: %d workers, want one per CPU (%d)", got, runtime.NumCPU())
	}
}

// Each nginx worker keeps `keepalive N` idle upstream connections of its
// own, so Berth keeps N × worker_processes: with keepalive 1 and two
// workers, two requests at once leave two connections that the next two
// reuse; with one worker, one of them is closed and made again.
func TestKeepaliveCachePerWorker(t *testing.T) {
	for _, tc := range []struct {
		workers, wantConns int
	}{{2, 2}, {1, 3}} {
		t.Run(fmt.Sprintf("workers=%d", tc.workers), func(t *testing.T) {
			up := newPairedUpstream(t)
			tbl, err := compileFull(t, fmt.Sprintf(`worker_processes %d;
events {}
http {
    upstream u { server %s; keepalive 1; }
    server {
        listen 80;
        location / { proxy_pass http://u; proxy_http_version 1.1; proxy_set_header Connection ""; }
    }
}
`, tc.workers, up.addr))
			if err != nil {
				t.Fatal(err)
			}
			g := NewGateway(tbl, ServeOptions{MapPort: func(int) int { return 0 }})
			if err := g.Start(); err != nil {
				t.Fatal(err)
			}
			defer g.Shutdown(context.Background())
			addr := g.Listeners()[0].Addr
			for round := range 2 {
				var wg sync.WaitGroup
				for range 2 {
					wg.Go(func() {
						resp, err := http.Get("http://" + addr + "/")
						if err != nil {
							t.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != 200 {
							t.Errorf("round %d: status %d", round, resp.StatusCode)
						}
					})
				}
				wg.Wait()
				// The client may have its answer before the gateway has
				// put the connection back: wait for the requests to end.
				g.routes.Load().drained(5 * time.Second)
			}
			if got := up.conns.Load(); got != int64(tc.wantConns) {
				t.Errorf("the upstream saw %d connections for two rounds of two requests at once, want %d", got, tc.wantConns)
			}
		})
	}
}

// pairedUpstream answers requests two at a time, so that two requests
// sent together need two upstream connections, and counts connections.
type pairedUpstream struct {
	addr  string
	conns atomic.Int64
}

func newPairedUpstream(t *testing.T) *pairedUpstream {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &pairedUpstream{addr: ln.Addr().String()}
	var mu sync.Mutex
	waiting := make(chan struct{})
	n := 0
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			ch := waiting
			if n++; n == 2 {
				close(waiting)
				waiting, n = make(chan struct{}), 0
			}
			mu.Unlock()
			<-ch
			io.WriteString(w, "ok")
		}),
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				p.conns.Add(1)
			}
		},
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return p
}

// The keepalive cache is nginx's: one least-recently-used list for all
// the block's peers. A request takes its peer's most recent connection;
// a full cache closes its least recently used one, whatever the peer.
func TestIdlePoolOrder(t *testing.T) {
	conns := map[string]*closeCounter{}
	c := func(name string) idleConn {
		cc := &closeCounter{}
		conns[name] = cc
		return idleConn{conn: cc, br: newUpstreamReader(cc)}
	}
	p := newIdlePool(3)
	p.put("a", c("a1"))
	p.put("b", c("b1"))
	p.put("a", c("a2"))
	if got, _ := p.get("a"); got.conn != conns["a2"] {
		t.Errorf("get a: not the most recently used a")
	}
	p.put("a", c("a3")) // cache: a1, b1, a3
	p.put("c", c("c1")) // full: a1 goes
	p.put("b", c("b2")) // full: b1 goes
	for name, closed := range map[string]bool{"a1": true, "b1": true, "a2": false, "a3": false, "c1": false, "b2": false} {
		if got := conns[name].closed.Load() > 0; got != closed {
			t.Errorf("%s closed = %v, want %v", name, got, closed)
		}
	}
	if got, ok := p.get("a"); !ok || got.conn != conns["a3"] {
		t.Errorf("get a: want a3, the most recent")
	}
	if _, ok := p.get("a"); ok {
		t.Errorf("get a: a connection left after the last")
	}
	p.close()
	if conns["c1"].closed.Load() != 1 || conns["b2"].closed.Load() != 1 {
		t.Errorf("close left idle connections open")
	}
}

// closeCounter is a net.Conn that only counts its Closes.
type closeCounter struct {
	net.Conn
	closed atomic.Int32
}

func (c *closeCounter) Close() error { c.closed.Add(1); return nil }
