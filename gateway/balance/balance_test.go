package balance

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

func dead(names ...string) func(string) bool {
	return func(n string) bool {
		for _, d := range names {
			if d == n {
				return true
			}
		}
		return false
	}
}

// TestFailTimeout follows one peer through failure, rest, a failed trial,
// a successful trial and a new failure, on a fake clock (every step worked
// by hand from ngx_http_upstream_get_peer and _free_round_robin_peer).
func TestFailTimeout(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_000_000, 0)}
	ps, names := parsePeers(t, []string{"b1", "d2", "b3"}, func(n string) string { return n })
	p, err := New(Config{Peers: ps}, clock.now)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		after time.Duration
		dead  bool
		want  string
	}{
		{0, false, "b1"},
		{0, true, "d2>b3"},
		{0, true, "b3"},
		{0, true, "b1"},
		{10 * time.Second, true, "b3"}, // now-checked = 10 <= fail_timeout: still resting
		{time.Second, true, "b1"},      // free again, but effective weight 0 climbs back first
		{0, true, "b3"},
		{0, true, "b1"},
		{0, true, "d2>b3"}, // the trial fails: rests again from now
		{0, false, "b1"},
		{11 * time.Second, false, "b3"},
		{0, false, "b1"},
		{0, false, "b3"},
		{0, false, "d2"},   // the trial succeeds: fails cleared
		{0, true, "b1"},    //
		{0, true, "b3"},    //
		{0, true, "d2>b1"}, // one failure is max_fails again
		{0, false, "b3"},
	}
	for i, s := range steps {
		clock.advance(s.after)
		f := dead()
		if s.dead {
			f = dead("d2")
		}
		if got := trace(p, names, netip.Addr{}, "", f); got != s.want {
			t.Errorf("request %d: got %s, want %s", i+1, got, s.want)
		}
	}
}

// TestLimitTries is proxy_next_upstream_tries.
func TestLimitTries(t *testing.T) {
	ps, names := parsePeers(t, []string{"d1", "d2", "d3"}, func(n string) string { return n })
	p, _ := New(Config{Peers: ps}, nil)
	a := p.Begin(netip.Addr{}, "")
	a.LimitTries(2)
	var got []string
	for {
		i, ok := a.Next()
		if !ok {
			t.Fatal("no live upstreams")
		}
		got = append(got, names[i])
		if !a.Done(true) {
			break
		}
	}
	if g := strings.Join(got, ">"); g != "d1>d2" {
		t.Errorf("got %s, want d1>d2", g)
	}
}

// TestManyPeers crosses the 64-peer inline tried set.
func TestManyPeers(t *testing.T) {
	var specs, bad []string
	for i := range 70 {
		specs = append(specs, fmt.Sprintf("p%d", i))
		if i < 69 {
			bad = append(bad, fmt.Sprintf("p%d", i))
		}
	}
	ps, names := parsePeers(t, specs, func(n string) string { return n })
	p, _ := New(Config{Peers: ps}, nil)
	if got, want := trace(p, names, netip.Addr{}, "", dead(bad...)), strings.Join(append(bad, "p69"), ">"); got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	if got := trace(p, names, netip.Addr{}, "", dead(bad...)); got != "p69" {
		t.Errorf("second request %s, want p69", got)
	}
}

// TestConsistentRemap: dropping one server moves only that server's keys,
// which is what ketama is for.
func TestConsistentRemap(t *testing.T) {
	id := func(n string) string { return n }
	all, names := parsePeers(t, []string{"a:80", "b:80", "c:80 weight=2", "d:80"}, id)
	pa, _ := New(Config{Method: HashConsistent, Peers: all}, nil)
	pl, _ := New(Config{Method: HashConsistent, Peers: all[:3]}, nil)
	if n := len(pa.points); n < 790 || n > 800 {
		t.Errorf("%d points, want 800 less collisions", n)
	}
	moved, seen := 0, map[string]int{}
	for i := range 2000 {
		key := fmt.Sprintf("key%d", i)
		before := trace(pa, names, netip.Addr{}, key, dead())
		after := trace(pl, names, netip.Addr{}, key, dead())
		seen[before]++
		if before != after {
			moved++
			if before != "d:80" {
				t.Fatalf("%s moved from %s to %s", key, before, after)
			}
		}
	}
	if moved != seen["d:80"] || moved == 0 {
		t.Errorf("moved %d keys, d had %d", moved, seen["d:80"])
	}
	if seen["c:80"] < seen["a:80"] {
		t.Errorf("weight 2 got fewer keys than weight 1: %v", seen)
	}
}

