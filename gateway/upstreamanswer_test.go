package gateway

import "testing"

// X-Accel-Redirect values as ngx_http_parse_unsafe_uri splits or refuses
// them.
func TestUnsafeURI(t *testing.T) {
	for _, c := range []struct {
		in, uri, args string
		ok            bool
	}{
		{"/protected/a.txt", "/protected/a.txt", "", true},
		{"/p/a?x=1&y=2", "/p/a", "x=1&y=2", true},
		{"/p/a..b/c", "/p/a..b/c", "", true},
		{"/p/..hidden", "/p/..hidden", "", true},
		{"/p/../etc/passwd", "", "", false},
		{"/p/..", "", "", false},
		{"../p", "", "", false},
		{".hidden", "", "", false},
		{"?x=1", "", "", false},
		{"", "", "", false},
		{"/p/a\x00b", "", "", false},
		{"/p/a?x=/../", "/p/a", "x=/../", true},
	} {
		uri, args, ok := unsafeURI(c.in)
		if ok != c.ok || uri != c.uri || args != c.args {
			t.Errorf("%q: %q %q %v, want %q %q %v", c.in, uri, args, ok, c.uri, c.args, c.ok)
		}
	}
}
