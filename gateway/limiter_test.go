package gateway

import (
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/berth-dev/berth/fixtures/echo"
)

// limitCheck is a request paused by rules with the given keys.
func limitCheck(keys []string, status int, dryRun bool, rules ...limitRule) *LimitCheck {
	return &LimitCheck{Keys: keys, rules: rules, set: &limitSettings{rules: rules, limitCommon: limitCommon{status: status, dryRun: dryRun}}}
}

// The buckets' verdicts, request by request, at the times given, with
// nginx's arithmetic: thousandths of a request, integer rates (1r/m is
// 16 a second, so a bucket takes 62.5 s, not 60, to leak one request),
// and buckets idle for a minute expired only when a new key comes.
func TestLimiterVerdicts(t *testing.T) {
	perSecond := &LimitZone{shmZone{Name: "s", Key: "$k"}, 1000}
	perMinute := &LimitZone{shmZone{Name: "m", Key: "$k"}, 1000 / 60}
	type step struct {
		at    time.Duration
		keys  []string
		label string
		delay time.Duration
	}
	cases := []struct {
		name   string
		dryRun bool
		rules  []limitRule
		steps  []step
	}{
		{"delaying burst", false, []limitRule{{zone: perSecond, burst: 2000}}, []step{
			{0, []string{"a"}, "PASSED", 0},
			{0, []string{"a"}, "DELAYED", time.Second},
			{100 * time.Millisecond, []string{"a"}, "DELAYED", 1900 * time.Millisecond},
			{100 * time.Millisecond, []string{"a"}, "REJECTED", 0},
			{5 * time.Second, []string{"a"}, "PASSED", 0},
		}},
		{"nodelay burst", false, []limitRule{{zone: perSecond, burst: 2000, delay: 1 << 62}}, []step{
			{0, []string{"a"}, "PASSED", 0},
			{0, []string{"a"}, "PASSED", 0},
			{0, []string{"a"}, "PASSED", 0},
			{0, []string{"a"}, "REJECTED", 0},
			{0, []string{"b"}, "PASSED", 0},
		}},
		{"delay= lets the first ones through", false, []limitRule{{zone: perSecond, burst: 3000, delay: 1000}}, []step{
			{0, []string{"a"}, "PASSED", 0},
			{0, []string{"a"}, "PASSED", 0},
			{0, []string{"a"}, "DELAYED", time.Second},
		}},
		{"1r/m leaks in 62.5 s", false, []limitRule{{zone: perMinute}}, []step{
			{0, []string{"a"}, "PASSED", 0},
			{61 * time.Second, []string{"a"}, "REJECTED", 0},
			{63 * time.Second, []string{"a"}, "PASSED", 0},
		}},
		{"an idle bucket expires when a new key comes", false, []limitRule{{zone: perMinute}}, []step{
			{0, []string{"a"}, "PASSED", 0},
			{61 * time.Second, []string{"b"}, "PASSED", 0},
			{61 * time.Second, []string{"a"}, "PASSED", 0},
		}},
		{"dry run counts, never holds", true, []limitRule{{zone: perSecond, burst: 1000}}, []step{
			{0, []string{"a"}, "PASSED", 0},
			{0, []string{"a"}, "DELAYED_DRY_RUN", 0},
			{0, []string{"a"}, "REJECTED_DRY_RUN", 0},
		}},
		{"two zones: the first refuses, the second's bucket is left as it was", false,
			[]limitRule{{zone: perSecond, burst: 0, delay: 1 << 62}, {zone: &LimitZone{shmZone{Name: "g", Key: "$g"}, 1000}, delay: 1 << 62}}, []step{
				{0, []string{"a", "x"}, "PASSED", 0},
				{0, []string{"a", "y"}, "REJECTED", 0},
				{0, []string{"b", "y"}, "PASSED", 0},
			}},
		{"an empty key is no limit", false, []limitRule{{zone: perSecond}}, []step{
			{0, []string{""}, "", 0},
			{0, []string{""}, "", 0},
		}},
	}
	for _, c := range cases {
		l := NewLimiter()
		for i, s := range c.steps {
			v := l.Check(limitCheck(s.keys, 503, c.dryRun, c.rules...), l.start.Add(s.at))
			if v.Label != s.label || v.Delay != s.delay || (v.Status != 0) != (s.label == "REJECTED") {
				t.Errorf("%s, request %d: %+v, want %s delayed %s", c.name, i+1, v, s.label, s.delay)
			}
		}
	}
}

// A delayed request reaches the upstream only after its delay.
func TestLimitReqDelaysTheRequest(t *testing.T) {
	up, err := echo.StartHTTP("tcp", "127.0.0.1:0", "b1")
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	_, addr := startGateway(t, fmt.Sprintf(`limit_req_zone $http_x_user zone=one:1m rate=1r/s;
		server { listen 80; location / { limit_req zone=one burst=1; proxy_pass http://%s; } }`, up.Addr()))
	get := func() (int, time.Duration) {
		req, _ := http.NewRequest("GET", "http://"+addr+"/", nil)
		req.Header.Set("X-User", "ann")
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, time.Since(start)
	}
	// The first request fills the bucket at once; the second, whenever
	// it comes, waits until a second has passed since the first.
	first := time.Now()
	get()
	status, _ := get()
	if took := time.Since(first); status != 200 || took < 950*time.Millisecond {
		t.Errorf("second request: %d, %s after the first began; want 200 no sooner than a second after", status, took)
	}
}

// A full zone makes room as nginx's does: the least recently used bucket
// goes, whatever it holds, so a key seen long ago starts afresh.
func TestLimiterFullZone(t *testing.T) {
	z := &LimitZone{shmZone{Name: "small", Key: "$k", Size: 5 * 4096}, 1000 / 60} // room for 32 buckets
	l := NewLimiter()
	check := func(key string) string {
		return l.Check(limitCheck([]string{key}, 503, false, limitRule{zone: z}), l.start).Label
	}
	for i := range 33 {
		if got := check(fmt.Sprint("k", i)); got != "PASSED" {
			t.Fatalf("key %d: %s, want PASSED", i, got)
		}
	}
	if got := check("k0"); got != "PASSED" {
		t.Errorf("k0, its bucket pushed out: %s, want PASSED", got)
	}
	if got := check("k2"); got != "REJECTED" {
		t.Errorf("k2, still counted: %s, want REJECTED", got)
	}
}
