package gateway

import (
	"errors"
	"strings"
	"testing"
)

// uriCase is one request-target and what nginx 1.22.1 makes of it. The same
// table drives the unit test below and the real-nginx check in
// uri_nginx_test.go, which sends target as raw bytes.
type uriCase struct {
	id          string // reference case ID (nginx-semantics.md) or a short label
	target      string // raw request-target
	keepSlashes bool   // merge_slashes off on the default server
	bad         bool   // nginx answers 400
	uri         string // $uri
	args        string // $args
	host        string // $host; "" means the Host header "h.test"
}

var uriCases = []uriCase{
	// §11.2 L2 and §3.
	{id: "L2#1", target: "/x/../api/v1/z", uri: "/api/v1/z"},
	{id: "L2#2", target: "//api//v1///z", uri: "/api/v1/z"},
	{id: "L2#3", target: "/%61pi/v1/z", uri: "/api/v1/z"},
	{id: "L2#4", target: "/api%2Fv1/z", uri: "/api/v1/z"},
	{id: "L2#6", target: "/api/v1/%2e%2e/z", uri: "/api/z"},
	{id: "L2#7", target: "/../a", bad: true},
	{id: "L2#8", target: "/a%00b", bad: true},
	{id: "L2#9", target: "/a%zz", bad: true},
	{id: "L2#11", target: "/x.jpg%3Fq", uri: "/x.jpg?q"},
	{id: "§3 trailing ..", target: "/a/..", uri: "/"},
	{id: "§3 %2F merged", target: "/api/%2F", uri: "/api/"},
	{id: "L3#1", target: "//b/x", keepSlashes: true, uri: "//b/x"},
	{id: "S12#1", target: "//b//x", uri: "/b/x"},
	{id: "S12#1 off", target: "//b//x", keepSlashes: true, uri: "//b//x"},
	{id: "O1#7", target: "/r7%20x", uri: "/r7 x"},
	{id: "P2#1", target: "/n/%7Efoo/../bar//baz?a=%20", uri: "/n/bar/baz", args: "a=%20"},
	{id: "P13#1", target: "/s/a+b%2B", uri: "/s/a+b+"},
	{id: "L10#1", target: "/sv%63?q=%20", uri: "/svc", args: "q=%20"},
	{id: "U1#1", target: "/api/service1/a%20b/../c//d?x=1&y=%20", uri: "/api/service1/c/d", args: "x=1&y=%20"},
	{id: "L9#1", target: "/foo%0A", uri: "/foo\n"},

	// Dot segments.
	{id: "root", target: "/", uri: "/"},
	{id: "plain", target: "/a/b.c", uri: "/a/b.c"},
	{id: "dot mid", target: "/a/./b", uri: "/a/b"},
	{id: "dot end", target: "/a/.", uri: "/a/"},
	{id: "dot root", target: "/.", uri: "/"},
	{id: "dotdot root", target: "/..", bad: true},
	{id: "dotdot twice", target: "/a/../..", bad: true},
	{id: "dotdot thrice", target: "/a/b/../../..", bad: true},
	{id: "dotdot to root", target: "/a/b/../..", uri: "/"},
	{id: "dotdot mid", target: "/a/b/c/../../d", uri: "/a/d"},
	{id: "three dots", target: "/...", uri: "/..."},
	{id: "three dots seg", target: "/a/.../b", uri: "/a/.../b"},
	{id: "dot prefix", target: "/.a/..b/", uri: "/.a/..b/"},
	{id: "dot then dotdot", target: "/a/./../b", uri: "/b"},
	{id: "hidden then up", target: "/a/.b/../c", uri: "/a/c"},
	{id: "dotdot after //", target: "/a//../b", uri: "/b"},
	{id: "dotdot after // off", target: "/a//../b", keepSlashes: true, uri: "/a/b"},
	{id: "dot //", target: "/.//a", uri: "/a"},
	{id: "dot // off", target: "/.//a", keepSlashes: true, uri: "//a"},

	// Decoding and the bytes stored literally.
	{id: "%2e seg", target: "/a/%2e/b", uri: "/a/b"},
	{id: "%2E%2E seg", target: "/a/%2E%2E/b", uri: "/b"},
	{id: "mixed dots", target: "/a/.%2e/b", uri: "/b"},
	{id: "%2e%2e root", target: "/%2e%2e/a", bad: true},
	{id: "encoded seps", target: "/a%2f%2e%2e%2fb", uri: "/b"},
	{id: "%2e end", target: "/a/%2e", uri: "/a/"},
	{id: "%2e%2e end", target: "/a/%2e%2e", uri: "/"},
	{id: "..%2f", target: "/a/..%2fb", uri: "/b"},
	{id: "%25 literal", target: "/a%252F", uri: "/a%2F"},
	{id: "%25 then escapes", target: "/a%25%32%46", uri: "/a%2F"},
	{id: "%23 literal", target: "/a%23b", uri: "/a#b"},
	{id: "%3f literal + args", target: "/a%3fb?c", uri: "/a?b", args: "c"},
	{id: "dot %3F", target: "/a/.%3F", uri: "/a/.?"},
	{id: "dotdot %3F", target: "/a/..%3F", uri: "/a/..?"},
	{id: "dot %23", target: "/a/.%23", uri: "/a/.#"},
	{id: "utf8 escaped", target: "/%C3%A9", uri: "/\xc3\xa9"},
	{id: "utf8 raw", target: "/caf\xc3\xa9", uri: "/caf\xc3\xa9"},
	{id: "high byte", target: "/a%ff\xfe", uri: "/a\xff\xfe"},
	{id: "plus raw", target: "/a+b", uri: "/a+b"},
	{id: "space", target: "/a%20b", uri: "/a b"},
	{id: "%2B", target: "/a%2Bb", uri: "/a+b"},
	{id: "tab", target: "/a%09b", uri: "/a\tb"},
	{id: "DEL", target: "/a%7f", uri: "/a\x7f"},
	{id: "punct raw", target: "/a\"<>{}|\\^`~'!$&()*,;=:@[]", uri: "/a\"<>{}|\\^`~'!$&()*,;=:@[]"},

	// Bad escapes.
	{id: "% end", target: "/a%", bad: true},
	{id: "%4 end", target: "/a%4", bad: true},
	{id: "%4g", target: "/a%4g", bad: true},
	{id: "%?", target: "/a%?b", bad: true},
	{id: "%%41", target: "/a%%41", bad: true},
	{id: "%00 via dotdot", target: "/a/..%00", bad: true},

	// Query and fragment.
	{id: "dot ?", target: "/a/.?x", uri: "/a/", args: "x"},
	{id: "dotdot ?", target: "/a/..?x", uri: "/", args: "x"},
	{id: "dot #", target: "/a/.#x", uri: "/a/"},
	{id: "dotdot #", target: "/a/..#x", uri: "/"},
	{id: "dotdot ? root", target: "/..?x", bad: true},
	{id: "fragment", target: "/a#frag", uri: "/a"},
	{id: "fragment then ?", target: "/a#b?c", uri: "/a"},
	{id: "args then fragment", target: "/a?b#c", uri: "/a", args: "b"},
	{id: "two ?", target: "/a?b?c", uri: "/a", args: "b?c"},
	{id: "empty args", target: "/a?", uri: "/a"},
	{id: "args not decoded", target: "/a?%zz+%00", uri: "/a", args: "%zz+%00"},
	{id: "args raw utf8", target: "/a?q=\xc3\xa9&x=\"", uri: "/a", args: "q=\xc3\xa9&x=\""},
	{id: "complex + fragment args", target: "/x/./y?p=1#q", uri: "/x/y", args: "p=1"},

	// Slashes.
	{id: "double", target: "/a//b", uri: "/a/b"},
	{id: "double off", target: "/a//b", keepSlashes: true, uri: "/a//b"},
	{id: "triple", target: "///", uri: "/"},
	{id: "triple off", target: "///", keepSlashes: true, uri: "///"},
	{id: "encoded double", target: "/a%2F%2Fb", uri: "/a/b"},
	{id: "encoded double off", target: "/a%2F%2Fb", keepSlashes: true, uri: "/a//b"},
	{id: "dotdot off", target: "//..", keepSlashes: true, uri: "/"},

	// Request-line parser rejections.
	{id: "ctl", target: "/a\x01", bad: true},
	{id: "DEL raw", target: "/a\x7f", bad: true},
	{id: "ctl in args", target: "/a?\x01", bad: true},
	{id: "ctl after #", target: "/a#\x01", bad: true},
	{id: "asterisk", target: "*", bad: true},
	{id: "relative", target: "a/b", bad: true},
	{id: "starts with %", target: "%2Fa", bad: true},
	{id: "starts with ?", target: "?a", bad: true},

	// Absolute form.
	{id: "abs", target: "http://h.test/a/../b", uri: "/b"},
	{id: "S5 abs", target: "http://WWW.Example.TEST.:8080/x", uri: "/x", host: "www.example.test"},
	{id: "abs upper scheme", target: "HTTP://a.test/x", uri: "/x", host: "a.test"},
	{id: "abs other scheme", target: "ftp://a.test/x", uri: "/x", host: "a.test"},
	{id: "abs scheme chars", target: "h2c+x-y.z://a.test/x", uri: "/x", host: "a.test"},
	{id: "abs no path", target: "http://a.test", uri: "/", host: "a.test"},
	{id: "abs no path port", target: "http://a.test:8080", uri: "/", host: "a.test"},
	{id: "abs empty path args", target: "http://a.test?x=1", uri: "/", args: "x=1", host: "a.test"},
	{id: "abs empty path port args", target: "http://a.test:81?x", uri: "/", args: "x", host: "a.test"},
	{id: "abs empty port", target: "http://a.test:/x", uri: "/x", host: "a.test"},
	{id: "abs big port", target: "http://a.test:99999/x", uri: "/x", host: "a.test"},
	{id: "abs trailing dot", target: "http://a.test./x", uri: "/x", host: "a.test"},
	{id: "abs dash host", target: "http://-/x", uri: "/x", host: "-"},
	{id: "abs ipv6", target: "http://[::1]/x", uri: "/x", host: "[::1]"},
	{id: "abs ipv6 port", target: "http://[::1]:8080/x", uri: "/x", host: "[::1]"},
	{id: "abs ipv6 upper", target: "http://[::FFFF:1.2.3.4]/x", uri: "/x", host: "[::ffff:1.2.3.4]"},
	{id: "abs fragment", target: "http://a.test/a#b", uri: "/a", host: "a.test"},
	{id: "abs dotdot", target: "http://a.test/%2e%2e/x", bad: true},
	{id: "abs %00", target: "http://a.test/a%00", bad: true},
	{id: "S7#1 abs", target: "http://a..test/", bad: true},
	{id: "abs underscore", target: "http://a_b.test/", bad: true},
	{id: "abs userinfo", target: "http://user@a.test/", bad: true},
	{id: "abs bad port", target: "http://a.test:8a/", bad: true},
	{id: "abs port colon", target: "http://a.test:80:81/", bad: true},
	{id: "abs empty host", target: "http:///x", bad: true},
	{id: "abs port only", target: "http://:80/x", bad: true},
	{id: "abs open literal", target: "http://[::1/x", bad: true},
	{id: "abs after literal", target: "http://[::1]x/", bad: true},
	{id: "abs bad literal", target: "http://[::1%25]/", bad: true},
	{id: "abs one slash", target: "http:/a.test/x", bad: true},
	{id: "abs no slash", target: "http:a", bad: true},
	{id: "abs host #", target: "http://a.test#x", bad: true},
	{id: "abs scheme _", target: "ht_tp://a.test/", bad: true},
}

