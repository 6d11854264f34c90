package gateway

import "testing"

// proxy_cookie_* as a table: each Set-Cookie value and what nginx makes
// of it (checked against nginx 1.22 by the proxy-cookies fixture).
func TestRewriteSetCookie(t *testing.T) {
	tbl := compileSnippet(t, `
upstream app { server 127.0.0.1:9000; }
server {
    listen 19080;
    proxy_cookie_domain app.internal example.com;
    location /p/ {
        proxy_pass http://app/;
        proxy_cookie_path / /p/;
        proxy_cookie_flags ~^s secure samesite=lax;
        proxy_cookie_flags id nohttponly nosamesite;
    }
    location /off/ { proxy_pass http://app/; proxy_cookie_domain off; }
}`)
	cases := []struct{ target, in, want string }{
		{"/p/", "a=1; Path=/x", "a=1; Path=/p/x"},
		{"/p/", "a=1;Path=/x ;  Max-Age=5", "a=1; Path=/p/x; Max-Age=5"},
		{"/p/", "a=1; Path=x", "a=1; Path=x"}, // no prefix match: byte for byte
		{"/p/", "noval; Path=/", "noval; Path=/"},
		{"/p/", "a=1; Domain=.APP.internal", "a=1; Domain=.example.com"},
		{"/p/", "s=1; SameSite=Strict", "s=1; SameSite=Lax; Secure"},
		{"/p/", "s=1; secure; samesite=lax", "s=1; secure; samesite=lax"},
		{"/p/", "ID=1; HttpOnly; SameSite=None; Secure", "ID=1; Secure"},
		{"/off/", "a=1; Domain=app.internal", "a=1; Domain=app.internal"},
	}
	for _, c := range cases {
		d := tbl.Match(req("GET", c.target), MatchOptions{})
		if got := d.Upstream.rewriteSetCookie(c.in); got != c.want {
			t.Errorf("%s %q: %q, want %q", c.target, c.in, got, c.want)
		}
	}
}