// TestConsistentServerText: ring points come from the server text, so
// peers written differently land differently even at one address, and
// the addresses of one name share its points.
func TestConsistentServerText(t *testing.T) {
	cfg := Config{Method: HashConsistent, Peers: []Peer{
		{Addr: "10.0.0.1:80", Server: "app:80", Weight: 1, MaxFails: 1, FailTimeout: 10 * time.Second},
		{Addr: "10.0.0.2:80", Server: "app:80", Weight: 1, MaxFails: 1, FailTimeout: 10 * time.Second},
		{Addr: "10.0.0.3:80", Server: "other:80", Weight: 1, MaxFails: 1, FailTimeout: 10 * time.Second},
	}}
	p, _ := New(cfg, nil)
	if len(p.points) < 315 || len(p.points) > 320 {
		t.Errorf("%d points, want 320 less duplicates (app's two addresses share 160)", len(p.points))
	}
	names := []string{"app1", "app2", "other"}
	counts := map[string]int{}
	for i := range 600 {
		counts[trace(p, names, netip.Addr{}, fmt.Sprintf("k%d", i), dead())]++
	}
	// The addresses of app take turns by round robin.
	if d := counts["app1"] - counts["app2"]; d < -1 || d > 1 {
		t.Errorf("app's addresses unevenly used: %v", counts)
	}
}

func TestSplitServer(t *testing.T) {
	for _, tt := range []struct{ in, host, port string }{
		{"127.0.0.1:8080", "127.0.0.1", "8080"},
		{"127.0.0.1", "127.0.0.1", ""},
		{"backend", "backend", ""},
		{"[::1]:80", "[::1]", "80"},
		{"[::1]", "[::1]", ""},
		{"unix:/run/a.sock", "/run/a.sock", ""},
		{"UNIX:///x:80", "///x:80", ""},
		{"host:8a", "host:8a", ""},
		{":80", "", "80"},
	} {
		if h, p := splitServer(tt.in); h != tt.host || p != tt.port {
			t.Errorf("splitServer(%q) = %q, %q; want %q, %q", tt.in, h, p, tt.host, tt.port)
		}
	}
}