// uriGoAnswer is the gateway's view of a request: status, $uri, $args, $host,
// composed the way nginx orders its checks (request line, URI, then host).
func uriGoAnswer(target string, keepSlashes bool, hostHeader string, v NginxVersion) (status int, uri, args, host string) {
	t, err := ParseRequestTarget(target)
	if err != nil {
		return 400, "", "", ""
	}
	n, err := t.Normalize(!keepSlashes)
	if err != nil {
		return 400, "", "", ""
	}
	if t.Absolute {
		if host, err = NormalizeHost(t.HostForValidation(v), v); err != nil {
			return 400, "", "", ""
		}
	}
	// nginx validates the Host header even when the request line wins.
	headerHost, err := NormalizeHost(hostHeader, v)
	if err != nil {
		return 400, "", "", ""
	}
	if !t.Absolute {
		host = headerHost
	}
	return 200, n.URI, n.Args, host
}

func (c uriCase) want() (status int, uri, args, host string) {
	if c.bad {
		return 400, "", "", ""
	}
	host = c.host
	if host == "" {
		host = "h.test"
	}
	return 200, c.uri, c.args, host
}

func TestURICases(t *testing.T) {
	for _, c := range uriCases {
		t.Run(c.id, func(t *testing.T) {
			ws, wu, wa, wh := c.want()
			gs, gu, ga, gh := uriGoAnswer(c.target, c.keepSlashes, "h.test", DefaultNginxVersion)
			if gs != ws || gu != wu || ga != wa || gh != wh {
				t.Errorf("target %q (keepSlashes=%v): got %d uri=%q args=%q host=%q, want %d uri=%q args=%q host=%q",
					c.target, c.keepSlashes, gs, gu, ga, gh, ws, wu, wa, wh)
			}
		})
	}
}

