package gateway

import (
	"testing"
)

// TestEscapeTablesMatchNginx compares each table with the 8 little-endian
// bit words of the same-named static table in ngx_escape_uri
// (src/core/ngx_string.c, 1.22.1 to 1.31.x): bit (c & 31) of word c>>5 is
// set when byte c is escaped.
func TestEscapeTablesMatchNginx(t *testing.T) {
	const all = 0xffffffff
	nginx := map[EscapeKind][8]uint32{
		EscapeKindURI:          {all, 0xd000002d, 0x50000000, 0xb8000001, all, all, all, all},
		EscapeKindArgs:         {all, 0xd800086d, 0x50000000, 0xb8000001, all, all, all, all},
		EscapeKindURIComponent: {all, 0xfc009fff, 0x78000001, 0xb8000001, all, all, all, all},
		EscapeKindHTML:         {all, 0x500000ad, 0x50000000, 0xb8000001, all, all, all, all},
		EscapeKindRefresh:      {all, 0x50000085, 0x50000000, 0xd8000001, all, all, all, all},
		EscapeKindMemcached:    {all, 0x00000021, 0, 0, 0, 0, 0, 0},
		EscapeKindMailAuth:     {all, 0x00000021, 0, 0, 0, 0, 0, 0},
	}
	if len(nginx) != len(escapeTables) {
		t.Fatalf("%d tables here, %d in the nginx list", len(escapeTables), len(nginx))
	}
	for kind, words := range nginx {
		var got [8]uint32
		for c := 0; c < 256; c++ {
			if escapeTables[kind][c] {
				got[c>>5] |= 1 << (c & 31)
			}
		}
		if got != words {
			t.Errorf("kind %d: got %08x, nginx has %08x", kind, got, words)
		}
	}
}

func TestEscapeURI(t *testing.T) {
	cases := []struct {
		in   string
		kind EscapeKind
		want string
	}{
		// §5.1: what proxy_pass with a URI part sends for the part after
		// the location prefix of a quoted URI.
		{"a b", EscapeKindURI, "a%20b"},       // P2 /s/a%20b
		{"a/b", EscapeKindURI, "a/b"},         // P2#4 /s/a%2Fb
		{"a?b", EscapeKindURI, "a%3Fb"},       // P2#5 /s/a%3Fb
		{"a%25", EscapeKindURI, "a%2525"},     // P2#6 /s/a%2525
		{"\xc3\xa9", EscapeKindURI, "%C3%A9"}, // /s/%C3%A9
		{"a+b+", EscapeKindURI, "a+b+"},       // P13#1
		{"bar/baz", EscapeKindURI, "bar/baz"}, // P2#2
		{"#\"<>\\^`{|}\x7f\x00", EscapeKindURI, "%23%22%3C%3E%5C%5E%60%7B%7C%7D%7F%00"},
		{"!$&'()*+,;=:@[]~", EscapeKindURI, "!$&'()*+,;=:@[]~"},
		{"a&b+c;d=e", EscapeKindArgs, "a%26b%2Bc%3Bd=e"},
		{"a b/c", EscapeKindArgs, "a%20b/c"},
		{"aZ09-._~", EscapeKindURIComponent, "aZ09-._~"},
		{"a/b c:@!", EscapeKindURIComponent, "a%2Fb%20c%3A%40%21"},
		{"'\"#%&", EscapeKindHTML, "%27%22%23%25&"},
		{"a}b~c", EscapeKindRefresh, "a}b%7Ec"},
		{"%#?'", EscapeKindRefresh, "%#?%27"},
		{"a b%\xff\x7f", EscapeKindMemcached, "a%20b%25\xff\x7f"},
		{"", EscapeKindURI, ""},
		{"a b", EscapeKind(42), "a b"},
	}
	for _, c := range cases {
		if got := EscapeURI(c.in, c.kind); got != c.want {
			t.Errorf("EscapeURI(%q, %d) = %q, want %q", c.in, c.kind, got, c.want)
		}
	}
}

func TestUnescapeURI(t *testing.T) {
	cases := []struct {
		in   string
		kind UnescapeKind
		want string
	}{
		{"/a%20b%2Fc", UnescapeKindPlain, "/a b/c"},
		{"/a?b%20", UnescapeKindPlain, "/a?b "},
		{"/a%3Fb%20", UnescapeKindPlain, "/a?b "},
		{"/a?b%20", UnescapeKindURI, "/a?b%20"},
		{"/a%3fb%20", UnescapeKindURI, "/a?b%20"},
		{"/a%41%20?%41", UnescapeKindURI, "/aA ?%41"},
		// Broken escapes, as nginx treats them.
		{"/a%zz", UnescapeKindPlain, "/azz"},
		{"/a%4z", UnescapeKindPlain, "/a"},
		{"/a%4zb", UnescapeKindPlain, "/ab"},
		{"/a%", UnescapeKindPlain, "/a"},
		{"/a%4", UnescapeKindURI, "/a"},
		{"/a%%41", UnescapeKindPlain, "/a%41"},
		{"/a%?b", UnescapeKindURI, "/a?b"},     // "?" after "%" does not stop
		{"/a%4?b%41", UnescapeKindURI, "/abA"}, // nor as the second byte
		// NGX_UNESCAPE_REDIRECT: only 0x26..0x7E are decoded.
		{"/new/a%20b", UnescapeKindRedirect, "/new/a%20b"}, // O1#4
		{"/a%41%2f%7e%7F%25%22%26%C3%A9", UnescapeKindRedirect, "/aA/~%7F%25%22&%C3%A9"},
		{"/a%3Fb%41", UnescapeKindRedirect, "/a?b%41"},
		{"/a?b%41", UnescapeKindRedirect, "/a?b%41"},
		{"/a%zz%2", UnescapeKindRedirect, "/azz"},
		{"", UnescapeKindRedirect, ""},
	}
	for _, c := range cases {
		if got := UnescapeURI(c.in, c.kind); got != c.want {
			t.Errorf("UnescapeURI(%q, %d) = %q, want %q", c.in, c.kind, got, c.want)
		}
	}
}
