package gateway

import (
	"fmt"
	"strconv"
	"strings"
)

// NginxVersion names the nginx release whose behaviour the gateway mirrors.
// Several rules (host validation, upstream HTTP version, uwsgi header joining)
// changed between releases, so every version-dependent decision takes one.
// The zero value means "not chosen"; use OrDefault to fall back to
// DefaultNginxVersion.
type NginxVersion struct {
	Major, Minor, Patch int
}

// DefaultNginxVersion is Debian 12's nginx, the production target.
var DefaultNginxVersion = NginxVersion{Major: 1, Minor: 22, Patch: 1}

// ParseNginxVersion reads "1.22.1", "1.22" or "nginx/1.22.1" (the form
// `nginx -v` prints).
func ParseNginxVersion(s string) (NginxVersion, error) {
	text := strings.TrimPrefix(strings.TrimSpace(s), "nginx/")
	parts := strings.Split(text, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return NginxVersion{}, fmt.Errorf("parsing nginx version %q: want MAJOR.MINOR[.PATCH]", s)
	}
	var nums [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p == "" || p[0] == '+' {
			return NginxVersion{}, fmt.Errorf("parsing nginx version %q: bad number %q", s, p)
		}
		nums[i] = n
	}
	return NginxVersion{Major: nums[0], Minor: nums[1], Patch: nums[2]}, nil
}

// Compare returns -1, 0 or +1 as v is older than, equal to or newer than o.
func (v NginxVersion) Compare(o NginxVersion) int {
	for _, d := range [3]int{v.Major - o.Major, v.Minor - o.Minor, v.Patch - o.Patch} {
		switch {
		case d < 0:
			return -1
		case d > 0:
			return 1
		}
	}
	return 0
}

// AtLeast reports whether v is major.minor.patch or newer; rules are written
// as "since 1.29.4" in nginx's CHANGES, so this is the natural test.
func (v NginxVersion) AtLeast(major, minor, patch int) bool {
	return v.Compare(NginxVersion{Major: major, Minor: minor, Patch: patch}) >= 0
}

// IsZero reports whether no version was chosen.
func (v NginxVersion) IsZero() bool { return v == NginxVersion{} }

// OrDefault returns v, or DefaultNginxVersion when v is the zero value.
func (v NginxVersion) OrDefault() NginxVersion {
	if v.IsZero() {
		return DefaultNginxVersion
	}
	return v
}

// String prints the version as nginx does, e.g. "1.22.1".
func (v NginxVersion) String() string {
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
}
