package balance

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// request is one step of a scenario.
type request struct {
	op    string        // "" a request; "hold" keeps it in flight; "release" ends every held one
	after time.Duration // moves the clock first; the nginx test sleeps it
	dead  string        // space-separated peers that refuse connections
	ip    string        // client address; "" is a unix-socket client
	key   string        // the hash key, $arg_k for nginx
	want  string        // see trace; "" means only "as nginx does"
}

// scenario is one upstream block and the requests sent to it.
type scenario struct {
	name       string
	method     Method
	methodLast bool     // the method directive follows the server lines
	peers      []string // "name params...", names bN/dN are only names
	reqs       []request
	// hostText writes the servers as localhost:PORT, which is not the
	// address nginx connects to: hash consistent hashes the text.
	hostText bool
	// ringEdges names a dead peer of a hash consistent block; see
	// edgeKeys.
	ringEdges string
	// unitOnly says why real nginx cannot run it (a long fake clock, a
	// unix-socket client); empty means the nginx test replays it.
	unitOnly string
}

// seq is requests with no failures wanting the space-separated picks.
func seq(picks string) []request {
	var out []request
	for _, p := range strings.Fields(picks) {
		out = append(out, request{want: p})
	}
	return out
}

// each is one request per key (or per client address for ip_hash), all
// with the same dead peers, checked only against nginx.
func each(values []string, ip bool, dead string) []request {
	var out []request
	for _, v := range values {
		r := request{dead: dead, key: v}
		if ip {
			r = request{dead: dead, ip: v}
		}
		out = append(out, r)
	}
	return out
}

var hashKeys = func() []string {
	keys := []string{"", "a", "b", "c", "/api/users/42", "session-1f3e", "UPPER", "k10", "0", "x.y-z_w"}
	for i := range 30 {
		keys = append(keys, fmt.Sprintf("user%d", i*7919%1000))
	}
	return keys
}()

var clientIPs = []string{
	"127.0.0.1", "10.0.0.1", "10.0.1.1", "10.0.1.200", "192.168.1.77", "8.8.8.8",
	"203.0.113.9", "172.16.5.4", "1.2.3.4", "100.64.0.1", "254.255.255.255", "0.0.0.1",
	"2001:db8::1", "2001:db8::2", "::1", "fe80::1", "::ffff:10.0.0.1", "2606:4700::1111",
}

