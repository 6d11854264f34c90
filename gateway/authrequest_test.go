package gateway

import (
	"net/http"
	"slices"
	"testing"
)

// The access phase with auth_request, as a table: the subrequest each
// request makes, and what each answer of it comes to.
func TestAuthRequestDecisions(t *testing.T) {
	tbl := compileSnippet(t, `
upstream auth { server 127.0.0.1:9001; }
upstream api { server 127.0.0.1:9002; }
server {
    listen 19080;
    location = /_auth { internal; proxy_pass http://auth/check; proxy_set_header X-Original-URI $request_uri; }
    location /api/ {
        auth_request /_auth;
        auth_request_set $user $upstream_http_x_user;
        auth_request_set $code $upstream_status;
        proxy_pass http://api;
        proxy_set_header X-User $user;
        proxy_set_header X-Code $code;
    }
    location /login/ { auth_request /_auth; error_page 401 = @login; proxy_pass http://api; }
    location @login { return 302 /sign-in; }
    location /any/ { satisfy any; deny all; auth_request /_auth; proxy_pass http://api; }
    location /trusted/ { satisfy any; allow 127.0.0.1; deny all; auth_request /_auth; proxy_pass http://api; }
    location /all/ { deny all; auth_request /_auth; proxy_pass http://api; }
    location /open/ { auth_request off; proxy_pass http://api; }
}`)
	// The subrequest: a GET for the auth URI, internal, the client's
	// raw URI in $request_uri, no body.
	d := tbl.Match(req("POST", "/api/items?x=1", "Content-Length: 3"), MatchOptions{})
	if d.Auth == nil {
		t.Fatalf("POST /api/items: no auth_request (%s)", d.Reason)
	}
	sub := d.Auth.Sub
	if sub.Upstream == nil || sub.Upstream.Method != "GET" || sub.Upstream.URI != "/check" || sub.Location.Name != "/_auth" {
		t.Fatalf("subrequest: %+v", sub.Upstream)
	}
	if v, _ := headerValue(sub.Upstream.Headers, "X-Original-URI"); v != "/api/items?x=1" {
		t.Errorf("subrequest X-Original-URI %q, want the client's", v)
	}

	cases := []struct {
		target string
		answer AuthAnswer
		status int // 0: goes to the api upstream
		auth   bool
		sets   [][2]string // headers the api upstream gets from auth_request_set
	}{
		{"/api/a", AuthAnswer{Status: 200, UpstreamStatus: 200, Upstream: http.Header{"X-User": {"alice"}}}, 0, true,
			[][2]string{{"X-User", "alice"}, {"X-Code", "200"}}},
		{"/api/a", AuthAnswer{Status: 204}, 0, true, nil},
		{"/api/a", AuthAnswer{Status: 401, UpstreamStatus: 401}, 401, true, nil},
		{"/api/a", AuthAnswer{Status: 403}, 403, true, nil},
		{"/api/a", AuthAnswer{Status: 302}, 500, true, nil},
		{"/api/a", AuthAnswer{Status: 502}, 500, true, nil},
		{"/login/a", AuthAnswer{Status: 401}, 302, true, nil},
		{"/any/a", AuthAnswer{Status: 200}, 0, true, nil},
		{"/any/a", AuthAnswer{Status: 401}, 401, true, nil},
		{"/any/a", AuthAnswer{Status: 403}, 403, true, nil},
		{"/trusted/a", AuthAnswer{}, 0, false, nil},
		{"/all/a", AuthAnswer{}, 403, false, nil},
		{"/open/a", AuthAnswer{}, 0, false, nil},
	}
	for _, c := range cases {
		d := tbl.Match(req("GET", c.target), MatchOptions{})
		if (d.Auth != nil) != c.auth {
			t.Errorf("%s: asks the auth service %v, want %v", c.target, d.Auth != nil, c.auth)
			continue
		}
		if d.Auth != nil {
			d = d.Auth.Continue(c.answer)
		}
		switch {
		case c.status != 0 && d.Status != c.status:
			t.Errorf("%s after %d: status %d (%s), want %d", c.target, c.answer.Status, d.Status, d.Reason, c.status)
		case c.status == 0 && (d.Status != 0 || d.Upstream == nil || d.Upstream.Upstream.Name != "api"):
			t.Errorf("%s after %d: status %d (%s), want the api upstream", c.target, c.answer.Status, d.Status, d.Reason)
		}
		for _, kv := range c.sets {
			if v, _ := headerValue(d.Upstream.Headers, kv[0]); v != kv[1] {
				t.Errorf("%s: %s %q, want %q", c.target, kv[0], v, kv[1])
			}
		}
	}

	// A 401 passes the auth upstream's WWW-Authenticate on: the first
	// in nginx 1.22, every one from 1.23, never one add_header made.
	ans := AuthAnswer{Status: 401, UpstreamStatus: 401,
		Upstream: http.Header{"Www-Authenticate": {`Bearer realm="api"`, `Basic realm="api"`}},
		Header:   http.Header{"Www-Authenticate": {`Bearer realm="api"`, `Basic realm="api"`, "Added"}}}
	d = tbl.Match(req("GET", "/api/a"), MatchOptions{}).Auth.Continue(ans)
	if !slices.Equal(d.AuthHeaders, []string{`Bearer realm="api"`}) {
		t.Errorf("401, nginx 1.22: WWW-Authenticate %q", d.AuthHeaders)
	}
	v123, _ := ParseNginxVersion("1.23.0")
	d = tbl.Match(req("GET", "/api/a"), MatchOptions{Version: v123}).Auth.Continue(ans)
	if !slices.Equal(d.AuthHeaders, []string{`Bearer realm="api"`, `Basic realm="api"`}) {
		t.Errorf("401, nginx 1.23: WWW-Authenticate %q", d.AuthHeaders)
	}
}

func headerValue(hs [][2]string, name string) (string, bool) {
	for _, kv := range hs {
		if http.CanonicalHeaderKey(kv[0]) == http.CanonicalHeaderKey(name) {
			return kv[1], true
		}
	}
	return "", false
}

// An add_header that reads the response through a map waits for it.
func TestReadsResponseThroughMaps(t *testing.T) {
	tbl := compileSnippet(t, `
map $upstream_http_x_user $who { default "someone"; "" "nobody"; }
map $who $greeting { default "hello $who"; }
map $host $plain { default "x"; }
server { listen 19080; location / { add_header A $greeting; add_header B $plain; add_header C "$status"; return 200; } }`)
	for _, c := range []struct {
		value string
		want  bool
	}{{"$greeting", true}, {"$who", true}, {"$plain", false}, {"$status", true}, {"$host", false}, {"text", false}} {
		if got := readsResponse(c.value, tbl.maps); got != c.want {
			t.Errorf("%s: reads the response %v, want %v", c.value, got, c.want)
		}
	}
}
