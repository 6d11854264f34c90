package gateway

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/berth-dev/berth/gateway/nginx"
)

// accessRule runs allow/deny (ngx_http_access_module) and limit_except:
// the first rule that matches the client address decides, and it is
// returned; nil when none matches (access is then up to the other
// checks). When the location has a limit_except block and the method is
// not one it lists (GET implies HEAD), that block's rules apply instead.
func accessRule(l *Location, conf *Conf, method, remote string) *nginx.Directive {
	rules := conf.List("allow", "deny")
	if l != nil {
		for _, le := range l.limitExcept {
			methods := le.Args
			if slices.Contains(methods, "GET") {
				methods = append(slices.Clone(methods), "HEAD")
			}
			if !slices.Contains(methods, method) {
				rules = newConf(LevelLimitExcept, conf, le.Block).List("allow", "deny")
			}
		}
	}
	addr, _ := netip.ParseAddr(remote)
	for _, r := range rules {
		if ruleMatches(r.Args[0], addr) {
			return r
		}
	}
	return nil
}

// ruleMatches tells whether an allow/deny argument ("all", an address, a
// CIDR, "unix:") covers the client.
func ruleMatches(arg string, addr netip.Addr) bool {
	switch {
	case arg == "all":
		return true
	case arg == "unix:":
		return !addr.IsValid()
	case strings.Contains(arg, "/"):
		p, err := netip.ParsePrefix(arg)
		return err == nil && addr.IsValid() && p.Masked().Contains(addr.Unmap())
	}
	a, err := netip.ParseAddr(arg)
	return err == nil && a == addr.Unmap()
}