// scenarios have hand-checked wants (the nginx test confirms each one) or
// none, when only nginx can say (hash values, client addresses).
var scenarios = []scenario{
	// R1 of the reference: b1 b1 b2 b1 b3 b1 b1 | b1 b1 b2 ...
	{name: "rr weights 5:1:1", peers: []string{"b1 weight=5", "b2", "b3"},
		reqs: seq("b1 b1 b2 b1 b3 b1 b1 b1 b1 b2 b1 b3 b1 b1")},
	{name: "rr equal weights", peers: []string{"b1", "b2", "b3"}, reqs: seq("b1 b2 b3 b1 b2 b3")},
	{name: "rr weights 3:2:1:4", peers: []string{"b1 weight=3", "b2 weight=2", "b3", "b4 weight=4"},
		reqs: seq("b4 b1 b2 b4 b1 b3 b4 b2 b1 b4 b4 b1 b2 b4 b1 b3 b4 b2 b1 b4")},
	{name: "rr down is skipped", peers: []string{"b1", "b2 down", "b3"}, reqs: seq("b1 b3 b1 b3")},
	// R2#1: the only primary is down; the backup serves.
	{name: "R2#1 down primary, backup", peers: []string{"b1 down", "b2 backup"}, reqs: seq("b2 b2")},
	// R2#2/3: both refuse; the second request finds no live peer.
	{name: "R2#2/3 two refused", peers: []string{"d1", "d2"}, reqs: []request{
		{dead: "d1 d2", want: "d1>d2>!"},
		{dead: "d1 d2", want: "-"},
	}},
	// R2#4: a lone down peer.
	{name: "R2#4 single down", peers: []string{"b1 down"}, reqs: seq("- -")},
	{name: "all primaries down, no backup", peers: []string{"b1 down", "b2 down"}, reqs: seq("- -")},
	// A lone peer is never marked failed and never retried.
	{name: "single peer ignores max_fails", peers: []string{"d1"}, reqs: []request{
		{dead: "d1", want: "d1>!"}, {dead: "d1", want: "d1>!"}, {want: "d1"},
	}},
	// With a backup, a lone primary is not "single": it is marked failed.
	{name: "primary plus backup", peers: []string{"d1", "b2 backup"}, reqs: []request{
		{dead: "d1", want: "d1>b2"}, {want: "b2"}, {want: "b2"},
	}},
	{name: "backups once every primary failed",
		peers: []string{"d1", "d2", "b3 backup", "b4 backup weight=2"}, reqs: []request{
			{dead: "d1 d2", want: "d1>d2>b4"},
			{want: "b3"}, {want: "b4"}, {want: "b4"}, {want: "b3"},
		}},
	{name: "backups tried once each", peers: []string{"d1", "d2 backup", "d3 backup"}, reqs: []request{
		{dead: "d1 d2 d3", want: "d1>d2>d3>!"},
		{dead: "d1 d2 d3", want: "-"},
	}},
	{name: "failed peer skipped", peers: []string{"b1", "d2", "b3"}, reqs: []request{
		{dead: "d2", want: "b1"}, {dead: "d2", want: "d2>b3"},
		{dead: "d2", want: "b3"}, {dead: "d2", want: "b1"}, {dead: "d2", want: "b3"},
		{want: "b1"}, {want: "b3"}, // still resting though it answers again
	}},
	// max_fails=3: the peer stays in play until its third failure, its
	// effective weight dropping by weight/max_fails each time and climbing
	// back by one per round.
	{name: "max_fails=3 lowers effective weight", peers: []string{"d1 weight=3 max_fails=3", "b2 weight=3"},
		reqs: []request{
			{dead: "d1", want: "d1>b2"}, {dead: "d1", want: "b2"}, {dead: "d1", want: "b2"},
			{dead: "d1", want: "d1>b2"}, {dead: "d1", want: "b2"},
			{dead: "d1", want: "d1>b2"}, // third failure: resting
			{want: "b2"}, {want: "b2"}, {want: "b2"},
		}},
	// A success inside fail_timeout does not clear the failures: with
	// max_fails=2 the second failure still disables the peer.
	{name: "success inside fail_timeout keeps fails", peers: []string{"d1 max_fails=2", "b2"}, reqs: []request{
		{dead: "d1", want: "d1>b2"}, {want: "b2"}, {want: "d1"}, {dead: "d1", want: "b2"},
		{dead: "d1", want: "d1>b2"}, {want: "b2"}, {want: "b2"},
	}},
	{name: "max_fails=0 never disables", peers: []string{"d1 max_fails=0", "b2"}, reqs: []request{
		{dead: "d1", want: "d1>b2"}, {dead: "d1", want: "b2"}, {dead: "d1", want: "d1>b2"}, {dead: "d1", want: "b2"},
	}},
	{name: "max_conns", peers: []string{"b1 max_conns=1", "b2"}, reqs: []request{
		{op: "hold", want: "b1"}, {want: "b2"}, {want: "b2"}, {op: "release"}, {want: "b2"}, {want: "b1"},
	}},
	{name: "max_conns single", peers: []string{"b1 max_conns=1"}, reqs: []request{
		{op: "hold", want: "b1"}, {want: "-"}, {op: "release"}, {want: "b1"},
	}},
	// least_conn with nothing in flight is weighted round robin.
	{name: "least_conn idle", method: LeastConn, peers: []string{"b1 weight=5", "b2", "b3"},
		reqs: seq("b1 b1 b2 b1 b3 b1 b1 b1 b1 b2")},
	// conns/weight decides; ties go by round robin among the tied only.
	{name: "least_conn in flight", method: LeastConn, peers: []string{"b1 weight=2", "b2", "b3"},
		reqs: []request{
			{op: "hold", want: "b1"}, {op: "hold", want: "b2"}, {op: "hold", want: "b3"},
			{want: "b1"}, {want: "b1"}, {op: "hold", want: "b1"},
			{want: "b3"}, {want: "b1"}, {want: "b2"}, {op: "release"},
			{want: "b1"}, {want: "b3"}, {want: "b1"}, {want: "b2"},
		}},
	{name: "least_conn failover to backup", method: LeastConn, peers: []string{"d1", "b2 backup"},
		reqs: []request{{dead: "d1", want: "d1>b2"}, {want: "b2"}}},
	// R3: 127.0.0.1 hashes to 4040 and 4040 % 3 = 2.
	{name: "R3 ip_hash", method: IPHash, peers: []string{"b1", "b2", "b3"}, reqs: []request{
		{ip: "127.0.0.1", want: "b3"}, {ip: "127.0.0.1", want: "b3"}, {ip: "127.0.0.9", want: "b3"},
	}},
	// A miss re-hashes from where the hash stopped: 4040 -> 5510 (d3
	// again) -> 4957, % 3 = 1.
	{name: "ip_hash rehash", method: IPHash, peers: []string{"b1", "b2", "d3"}, reqs: []request{
		{ip: "127.0.0.1", dead: "d3", want: "d3>b2"}, {ip: "127.0.0.1", want: "b2"},
	}},
	{name: "ip_hash down keeps its share", method: IPHash, peers: []string{"b1", "b2", "b3 down"}, reqs: []request{
		{ip: "127.0.0.1", want: "b2"},
	}},
	// A unix-socket client hashes three zero bytes: 3786, 1390, 295; % 3 = 1.
	{name: "ip_hash unix client", method: IPHash, peers: []string{"b1", "b2", "b3"}, reqs: seq("b2 b2"),
		unitOnly: "nginx's clients here come over TCP"},
	{name: "ip_hash clients", method: IPHash, peers: []string{"b1", "b2 weight=2", "b3", "b4"},
		reqs: each(clientIPs, true, "")},
	{name: "ip_hash clients, two dead", method: IPHash, peers: []string{"b1", "d2", "b3 weight=2", "d4"},
		reqs: each(clientIPs, true, "d2 d4")},
	{name: "ip_hash mostly dead", method: IPHash, peers: []string{"d1", "d2", "b3", "d4", "d5"},
		reqs: each(clientIPs, true, "d1 d2 d4 d5")},
	{name: "hash empty key is round robin", method: Hash, peers: []string{"b1", "b2", "b3"}, reqs: seq("b1 b2 b3 b1")},
	{name: "hash single peer", method: Hash, peers: []string{"d1"}, reqs: []request{{key: "x", dead: "d1", want: "d1>!"}}},
	{name: "hash keys", method: Hash, peers: []string{"b1 weight=2", "b2", "b3", "b4 weight=3"},
		reqs: each(hashKeys, false, "")},
	{name: "hash keys, two dead", method: Hash, peers: []string{"b1", "d2", "b3", "d4 weight=2", "b5"},
		reqs: each(hashKeys, false, "d2 d4")},
	{name: "hash mostly dead", method: Hash, peers: []string{"d1", "d2", "b3", "d4", "d5"},
		reqs: each(hashKeys, false, "d1 d2 d4 d5")},
	{name: "hash consistent empty key is round robin", method: HashConsistent, peers: []string{"b1", "b2", "b3"},
		reqs: seq("b1 b2 b3")},
	{name: "hash consistent keys", method: HashConsistent, peers: []string{"b1", "b2 weight=2", "b3", "b4", "b5"},
		reqs: each(hashKeys, false, "")},
	{name: "hash consistent keys, one dead", method: HashConsistent, peers: []string{"b1", "d2", "b3 weight=2"},
		reqs: each(hashKeys, false, "d2")},
	{name: "hash consistent mostly dead", method: HashConsistent, peers: []string{"d1", "b2", "d3", "d4"},
		reqs: each(hashKeys, false, "d1 d3 d4")},
	// A heavy dead peer makes most draws miss: after 20 misses in a
	// request, round robin takes over.
	// The edge keys and addresses first land on a live peer at the 20th,
	// 21st or 22nd draw: the last hash pick, and the first round robin one.
	{name: "hash heavy dead weight", method: Hash, peers: []string{"b1", "b2", "d3 weight=100"},
		reqs: each(append(hashKeys, "edge62", "edge71", "edge156", "edge174", "edge138", "edge267", "edge387", "edge408",
			"edge11", "edge58", "edge101", "edge125"), false, "d3")},
	{name: "ip_hash heavy dead weight", method: IPHash, peers: []string{"b1", "b2", "d3 weight=100"},
		reqs: each(append(clientIPs, "10.0.85.7", "10.0.112.7", "10.0.219.7", "10.0.233.7", "10.0.33.7", "10.0.72.7",
			"10.0.111.7", "10.0.204.7", "10.0.74.7", "10.0.141.7", "10.1.28.7", "10.1.215.7"), true, "d3")},
	// The ring depends on the backends' ports, so the nginx test adds keys
	// whose first live point is 19 to 21 points on (ringEdges).
	{name: "hash consistent heavy dead weight", method: HashConsistent, peers: []string{"b1", "b2", "d3 weight=40"},
		reqs: each(hashKeys, false, "d3"), ringEdges: "d3"},
	{name: "hash consistent by server text", method: HashConsistent, hostText: true,
		peers: []string{"b1", "b2 weight=2", "b3", "b4"}, reqs: each(hashKeys, false, "")},
	// `backup` before the hash directive: nginx takes it and reaches the
	// backup through the round-robin fallback after 20 misses.
	{name: "hash after backup", method: Hash, methodLast: true, peers: []string{"d1", "d2", "b3 backup"},
		reqs: []request{
			{key: "a", dead: "d1 d2"}, {key: "b", dead: "d1 d2"}, {key: "c", dead: "d1 d2", want: "b3"},
		}},
	// fail_timeout=1s on a real clock: rests, then one trial.
	{name: "fail_timeout recovery", peers: []string{"b1", "d2 fail_timeout=1s", "b3"}, reqs: []request{
		{dead: "d2"}, {dead: "d2"}, {dead: "d2"}, {dead: "d2"},
		{after: 2500 * time.Millisecond, dead: "d2"}, {dead: "d2"}, {dead: "d2"}, {dead: "d2"},
		{after: 2500 * time.Millisecond}, {}, {}, {}, {}, {}, {},
	}},
}

