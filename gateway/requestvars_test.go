package gateway

import (
	"strings"
	"testing"
	"time"
)

func TestClockVariables(t *testing.T) {
	at := time.Date(2026, 11, 28, 21, 5, 9, 7_000_000, time.FixedZone("", 3600))
	for _, c := range []struct{ got, want string }{
		{msec(at), "1795896309.007"},
		{at.Format(timeISO8601), "2026-11-28T21:05:09+01:00"},
		{at.Format(timeLocal), "28/Nov/2026:21:05:09 +0100"},
		{requestTime(at, at.Add(1234*time.Millisecond)), "1.234"},
		{requestTime(at, at.Add(5*time.Millisecond)), "0.005"},
		{requestTime(time.Time{}, at), "0.000"},
		{binaryRemoteAddr("127.0.0.1"), "\x7f\x00\x00\x01"},
		{binaryRemoteAddr("::ffff:10.0.0.1"), "\x0a\x00\x00\x01"},
		{binaryRemoteAddr("unix:"), ""},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// $request_id is the request's: one value however often it is read,
// another for the next request.
func TestRequestID(t *testing.T) {
	tbl := compileSnippet(t, `server { listen 19080; location / { return 200 "$request_id $request_id"; } }`)
	seen := map[string]bool{}
	for range 3 {
		d := tbl.Match(req("GET", "/"), MatchOptions{})
		a, b, _ := strings.Cut(d.Body, " ")
		if a != b || len(a) != 32 || seen[a] {
			t.Fatalf("request IDs %q", d.Body)
		}
		seen[a] = true
	}
}
