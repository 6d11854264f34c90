package gateway

import (
	"errors"
	"testing"
)

// hostCase is one Host header value and $host under the two rule sets. The
// legacy column is checked against real nginx in uri_nginx_test.go.
type hostCase struct {
	id     string
	in     string
	legacy string // $host for ≤ 1.29.3; "!" means 400
	strict string // $host for ≥ 1.29.4; "!" means 400
}

var hostCases = []hostCase{
	{"S5#1", "WWW.Example.TEST.:8080", "www.example.test", "www.example.test"},
	{"S7#1", "a..test", "!", "!"},
	{"S7#2", "a/b", "!", "!"},
	{"V3#1", "a.test:99999", "a.test", "!"},
	{"V3#2", "a.test:abc", "a.test", "!"},
	{"V3#4", "a\"b.test", "a\"b.test", "!"},
	{"plain", "example.test", "example.test", "example.test"},
	{"trailing dot", "example.test.", "example.test", "example.test"},
	{"two trailing dots", "example.test..", "!", "!"},
	{"dot only", ".", "!", "!"},
	{"port only", ":80", "!", "!"},
	{"empty", "", "!", "!"},
	{"leading dot", ".Example.test", ".example.test", ".example.test"},
	{"underscore", "a_b.test", "a_b.test", "a_b.test"},
	{"ipv4 port", "127.0.0.1:19080", "127.0.0.1", "127.0.0.1"},
	{"ipv6", "[::1]", "[::1]", "[::1]"},
	{"ipv6 port", "[::1]:8080", "[::1]", "[::1]"},
	{"ipv6 upper", "[::FFFF:A]", "[::ffff:a]", "[::ffff:a]"},
	{"ipv6 open", "[::1", "[::1", "!"},
	{"ipv6 junk after", "[::1]x", "[::1]", "!"},
	{"ipv6 dot after", "[::1].", "[::1]", "!"},
	{"dots in port", "a.test:8..", "!", "!"},
	{"dot in port keeps dot", "a.test.:8.0", "a.test.", "!"},
	{"two colons", "a:b:c", "a", "!"},
	{"empty port", "a.test:", "a.test", "a.test"},
	{"dot colon", "a.:", "a", "a"},
	{"port max", "a.test:65535", "a.test", "a.test"},
	{"port zeros", "a.test:0065535", "a.test", "a.test"},
	{"port over", "a.test:65536", "a.test", "!"},
	{"utf8", "caf\xc3\xa9.test", "caf\xc3\xa9.test", "!"},
	{"utf8 ascii-only lower", "A\xc3\x89.TEST", "a\xc3\x89.test", "!"},
	{"tab", "a\tb", "!", "!"},
	{"space", "a b", "!", "!"},
	{"DEL", "a\x7fb", "!", "!"},
	{"backslash", "a\\b", "a\\b", "!"},
	{"percent", "a%41.test", "a%41.test", "a%41.test"},
	{"at", "a@b", "a@b", "!"},
	{"sub-delims", "a!$&'()*+,;=~b", "a!$&'()*+,;=~b", "a!$&'()*+,;=~b"},
	{"brackets", "a[b]", "a[b]", "!"},
	{"query", "a?b", "a?b", "!"},
	{"upper punycode", "XN--CAF-DMA.Test", "xn--caf-dma.test", "xn--caf-dma.test"},
}

func TestNormalizeHost(t *testing.T) {
	strict := NginxVersion{Major: 1, Minor: 29, Patch: 4}
	for _, c := range hostCases {
		for _, run := range []struct {
			v    NginxVersion
			want string
		}{{DefaultNginxVersion, c.legacy}, {NginxVersion{}, c.legacy}, {NginxVersion{1, 29, 3}, c.legacy}, {strict, c.strict}, {NginxVersion{1, 31, 5}, c.strict}} {
			got, err := NormalizeHost(c.in, run.v)
			if run.want == "!" {
				if !errors.Is(err, ErrNginx400) {
					t.Errorf("%s: NormalizeHost(%q, %v) = %q, %v; want 400", c.id, c.in, run.v, got, err)
				}
				continue
			}
			if err != nil || got != run.want {
				t.Errorf("%s: NormalizeHost(%q, %v) = %q, %v; want %q", c.id, c.in, run.v, got, err, run.want)
			}
		}
	}
}

func TestParseNginxVersion(t *testing.T) {
	for in, want := range map[string]NginxVersion{
		"1.22.1":       {1, 22, 1},
		"nginx/1.31.5": {1, 31, 5},
		"1.29":         {1, 29, 0},
		" 1.2.3 ":      {1, 2, 3},
	} {
		got, err := ParseNginxVersion(in)
		if err != nil || got != want {
			t.Errorf("ParseNginxVersion(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "1", "1.x.2", "1.2.3.4", "1..2", "-1.2", "1.+2"} {
		if _, err := ParseNginxVersion(in); err == nil {
			t.Errorf("ParseNginxVersion(%q): want error", in)
		}
	}
	v := DefaultNginxVersion
	if !v.AtLeast(1, 22, 1) || !v.AtLeast(1, 21, 9) || v.AtLeast(1, 22, 2) || v.AtLeast(1, 29, 4) || v.AtLeast(2, 0, 0) {
		t.Errorf("AtLeast wrong for %v", v)
	}
	if v.String() != "1.22.1" || (NginxVersion{}).OrDefault() != v || !(NginxVersion{}).IsZero() {
		t.Errorf("String/OrDefault/IsZero wrong")
	}
	if v.Compare(NginxVersion{1, 3, 0}) != 1 || (NginxVersion{1, 3, 0}).Compare(v) != -1 || v.Compare(v) != 0 {
		t.Errorf("Compare wrong")
	}
}