func TestParseRequestTargetFields(t *testing.T) {
	cases := []struct {
		target string
		want   RequestTarget
	}{
		{"/a/b?x=1#f", RequestTarget{RawURI: "/a/b?x=1#f", Path: "/a/b", Args: "x=1", ComplexURI: true}},
		{"/a%20b+c?d", RequestTarget{RawURI: "/a%20b+c?d", Path: "/a%20b+c", Args: "d", QuotedURI: true}},
		{"/a+b/c", RequestTarget{RawURI: "/a+b/c", Path: "/a+b/c", PlusInURI: true}},
		// "+" after "%" is not seen by the request-line parser; the complex
		// pass finds it (see TestNormalizeFlags).
		{"/%41+", RequestTarget{RawURI: "/%41+", Path: "/%41+", QuotedURI: true}},
		{"/a?b%20+", RequestTarget{RawURI: "/a?b%20+", Path: "/a", Args: "b%20+"}},
		{"/a/./b", RequestTarget{RawURI: "/a/./b", Path: "/a/./b", ComplexURI: true}},
		{"/a.b/c", RequestTarget{RawURI: "/a.b/c", Path: "/a.b/c"}},
		{"HTTPS://Ex.test:8443/p?q", RequestTarget{Absolute: true, Scheme: "HTTPS", Host: "Ex.test", Port: "8443", HasPort: true, RawURI: "/p?q", Path: "/p", Args: "q"}},
		{"http://ex.test", RequestTarget{Absolute: true, Scheme: "http", Host: "ex.test", RawURI: "/", Path: "/"}},
		{"http://ex.test:?a#b", RequestTarget{Absolute: true, Scheme: "http", Host: "ex.test", HasPort: true, RawURI: "?a#b", Args: "a", EmptyPath: true, ComplexURI: true}},
		{"http://[::1]:80/", RequestTarget{Absolute: true, Scheme: "http", Host: "[::1]", Port: "80", HasPort: true, RawURI: "/", Path: "/"}},
	}
	for _, c := range cases {
		got, err := ParseRequestTarget(c.target)
		if err != nil {
			t.Errorf("ParseRequestTarget(%q): %v", c.target, err)
			continue
		}
		if got != c.want {
			t.Errorf("ParseRequestTarget(%q)\n got %+v\nwant %+v", c.target, got, c.want)
		}
	}
}