// TestRandom scripts the generator: nginx's own draws cannot be
// reproduced, only the rules around them.
func TestRandom(t *testing.T) {
	ps, names := parsePeers(t, []string{"b1 weight=2", "b2", "d3"}, func(n string) string { return n })
	p, _ := New(Config{Method: Random, Peers: ps}, nil)
	draws := []int{0, 1, 2, 3, 3, 3, 2}
	p.randn = func(n int) int {
		if n != 4 {
			t.Fatalf("drew from %d, want the total weight 4", n)
		}
		d := draws[0]
		draws = draws[1:]
		return d
	}
	// b1 owns [0,2), b2 [2,3), d3 [3,4); a tried or failed draw is redrawn.
	for _, want := range []string{"b1", "b1", "b2", "d3>b2"} {
		if got := trace(p, names, netip.Addr{}, "", dead("d3")); got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
	// Drawing only the failed peer: 21 draws, then round robin.
	calls := 0
	p.randn = func(int) int { calls++; return 3 }
	if got := trace(p, names, netip.Addr{}, "", dead("d3")); got != "b1" {
		t.Errorf("fallback: got %s, want b1", got)
	}
	if calls != 21 {
		t.Errorf("%d draws before round robin, want 21", calls)
	}

	ps, names = parsePeers(t, []string{"b1", "b2", "b3"}, func(n string) string { return n })
	p, _ = New(Config{Method: RandomTwo, Peers: ps}, nil)
	draws = []int{0, 0, 1, 2, 1}
	p.randn = func(int) int { d := draws[0]; draws = draws[1:]; return d }
	a := p.Begin(netip.Addr{}, "")
	// b1, b1 again (skipped), b2: equal load, the second draw wins.
	if i, _ := a.Next(); names[i] != "b2" {
		t.Errorf("random two picked %s, want b2", names[i])
	}
	// b3, then b2 which is busy: b3.
	if got := trace(p, names, netip.Addr{}, "", dead()); got != "b3" {
		t.Errorf("random two: got %s, want b3", got)
	}
	a.Done(false)
}

func TestNewErrors(t *testing.T) {
	for _, tt := range []struct {
		method Method
		peers  []string
		after  bool
		want   string
	}{
		{RoundRobin, nil, false, "upstream: no servers are inside upstream"},
		{RoundRobin, []string{"b1 backup"}, false, "upstream: no servers in upstream"},
		{IPHash, []string{"b1", "b2 backup"}, false, `upstream: balancing method does not support parameter "backup"`},
		{Hash, []string{"b1", "b2 backup"}, false, `upstream: balancing method does not support parameter "backup"`},
		{HashConsistent, []string{"b1", "b2 backup"}, false, `upstream: balancing method does not support parameter "backup"`},
		{Random, []string{"b1", "b2 backup"}, false, `upstream: balancing method does not support parameter "backup"`},
		{IPHash, []string{"b1", "b2 backup"}, true, ""},
		{LeastConn, []string{"b1", "b2 backup"}, false, ""},
		{RoundRobin, []string{"b1 weight=0"}, false, `upstream: invalid parameter "weight=0"`},
		{RoundRobin, []string{"b1 fail_timeout=500ms"}, false, `upstream: invalid parameter "fail_timeout=500ms"`},
		{Method(42), []string{"b1"}, false, "upstream: unknown balancing method Method(42)"},
	} {
		ps, _ := parsePeers(t, tt.peers, func(n string) string { return n })
		_, err := New(Config{Method: tt.method, Peers: ps, MethodAfterBackup: tt.after}, nil)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%v %v: got %q, want %q", tt.method, tt.peers, got, tt.want)
		}
	}
	ps, _ := parsePeers(t, []string{"b1", "b2 weight=0"}, func(n string) string { return n })
	_, err := New(Config{Peers: ps}, nil)
	var pe *PeerError
	if !errors.As(err, &pe) || pe.Peer != 1 {
		t.Errorf("got %v, want a PeerError for peer 1", err)
	}
	if !errors.Is(mustErr(New(Config{}, nil)), ErrNoServers) {
		t.Error("an empty block is not ErrNoServers")
	}
}

func mustErr(_ *Pool, err error) error { return err }

// TestConcurrent runs many requests at once (for -race) and checks that
// every connection count returns to zero.
func TestConcurrent(t *testing.T) {
	for _, m := range []Method{RoundRobin, LeastConn, IPHash, Hash, HashConsistent, Random, RandomTwo} {
		specs := []string{"b1 weight=3", "b2", "b3 max_conns=2", "b4"}
		if m.allowsBackup() {
			specs = append(specs, "b5 backup")
		}
		ps, names := parsePeers(t, specs, func(n string) string { return n })
		p, err := New(Config{Method: m, Peers: ps}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 200 {
					ip := netip.AddrFrom4([4]byte{10, byte(g), byte(i), 1})
					trace(p, names, ip, fmt.Sprint(i), func(n string) bool { return n == "b4" && i%3 == 0 })
				}
			})
		}
		wg.Wait()
		for _, tr := range []*tier{&p.primary, &p.backup} {
			for _, pe := range tr.peers {
				if pe.conns != 0 {
					t.Errorf("%v: %s has %d conns left", m, names[pe.index], pe.conns)
				}
			}
		}
	}
}
