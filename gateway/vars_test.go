package gateway

import "testing"

func TestExpandVariables(t *testing.T) {
	v := &reqVars{method: "GET", proto: "HTTP/1.1", scheme: "http", rawURI: "/a%20b?x=1&Y=2",
		uri: "/a b", args: "x=1&Y=2", host: "example.test", port: 8080, remote: "127.0.0.1", rport: "5000",
		headers: [][2]string{{"Host", "Example.TEST:8080"}, {"Cookie", "a=1"}, {"Cookie", "b=2"},
			{"X-Forwarded-For", "10.0.0.1"}, {"User-Agent", "curl"}},
		server: &Server{Names: []string{"canon.test", "example.test"}},
		caps:   &Captures{Groups: []string{"/a b", "a", "b"}},
		set:    map[string]string{"lang": "en"},
	}
	cases := map[string]string{
		"$host":                            "example.test",
		"$http_host":                       "Example.TEST:8080",
		"$uri$is_args$args":                "/a b?x=1&Y=2",
		"$request_uri":                     "/a%20b?x=1&Y=2",
		"$arg_y":                           "2", // names match case-insensitively
		"$arg_missing":                     "",
		"$cookie_b":                        "2",
		"$http_cookie":                     "a=1; b=2",
		"$http_user_agent":                 "curl",
		"$server_name:$server_port":        "canon.test:8080",
		"$proxy_add_x_forwarded_for":       "10.0.0.1, 127.0.0.1",
		"${scheme}://$host$1/$2":           "http://example.testa/b",
		"$lang-$10":                        "en-a0", // $1 then a literal 0, as nginx reads it
		"price: 5$":                        "price: 5$",
		"$remote_addr:$remote_port":        "127.0.0.1:5000",
		"$request_method $server_protocol": "GET HTTP/1.1",
		"${host}":                          "example.test",
		"$2":                               "b",
		"$0":                               "/a b",
		"$":                                "$",
		"${host":                           "${host",
	}
	for in, want := range cases {
		if got := v.expand(in); got != want {
			t.Errorf("expand(%q) = %q, want %q", in, got, want)
		}
	}
	if _, ok := v.lookup("no_such_variable"); ok || len(v.unknown) != 1 {
		t.Errorf("an unknown variable must be reported, got %v", v.unknown)
	}
}

func TestMapVariable(t *testing.T) {
	tbl := compileSnippet(t, `
map $http_x_env $be {
    default   b2;
    prod      b1;
    ~^stag    b3;
    ~*^DEV-(?<n>\d+)$ dev$n;
}
map $host $site {
    hostnames;
    default      none;
    *.example.com  wild;
    example.*      tail;
}
server { listen 19080; location / { return 200 "$be $site"; } }`)
	cases := []struct{ env, host, want string }{
		{"PROD", "x.test", "b1 none"}, // exact strings are case-insensitive
		{"staging", "a.example.com", "b3 wild"},
		{"STAGING", "example.org", "b2 tail"}, // regex ~ is case-sensitive
		{"dev-42", "x.test", "dev42 none"},
	}
	for _, c := range cases {
		d := tbl.Match(req("GET", "/", "Host: "+c.host, "X-Env: "+c.env), MatchOptions{})
		if d.Body != c.want {
			t.Errorf("X-Env %s Host %s: %q, want %q (%d %s)", c.env, c.host, d.Body, c.want, d.Status, d.Reason)
		}
	}
}