func TestHostForValidation(t *testing.T) {
	tg, err := ParseRequestTarget("http://a.test:99999/")
	if err != nil {
		t.Fatal(err)
	}
	if got := tg.HostForValidation(DefaultNginxVersion); got != "a.test" {
		t.Errorf("1.22.1: got %q", got)
	}
	v, _ := ParseNginxVersion("1.29.4")
	if got := tg.HostForValidation(v); got != "a.test:99999" {
		t.Errorf("1.29.4: got %q", got)
	}
	if s, _, _, _ := uriGoAnswer("http://a.test:99999/", false, "h.test", v); s != 400 {
		t.Errorf("1.29.4 absolute-form port 99999: got %d, want 400", s)
	}
}

func TestNormalizeFlags(t *testing.T) {
	cases := []struct {
		target        string
		quoted, plus  bool
		wantURI, args string
	}{
		{"/a", false, false, "/a", ""},
		{"/a%20", true, false, "/a ", ""},
		{"/%41+", true, true, "/A+", ""},
		{"/a%2b", true, true, "/a+", ""},
		{"/a?%20+", false, false, "/a", "%20+"},
		{"/a#%20", false, false, "/a", ""},
		{"/./%41", true, false, "/A", ""},
		{"/+", false, true, "/+", ""},
		{"http://h?x", false, false, "/", "x"},
	}
	for _, c := range cases {
		tg, err := ParseRequestTarget(c.target)
		if err != nil {
			t.Fatalf("%q: %v", c.target, err)
		}
		n, err := tg.Normalize(true)
		if err != nil {
			t.Fatalf("%q: %v", c.target, err)
		}
		if n.QuotedURI != c.quoted || n.PlusInURI != c.plus || n.URI != c.wantURI || n.Args != c.args {
			t.Errorf("%q: got %+v, want quoted=%v plus=%v uri=%q args=%q", c.target, n, c.quoted, c.plus, c.wantURI, c.args)
		}
	}
}

