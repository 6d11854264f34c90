package gateway

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/berth-dev/berth/gateway/nginx"
)

func TestBucketOf(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want int
	}{
		{-5, 0},
		{0, 0},
		{1, 1},
		{7, 7},
		{8, 8}, // 2^3: from here, 8 buckets per power of two
		{9, 9},
		{15, 15},
		{16, 16},
		{17, 16}, // 16 and 17 share a bucket of width 2
		{18, 17},
		{1000, 7*8 + 7},              // 1000 = 0b1111101000: e=9, next bits 111
		{time.Millisecond, 17*8 + 7}, // 1e6 = 0b11110100001001000000: e=19, next bits 111
		{1 << 39, 37 * 8},
		{1<<40 - 1, histBuckets - 1},
		{time.Hour, histBuckets - 1},
	}
	for _, c := range cases {
		if got := bucketOf(c.d); got != c.want {
			t.Errorf("bucketOf(%d) = %d, want %d", c.d, got, c.want)
		}
	}
}

// Every duration lies below its bucket's upper end and at or above the
// previous bucket's, and a bucket is at most 1/8 of its lower end wide.
func TestBucketBounds(t *testing.T) {
	for _, d := range []time.Duration{0, 1, 7, 8, 9, 100, 999, 1000, 1023, 1024, 123456789, 1 << 38, 1<<39 + 12345, 1<<40 - 1} {
		i := bucketOf(d)
		lower := time.Duration(0)
		if i > 0 {
			lower = bucketUpper(i - 1)
		}
		if d < lower || d >= bucketUpper(i) {
			t.Errorf("%d in bucket %d = [%d, %d)", d, i, lower, bucketUpper(i))
		}
		if lower >= 8 && bucketUpper(i)-lower > lower/8 {
			t.Errorf("bucket %d [%d, %d) wider than 1/8", i, lower, bucketUpper(i))
		}
	}
}

func TestPercentile(t *testing.T) {
	hist := func(ds ...time.Duration) []uint64 {
		c := make([]uint64, histBuckets)
		for _, d := range ds {
			c[bucketOf(d)]++
		}
		return c
	}
	many := func(n int, d time.Duration) []time.Duration {
		out := make([]time.Duration, n)
		for i := range out {
			out[i] = d
		}
		return out
	}
	ms := time.Millisecond
	cases := []struct {
		name string
		ds   []time.Duration
		p    float64
		want time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"one", []time.Duration{5}, 0.5, 5},
		{"one at p99", []time.Duration{5}, 0.99, 5},
		{"median of three", []time.Duration{1, 2, 3}, 0.5, 2},
		{"p50 of four is the second", []time.Duration{1, 2, 3, 4}, 0.5, 2},
		{"p99 of 100 is the 99th", append(many(99, 1), 7), 0.99, 1},
		{"p99 of 101 is the 100th", append(many(99, 1), 6, 7), 0.99, 6},
		{"p100 is the largest", []time.Duration{1, 2, 7}, 1, 7},
		// 1 ms falls in [983040, 1048576) ns: the bucket's top is given.
		{"bucket top", many(10, ms), 0.5, 1048575},
		// 2 s falls in [15<<27 - 1<<27, 15<<27) ns.
		{"slow tail", append(many(98, ms), 2*time.Second, 3*time.Second), 0.99, 15<<27 - 1},
	}
	for _, c := range cases {
		if got := percentile(hist(c.ds...), c.p); got != c.want {
			t.Errorf("%s: percentile(%v) = %d, want %d", c.name, c.p, got, c.want)
		}
	}
}

func TestRing(t *testing.T) {
	uris := func(rs []RequestRecord) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.URI)
		}
		return out
	}
	seq := func(from, to int) []string {
		var out []string
		for i := from; i <= to; i++ {
			out = append(out, fmt.Sprint(i))
		}
		return out
	}
	cases := []struct {
		adds int
		want []string
	}{
		{0, nil},
		{1, seq(1, 1)},
		{99, seq(1, 99)},
		{100, seq(1, 100)},
		{101, seq(2, 101)},
		{250, seq(151, 250)},
	}
	for _, c := range cases {
		var r ring
		for i := 1; i <= c.adds; i++ {
			r.add(RequestRecord{URI: fmt.Sprint(i)})
		}
		if got := uris(r.list()); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%d adds: %v, want %v", c.adds, got, c.want)
		}
	}
}

