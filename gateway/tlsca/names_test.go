package tlsca

import (
	"slices"
	"strings"
	"testing"
)

func TestSubjectNames(t *testing.T) {
	const local = "localhost 127.0.0.1 ::1"
	cases := []struct {
		sni   string
		names string // server_name values, space-separated
		want  string // space-separated, without the local names
	}{
		{"example.test", "example.test *.api.test", "example.test"},
		{"EXAMPLE.test.", "example.test", "example.test"},
		{"x.api.test", "example.test *.api.test", "*.api.test"},
		{"y.api.test", "example.test *.api.test", "*.api.test"},
		{"a.b.api.test", "example.test *.api.test", "a.b.api.test"},
		{"api.test", "example.test *.api.test", "example.test"}, // *.x does not match x
		{"api.test", ".api.test", "*.api.test api.test"},
		{"x.api.test", ".api.test", "*.api.test api.test"},
		{"a.b.api.test", ".api.test", "a.b.api.test"},
		{"x.test", "*.test", "x.test"}, // no wildcard under a top-level name
		{"test", ".test", "test"},
		{"www.example.com", "www.example.*", "www.example.com"},
		{"www.example.co.uk", "www.example.*", "www.example.co.uk"},
		{"x.api.test", "*.api.test x.api.test", "x.api.test"}, // exact wins
		{"other.test", "example.test *.api.test", "example.test"},
		{"", "example.test *.api.test", "example.test"},
		{"", "*.api.test example.test", "*.api.test"},
		{"", "~^api\\. _ www.example.* .api.test", "*.api.test api.test"},
		{"api.example", "~^api\\. _", ""},
		{"_", "_", ""},
		{"", "", ""},
		{"", "192.168.1.10 example.test", "192.168.1.10"},
		{"", "[::1]", "::1"},
		{"localhost", "example.test", "example.test"},
		{"bad name.test", "*.test", ""},
		{"ex\u00e4mple.test", "ex\u00e4mple.test", ""},
	}
	for _, c := range cases {
		t.Run(c.sni+"|"+c.names, func(t *testing.T) {
			want := strings.Fields(c.want)
			for _, l := range strings.Fields(local) {
				if !slices.Contains(want, l) {
					want = append(want, l)
				}
			}
			got := strings.Join(subjectNames(c.sni, strings.Fields(c.names)), " ")
			if got != strings.Join(want, " ") {
				t.Errorf("subjectNames(%q, %q) = %q, want %q", c.sni, c.names, got, want)
			}
		})
	}
}
