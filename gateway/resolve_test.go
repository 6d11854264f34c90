package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
)

// A server line's host name becomes one peer per address it resolves to,
// as nginx resolves it at load: `server app.test:P` where app.test is
// 127.0.0.1 and 127.0.0.2 is two peers, taken in turn, beside a third
// line's own peer. A name that does not resolve stays one peer, as
// written, looked up at each connect.
func TestHostNamePeers(t *testing.T) {
	// One port on both loopback addresses: a free one on the first may be
	// taken on the second, so try a few.
	var first, second net.Listener
	var port int
	for range 10 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port = l.Addr().(*net.TCPAddr).Port
		if second, err = net.Listen("tcp", fmt.Sprintf("127.0.0.2:%d", port)); err == nil {
			first = l
			break
		}
		l.Close()
	}
	if first == nil {
		t.Fatal("found no port free on both 127.0.0.1 and 127.0.0.2")
	}
	third, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	for _, ln := range []net.Listener{first, second, third} {
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, ln.Addr().String())
		})}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
	}
	resolve := func(_ context.Context, host string) ([]netip.Addr, error) {
		if host == "app.test" {
			return []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2")}, nil
		}
		return nil, errors.New("no such host")
	}
	tbl := compileSnippet(t, fmt.Sprintf(`upstream u { server app.test:%d; server %s; }
upstream gone { server nowhere.test:%d; }
server { listen 80;
	location / { proxy_pass http://u; }
	location /gone/ { proxy_pass http://gone; }
}`, port, third.Addr(), port))
	g := NewGateway(tbl, ServeOptions{MapPort: func(int) int { return 0 }, Resolve: resolve})
	if err := g.Start(); err != nil {
		t.Fatal(err)
	}
	defer g.Shutdown(context.Background())
	addr := g.Listeners()[0].Addr
	var got []string
	for range 6 {
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got = append(got, string(b))
	}
	a, b, c := first.Addr().String(), second.Addr().String(), third.Addr().String()
	if want := []string{a, b, c, a, b, c}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("answered by %v, want %v", got, want)
	}
	rt := g.routes.Load()
	if names := rt.pool(tbl.Upstream("gone")).names; len(names) != 1 || names[0] != fmt.Sprintf("nowhere.test:%d", port) {
		t.Errorf("a name that does not resolve: peers %v, want it as written", names)
	}
}

// The system's resolver is the default, and this machine's hosts file
// names localhost.
func TestLookupHostLocalhost(t *testing.T) {
	addrs, err := systemResolver()(t.Context(), "localhost")
	if err != nil || len(addrs) == 0 {
		t.Fatalf("localhost: %v, %v", addrs, err)
	}
	for _, a := range addrs {
		if !a.IsLoopback() || a.Is4In6() {
			t.Errorf("localhost resolved to %v", a)
		}
	}
}

// Names are looked up when a config is loaded, not when its services
// move: routing the same table again reuses the answers, and a gateway
// routed before it starts does not look them up again.
func TestHostNamesResolvedOncePerConfig(t *testing.T) {
	var lookups atomic.Int32
	resolve := func(_ context.Context, host string) ([]netip.Addr, error) {
		lookups.Add(1)
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	src := `upstream u { server app.test:9; } server { listen 80; location / { proxy_pass http://u; } }`
	tbl := compileSnippet(t, src)
	g := NewGateway(tbl, ServeOptions{MapPort: func(int) int { return 0 }, Resolve: resolve})
	g.Route(tbl, nil, nil)
	if err := g.Start(); err != nil {
		t.Fatal(err)
	}
	defer g.Shutdown(context.Background())
	g.Route(tbl, nil, nil)
	if n := lookups.Load(); n != 1 {
		t.Errorf("%d lookups for one config, want 1", n)
	}
	g.Swap(compileSnippet(t, src)) // a reload
	if n := lookups.Load(); n != 2 {
		t.Errorf("%d lookups after a reload, want 2", n)
	}
}

// Lookups reach the balancer as getaddrinfo hands them to nginx.
func TestAddrConfig(t *testing.T) {
	ips := func(s string) []netip.Addr {
		var out []netip.Addr
		for f := range strings.FieldsSeq(s) {
			out = append(out, netip.MustParseAddr(f))
		}
		return out
	}
	for _, c := range []struct{ addrs, local, want string }{
		// localhost from a hosts file listing 127.0.0.1 first
		{"127.0.0.1 ::1", "127.0.0.1 ::1 192.0.2.2 fe80::1", "::1 127.0.0.1"},
		// no IPv6 but loopback: no IPv6 peers (AI_ADDRCONFIG)
		{"127.0.0.1 ::1", "127.0.0.1 ::1 192.0.2.2", "127.0.0.1"},
		// no IPv4 but loopback
		{"127.0.0.1 ::1", "127.0.0.1 ::1 2001:db8::2", "::1"},
		// offline: loopback alone restricts nothing
		{"127.0.0.1 ::1", "127.0.0.1 ::1", "::1 127.0.0.1"},
		{"::ffff:10.0.0.1 2001:db8::1 2002::1", "10.0.0.2 2001:db8::2", "2001:db8::1 2002::1 10.0.0.1"},
		{"10.0.0.2 10.0.0.1", "10.0.0.3", "10.0.0.2 10.0.0.1"},
	} {
		got := addrConfig(ips(c.addrs), ips(c.local))
		if fmt.Sprint(got) != fmt.Sprint(ips(c.want)) {
			t.Errorf("%s with %s: %v, want %s", c.addrs, c.local, got, c.want)
		}
	}
}
