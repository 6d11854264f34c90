package gateway

import (
	"strings"
)

// redirectRule is one proxy_redirect rule as a request evaluates it
// (ngx_http_proxy_rewrite_complex_handler and _regex_handler): a value
// starting with from, or matching re, has that part replaced.
type redirectRule struct {
	from string // the pattern, its variables evaluated; "" for a regex
	re   *Regex
	// to is the replacement: evaluated already for a plain rule; for a
	// regex, the text whose variables (its captures among them) are
	// evaluated once it matches.
	to string
}

// redirectRules evaluates the proxy_redirect rules in effect for a
// proxy_pass, as nginx merges them (ngx_http_proxy_merge_loc_conf): the
// innermost level's lines; `off` (or no line, with variables in
// proxy_pass) none; no line at all the default rule.
func (st *state) redirectRules() []redirectRule {
	h, v := st.handler, st.vars
	defaultRule := func() []redirectRule {
		if h.HasVars {
			return nil
		}
		// plcf->url and plcf->location: proxy_pass as written.
		if h.HasURI && h.URI != "" {
			return []redirectRule{{from: h.Target, to: h.Location}}
		}
		return []redirectRule{{from: h.Target + "/", to: "/"}}
	}
	lines := st.conf.List("proxy_redirect")
	if len(lines) == 0 {
		return defaultRule()
	}
	var rules []redirectRule
	for _, d := range lines {
		switch {
		case d.Args[0] == "off":
			return nil
		case d.Args[0] == "default" && len(d.Args) == 1:
			rules = append(rules, defaultRule()...)
		case len(d.Args) != 2:
		case strings.HasPrefix(d.Args[0], "~"):
			if re := st.t.regexes[d]; re != nil {
				rules = append(rules, redirectRule{re: re, to: d.Args[1]})
			}
		default:
			rules = append(rules, redirectRule{from: v.expand(d.Args[0]), to: v.expand(d.Args[1])})
		}
	}
	return rules
}

// rewriteRedirect applies the first rule that takes value[prefix:] (the
// whole of a Location, what follows `url=` in a Refresh), as
// ngx_http_proxy_rewrite_redirect does; ok is false when none does.
func (u *UpstreamRequest) rewriteRedirect(value string, prefix int) (string, bool) {
	if !u.redirectsRead {
		u.redirects, u.redirectsRead = u.st.redirectRules(), true
	}
	for _, r := range u.redirects {
		if out, ok := r.apply(u.st.vars, value, prefix); ok {
			return out, true
		}
	}
	return value, false
}

// apply rewrites value[prefix:] when the rule takes it
// (ngx_http_proxy_rewrite_complex_handler, _regex_handler): a plain
// pattern is a prefix, compared byte for byte (ngx_rstrncmp; an empty
// one takes every value), a regex must match the whole rest, whose
// captures the replacement then sees, as nginx's regex exec sets them
// on the request.
func (r redirectRule) apply(v *reqVars, value string, prefix int) (string, bool) {
	rest := value[prefix:]
	if r.re == nil {
		if strings.HasPrefix(rest, r.from) {
			return value[:prefix] + r.to + rest[len(r.from):], true
		}
		return value, false
	}
	c := r.re.Match(rest)
	if c == nil {
		return value, false
	}
	v.setCaptures(c)
	return value[:prefix] + v.expand(r.to), true
}

// refreshURL finds where a Refresh value's URL starts: after its first
// `url=`, in any case (ngx_strcasestrn); -1 when it has none.
func refreshURL(value string) int {
	i := strings.Index(strings.ToLower(value), "url=")
	if i < 0 {
		return -1
	}
	return i + len("url=")
}
