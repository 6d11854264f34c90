package balance

import (
	"net/netip"
	"testing"
)

func benchPool(b *testing.B, m Method) *Pool {
	b.Helper()
	specs := []string{"b1 weight=5", "b2", "b3 weight=2", "b4"}
	ps, _ := parsePeers(b, specs, func(n string) string { return n })
	p, err := New(Config{Method: m, Peers: ps}, nil)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkRoundRobin is the hot path: one request's Begin, Next and Done.
func BenchmarkRoundRobin(b *testing.B) {
	p := benchPool(b, RoundRobin)
	ip := netip.MustParseAddr("192.0.2.7")
	b.ReportAllocs()
	for b.Loop() {
		a := p.Begin(ip, "")
		if _, ok := a.Next(); !ok {
			b.Fatal("no peer")
		}
		a.Done(false)
	}
}

// BenchmarkRoundRobinParallel is the same with every core competing for
// the pool's lock.
func BenchmarkRoundRobinParallel(b *testing.B) {
	p := benchPool(b, RoundRobin)
	ip := netip.MustParseAddr("192.0.2.7")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			a := p.Begin(ip, "")
			a.Next()
			a.Done(false)
		}
	})
}

func BenchmarkMethods(b *testing.B) {
	ip := netip.MustParseAddr("2001:db8::7")
	for _, m := range []Method{LeastConn, IPHash, Hash, HashConsistent, Random} {
		b.Run(m.String(), func(b *testing.B) {
			p := benchPool(b, m)
			b.ReportAllocs()
			for b.Loop() {
				a := p.Begin(ip, "/api/users/42")
				a.Next()
				a.Done(false)
			}
		})
	}
}