// compileAt compiles src as the file path, so that two tables can share
// their file:lines.
func compileAt(t *testing.T, path, src string) *Table {
	t.Helper()
	cfg, err := nginx.Parse(path, []byte(src), nginx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// The gateway counts each request in the location it ended in, and a
// table swap keeps the figures of the locations that stay at the same
// file:line.
func TestStatsPerLocationSurviveSwap(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "site.conf")
	before := `server {
  listen 80;
  location /a/ { return 200 "a"; }
  location /b/ { return 404; }
  location /c/ { if ($arg_x) { return 201 "x"; } return 200 "c"; }
}
`
	g := NewGateway(compileAt(t, conf, before), ServeOptions{MapPort: func(int) int { return 0 }})
	if err := g.Start(); err != nil {
		t.Fatal(err)
	}
	defer g.Shutdown(context.Background())
	base := "http://" + g.Listeners()[0].Addr
	get := func(path string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	for _, p := range []string{"/a/1", "/a/2", "/a/3", "/b/", "/c/?x=1", "/c/", "/nowhere", "/%00"} {
		get(p)
	}
	byLoc := func() map[string]LocationStats {
		out := map[string]LocationStats{}
		for _, s := range g.Stats() {
			out[s.Location] = s
		}
		return out
	}
	st := byLoc()
	if len(st) != 4 {
		t.Fatalf("stats for %d locations, want /a/, /b/, /c/ and the server's own: %+v", len(st), st)
	}
	a := st["/a/"]
	if a.Hits != 3 || a.Statuses[200] != 3 || a.LocationPos.Line != 3 || a.ServerPos.Line != 1 || a.Server != `""` {
		t.Errorf("/a/: %+v", a)
	}
	if len(a.Recent) != 3 || a.Recent[0].URI != "/a/1" || a.Recent[2].URI != "/a/3" || a.Recent[0].Method != "GET" || a.Recent[0].Status != 200 {
		t.Errorf("/a/ recent: %+v", a.Recent)
	}
	if a.P50 <= 0 || a.P99 < a.P50 || a.Recent[0].Duration <= 0 || a.Recent[0].Time.IsZero() {
		t.Errorf("/a/ latency: p50 %v p99 %v, first %v", a.P50, a.P99, a.Recent[0].Duration)
	}
	if b := st["/b/"]; b.Hits != 1 || b.Statuses[404] != 1 {
		t.Errorf("/b/: %+v", b)
	}
	// An if block's answer counts in the location holding it.
	if c := st["/c/"]; c.Hits != 2 || c.Statuses[201] != 1 || c.Statuses[200] != 1 {
		t.Errorf("/c/: %+v", c)
	}
	// No location: the server's own entry (404 without location /, 400).
	if s := st[""]; s.Hits != 2 || s.Statuses[404] != 1 || s.Statuses[400] != 1 || s.LocationPos != (nginx.Pos{}) {
		t.Errorf("server-level: %+v", s)
	}

	// /a/ stays on line 3, /b/ moves to line 5, /c/ is gone, /d/ is new.
	after := `server {
  listen 80;
  location /a/ { return 200 "a2"; }
  location /d/ { return 200 "d"; }
  location /b/ { return 404; }
}
`
	g.Swap(compileAt(t, conf, after))
	get("/a/4")
	st = byLoc()
	if a := st["/a/"]; a.Hits != 4 || len(a.Recent) != 4 || a.Recent[3].URI != "/a/4" {
		t.Errorf("/a/ after the swap: %d hits, %d recent; want its figures kept", a.Hits, len(a.Recent))
	}
	if b := st["/b/"]; b.Hits != 0 || b.LocationPos.Line != 5 {
		t.Errorf("/b/ moved to another line: %+v, want fresh figures", b)
	}
	if _, ok := st["/c/"]; ok {
		t.Errorf("/c/ is gone from the table but still listed")
	}
	if d, ok := st["/d/"]; !ok || d.Hits != 0 {
		t.Errorf("/d/: %+v", d)
	}
	if s := st[""]; s.Hits != 2 {
		t.Errorf("the server's own figures: %+v, want them kept", s)
	}
}

// Recording is cheap: the benchmark measures one request's bookkeeping.
func BenchmarkStatsRecord(b *testing.B) {
	s := &locStats{}
	r := RequestRecord{Method: "GET", URI: "/api/x", Status: 200, Upstream: "unix:/x.sock", Duration: 1234 * time.Microsecond}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			s.record(r)
		}
	})
}

// A gateway made to replace another (new ports) keeps its figures.
func TestStatsKeptByAReplacingGateway(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "site.conf")
	src := "server {\n  listen 80;\n  location / { return 204; }\n}\n"
	old := NewGateway(compileAt(t, conf, src), ServeOptions{MapPort: func(int) int { return 0 }})
	if err := old.Start(); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + old.Listeners()[0].Addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	old.Shutdown(context.Background())
	g := NewGateway(compileAt(t, conf, src), ServeOptions{KeepStats: old})
	if st := g.Stats(); len(st) != 1 || st[0].Hits != 1 || st[0].Statuses[204] != 1 {
		t.Errorf("the replacing gateway's figures: %+v", st)
	}
}

// TestStatsWhileSwapping reads the figures while tables are swapped: a
// kept location's labels are rebound by the swap, so under -race this
// fails unless Stats and the swap exclude each other.
func TestStatsWhileSwapping(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "site.conf")
	src := "server {\n  listen 80;\n  location /a/ { return 200 \"a\"; }\n}\n"
	g := NewGateway(compileAt(t, conf, src), ServeOptions{MapPort: func(int) int { return 0 }})
	tables := []*Table{compileAt(t, conf, src), compileAt(t, conf, src)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200 {
			g.Swap(tables[i%2])
		}
	}()
	for {
		select {
		case <-done:
			if n := len(g.Stats()); n != 1 {
				t.Fatalf("%d entries, want /a/'s", n)
			}
			return
		default:
			g.Stats()
		}
	}
}