// runner replays a scenario's requests against a Pool.
type runner struct {
	pool   *Pool
	names  []string // Config.Peers index -> scenario name
	held   []*Attempt
	failed func(name string) bool
}

func (r *runner) do(q request) string {
	ip := netip.Addr{}
	if q.ip != "" {
		ip = netip.MustParseAddr(q.ip)
	}
	switch q.op {
	case "hold":
		a := r.pool.Begin(ip, q.key)
		i, ok := a.Next()
		if !ok {
			return "-"
		}
		r.held = append(r.held, &a)
		return r.names[i]
	case "release":
		for _, a := range r.held {
			a.Done(false)
		}
		r.held = nil
		return ""
	}
	return trace(r.pool, r.names, ip, q.key, r.failed)
}

// trace runs one request the way the gateway does: try peers until one
// works. The result lists the peers tried, joined by ">", ending in "-"
// for "no live upstreams" and "!" when no tries are left after a failure;
// the nginx test reads the same out of $upstream_addr.
func trace(p *Pool, names []string, ip netip.Addr, key string, failed func(name string) bool) string {
	a := p.Begin(ip, key)
	var steps []string
	for {
		i, ok := a.Next()
		if !ok {
			steps = append(steps, "-")
			break
		}
		steps = append(steps, names[i])
		bad := failed(names[i])
		more := a.Done(bad)
		if !bad {
			break
		}
		if !more {
			steps = append(steps, "!")
			break
		}
	}
	return strings.Join(steps, ">")
}

