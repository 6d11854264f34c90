package gateway

import (
	"net/netip"
	"testing"
)

// The walk along X-Forwarded-For, case by case as
// ngx_http_get_forwarded_addr takes it.
func TestForwardedAddr(t *testing.T) {
	proxies := trustedProxies{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8")}
	client := netip.MustParseAddrPort("127.0.0.1:40000")
	cases := []struct {
		name      string
		from      netip.AddrPort
		values    []string
		recursive bool
		want      string
		rc        forwardResult
	}{
		{"last entry", client, []string{"203.0.113.9, 10.1.2.3"}, false, "10.1.2.3:0", forwardOK},
		{"recursive to the first entry, trusted or not", client, []string{"203.0.113.9, 10.1.2.3"}, true, "203.0.113.9:0", forwardOK},
		{"recursive stops after the first untrusted", client, []string{"10.5.5.5, 203.0.113.9, 10.1.2.3"}, true, "203.0.113.9:0", forwardDone},
		{"recursive through every entry", client, []string{"10.9.9.9, 10.1.2.3"}, true, "10.9.9.9:0", forwardOK},
		{"untrusted client", netip.MustParseAddrPort("192.0.2.1:1"), []string{"10.1.2.3"}, false, "192.0.2.1:1", forwardDeclined},
		{"entry with a port", client, []string{"203.0.113.9:4444"}, false, "203.0.113.9:4444", forwardOK},
		{"IPv6 entry with a port", client, []string{"[2001:db8::5]:8443"}, false, "[2001:db8::5]:8443", forwardOK},
		{"bracketed IPv6 without a port", client, []string{"[2001:db8::5]"}, false, "127.0.0.1:40000", forwardDeclined},
		{"port 0 is no port", client, []string{"203.0.113.9:0"}, false, "127.0.0.1:40000", forwardDeclined},
		{"not an address", client, []string{"unknown"}, false, "127.0.0.1:40000", forwardDeclined},
		{"recursive, then not an address", client, []string{"bad, 10.1.2.3"}, true, "10.1.2.3:0", forwardDone},
		{"leading zeros", client, []string{"010.001.2.3"}, false, "10.1.2.3:0", forwardOK},
		{"broadcast is INADDR_NONE", client, []string{"255.255.255.255"}, false, "127.0.0.1:40000", forwardDeclined},
		{"trailing separators", client, []string{"1.2.3.4 , ,"}, false, "1.2.3.4:0", forwardOK},
		{"a leading comma is part of the first entry", client, []string{",10.1.2.3"}, true, "127.0.0.1:40000", forwardDeclined},
		{"empty value", client, []string{""}, false, "127.0.0.1:40000", forwardDeclined},
		{"the last line only", client, []string{"198.51.100.1", "203.0.113.50"}, false, "203.0.113.50:0", forwardOK},
		{"recursive across lines", client, []string{"203.0.113.1", "10.4.4.4"}, true, "203.0.113.1:0", forwardOK},
		{"recursive, earlier line untrusted", client, []string{"203.0.113.1", "203.0.113.2"}, true, "203.0.113.2:0", forwardDone},
		{"IPv4-mapped client", netip.MustParseAddrPort("[::ffff:127.0.0.1]:5"), []string{"203.0.113.9"}, false, "203.0.113.9:0", forwardOK},
	}
	for _, c := range cases {
		got, rc := forwardedAddr(c.from, c.values, proxies, c.recursive)
		if got.String() != c.want || rc != c.rc {
			t.Errorf("%s: %q recursive=%v: got %s (%d), want %s (%d)", c.name, c.values, c.recursive, got, rc, c.want, c.rc)
		}
	}
}

func TestNgxInetAddr(t *testing.T) {
	for in, want := range map[string]string{
		"1.2.3.4": "1.2.3.4", "01.02.03.004": "1.2.3.4", "1..2.3": "1.0.2.3", "1.2.3.": "1.2.3.0",
		"1.2.3": "", "1.2.3.4.5": "", "256.1.1.1": "", "255.255.255.255": "", "1.2.3.4 ": "", "": "",
	} {
		a, ok := ngxInetAddr(in)
		if got := map[bool]string{true: a.String(), false: ""}[ok]; got != want {
			t.Errorf("ngxInetAddr(%q) = %q, want %q", in, got, want)
		}
	}
}