func TestURIErrors(t *testing.T) {
	for _, in := range []string{"", "a", "/a%zz", "/..", "/a%00"} {
		_, err := NormalizeURI(in, true)
		var ue *URIError
		if !errors.As(err, &ue) || !errors.Is(err, ErrNginx400) || ue.HTTPStatus() != 400 {
			t.Errorf("NormalizeURI(%q): got %v, want a *URIError wrapping ErrNginx400", in, err)
		}
	}
	if _, err := ParseRequestTarget("/a b"); !errors.Is(err, ErrNginx400) {
		t.Errorf("space in target: got %v", err)
	}
}

// FuzzNormalizeURI checks that normalisation never panics and never leaves a
// dot segment or a missing leading slash behind.
func FuzzNormalizeURI(f *testing.F) {
	for _, c := range uriCases {
		if strings.HasPrefix(c.target, "/") {
			f.Add(c.target, !c.keepSlashes)
		}
	}
	f.Fuzz(func(t *testing.T, raw string, merge bool) {
		// The other entry points must not panic on the same bytes.
		if tg, err := ParseRequestTarget(raw); err == nil {
			if n, err := tg.Normalize(merge); err == nil && !strings.HasPrefix(n.URI, "/") {
				t.Fatalf("target %q → %q: no leading slash", raw, n.URI)
			}
		}
		_, _ = NormalizeHost(raw, DefaultNginxVersion)
		_, _ = NormalizeHost(raw, NginxVersion{Major: 1, Minor: 29, Patch: 4})
		_ = UnescapeURI(raw, UnescapeKindRedirect)

		n, err := ParseComplexURI(raw, merge)
		if err != nil {
			if !errors.Is(err, ErrNginx400) {
				t.Fatalf("%q: error %v does not wrap ErrNginx400", raw, err)
			}
			return
		}
		u := n.URI
		if !strings.HasPrefix(u, "/") {
			t.Fatalf("%q → %q: no leading slash", raw, u)
		}
		if strings.Contains(u, "/./") || strings.Contains(u, "/../") ||
			strings.HasSuffix(u, "/.") || strings.HasSuffix(u, "/..") {
			t.Fatalf("%q → %q: dot segment left", raw, u)
		}
		if merge && strings.Contains(u, "//") {
			t.Fatalf("%q → %q: slashes not merged", raw, u)
		}
		if len(u) > len(raw) {
			t.Fatalf("%q → %q: output longer than input", raw, u)
		}
		// The result is a fixed point: with its "%", "?" and "#" escaped
		// again it normalises to itself.
		quoted := strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(u)
		if again, err := NormalizeURI(quoted, merge); err != nil || again != u {
			t.Fatalf("%q → %q, re-escaped and normalised again → %q, %v", raw, u, again, err)
		}
	})
}