// parsePeers builds Config.Peers from specs like "b1 weight=5 backup",
// nginx's defaults filling the rest; addr maps a name to Peer.Addr.
func parsePeers(t testing.TB, specs []string, addr func(name string) string) (peers []Peer, names []string) {
	t.Helper()
	for _, s := range specs {
		f := strings.Fields(s)
		p := NewPeer(addr(f[0]))
		for _, a := range f[1:] {
			k, v, _ := strings.Cut(a, "=")
			var err error
			switch k {
			case "weight":
				_, err = fmt.Sscan(v, &p.Weight)
			case "max_fails":
				_, err = fmt.Sscan(v, &p.MaxFails)
			case "max_conns":
				_, err = fmt.Sscan(v, &p.MaxConns)
			case "fail_timeout":
				p.FailTimeout, err = time.ParseDuration(v)
			case "backup":
				p.Backup = true
			case "down":
				p.Down = true
			default:
				err = fmt.Errorf("unknown parameter")
			}
			if err != nil {
				t.Fatalf("%q: %v", a, err)
			}
		}
		peers = append(peers, p)
		names = append(names, f[0])
	}
	return peers, names
}

// TestScenarios replays every scenario on a fake clock and checks the
// hand-worked wants.
func TestScenarios(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			clock := &fakeClock{t: time.Unix(1_000_000, 0)}
			ps, names := parsePeers(t, sc.peers, func(n string) string { return n })
			p, err := New(Config{Method: sc.method, Peers: ps, MethodAfterBackup: sc.methodLast}, clock.now)
			if err != nil {
				t.Fatal(err)
			}
			var dead []string
			r := &runner{pool: p, names: names, failed: func(n string) bool {
				for _, d := range dead {
					if d == n {
						return true
					}
				}
				return false
			}}
			for i, q := range sc.reqs {
				clock.advance(q.after)
				dead = strings.Fields(q.dead)
				if got := r.do(q); q.want != "" && got != q.want {
					t.Errorf("request %d: got %s, want %s", i+1, got, q.want)
				}
			}
		})
	}
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }
