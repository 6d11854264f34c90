package gateway

import (
	"strings"

	"github.com/berth-dev/berth/gateway/nginx"
)

// cookieRules are a location's proxy_cookie_domain, proxy_cookie_path and
// proxy_cookie_flags as one request evaluates them: the Set-Cookie
// headers of upstream answers are rewritten by them
// (ngx_http_proxy_rewrite_cookie). Each directive inherits as arrays do,
// and `off` stands for none.
type cookieRules struct {
	domains []redirectRule // from: the domain, its leading dot dropped; re: caseless
	paths   []redirectRule
	flags   []cookieFlags
}

// cookieFlags is one proxy_cookie_flags line: the cookies it applies to
// (a name, caseless, or a caseless regex) and its flags, evaluated when
// a cookie's name matches.
type cookieFlags struct {
	name  string
	re    *Regex
	flags []string
}

func (c *cookieRules) empty() bool {
	return c == nil || len(c.domains) == 0 && len(c.paths) == 0 && len(c.flags) == 0
}

// cookieRulesFor evaluates the rules in effect for the request of st.
func (st *state) cookieRulesFor() *cookieRules {
	c := &cookieRules{}
	lines := func(name string) []*nginx.Directive {
		ds := st.conf.List(name)
		if len(ds) == 1 && len(ds[0].Args) == 1 { // off
			return nil
		}
		return ds
	}
	for _, d := range lines("proxy_cookie_domain") {
		if strings.HasPrefix(d.Args[0], "~") {
			if re := st.t.regexes[d]; re != nil {
				c.domains = append(c.domains, redirectRule{re: re, to: d.Args[1]})
			}
			continue
		}
		from, to := strings.TrimPrefix(d.Args[0], "."), strings.TrimPrefix(d.Args[1], ".")
		c.domains = append(c.domains, redirectRule{from: st.vars.expand(from), to: st.vars.expand(to)})
	}
	for _, d := range lines("proxy_cookie_path") {
		if strings.HasPrefix(d.Args[0], "~") {
			if re := st.t.regexes[d]; re != nil {
				c.paths = append(c.paths, redirectRule{re: re, to: d.Args[1]})
			}
			continue
		}
		c.paths = append(c.paths, redirectRule{from: st.vars.expand(d.Args[0]), to: st.vars.expand(d.Args[1])})
	}
	for _, d := range lines("proxy_cookie_flags") {
		f := cookieFlags{flags: d.Args[1:]}
		if strings.HasPrefix(d.Args[0], "~") {
			if f.re = st.t.regexes[d]; f.re == nil {
				continue
			}
		} else {
			f.name = st.vars.expand(d.Args[0])
		}
		c.flags = append(c.flags, f)
	}
	return c
}

// cookieAttr is one `name[=value]` of a Set-Cookie value; hasValue tells
// `Secure` from `Secure=`.
type cookieAttr struct {
	key, value string
	hasValue   bool
	dropped    bool
}

// parseCookie splits a Set-Cookie value as ngx_http_proxy_parse_cookie
// does: at every `;`, each part trimmed of spaces and cut at its first
// `=`.
func parseCookie(s string) []cookieAttr {
	var attrs []cookieAttr
	for {
		part, rest, more := strings.Cut(s, ";")
		part = strings.TrimLeft(part, " ")
		name, value, has := strings.Cut(part, "=")
		a := cookieAttr{key: strings.TrimRight(name, " "), hasValue: has}
		if has {
			a.value = strings.Trim(value, " ")
		}
		attrs = append(attrs, a)
		if !more {
			return attrs
		}
		s = rest
	}
}

// rewriteSetCookie applies the rules to one Set-Cookie value. A value
// they change is written again as nginx writes it, attributes joined by
// "; "; one they leave alone passes byte for byte.
func (u *UpstreamRequest) rewriteSetCookie(value string) string {
	if !u.cookiesRead {
		u.cookies, u.cookiesRead = u.st.cookieRulesFor(), true
	}
	c := u.cookies
	if c.empty() {
		return value
	}
	attrs := parseCookie(value)
	if !attrs[0].hasValue {
		return value // not name=value: nginx leaves it
	}
	changed := false
	for i := 1; i < len(attrs); i++ {
		a := &attrs[i]
		if !a.hasValue {
			continue
		}
		switch {
		case strings.EqualFold(a.key, "domain"):
			changed = c.rewriteDomain(u.st.vars, a) || changed
		case strings.EqualFold(a.key, "path"):
			for _, r := range c.paths {
				if out, ok := r.apply(u.st.vars, a.value, 0); ok {
					a.value, changed = out, true
					break
				}
			}
		}
	}
	if f := c.flagsFor(u.st.vars, attrs[0].key); f != 0 {
		attrs = editCookieFlags(attrs, f)
		changed = true
	}
	if !changed {
		return value
	}
	var b strings.Builder
	first := true
	for _, a := range attrs {
		if a.dropped {
			continue
		}
		if !first {
			b.WriteString("; ")
		}
		first = false
		b.WriteString(a.key)
		if a.hasValue {
			b.WriteByte('=')
			b.WriteString(a.value)
		}
	}
	return b.String()
}

// rewriteDomain is ngx_http_proxy_rewrite_domain_handler for a plain
// rule (the whole domain, caseless, a leading dot kept) and the regex
// handler for a regex rule; the first rule that takes the value wins.
func (c *cookieRules) rewriteDomain(v *reqVars, a *cookieAttr) bool {
	for _, r := range c.domains {
		if r.re != nil {
			if out, ok := r.apply(v, a.value, 0); ok {
				a.value = out
				return true
			}
			continue
		}
		prefix := 0
		if strings.HasPrefix(a.value, ".") {
			prefix = 1
		}
		if strings.EqualFold(a.value[prefix:], r.from) {
			a.value = a.value[:prefix] + r.to
			return true
		}
	}
	return false
}

// Cookie flags (NGX_HTTP_PROXY_COOKIE_*_ON/_OFF).
const (
	cookieSecureOn = 1 << iota
	cookieSecureOff
	cookieHTTPOnlyOn
	cookieHTTPOnlyOff
	cookieSameSiteStrict
	cookieSameSiteLax
	cookieSameSiteNone
	cookieSameSiteOff
)

var cookieFlagNames = map[string]int{
	"secure": cookieSecureOn, "nosecure": cookieSecureOff,
	"httponly": cookieHTTPOnlyOn, "nohttponly": cookieHTTPOnlyOff,
	"samesite=strict": cookieSameSiteStrict, "samesite=lax": cookieSameSiteLax,
	"samesite=none": cookieSameSiteNone, "nosamesite": cookieSameSiteOff,
}

// flagsFor is ngx_http_proxy_rewrite_cookie_flags: the flags of the
// first line whose cookie name (caseless) or regex takes name; unknown
// and empty flags are skipped.
func (c *cookieRules) flagsFor(v *reqVars, name string) int {
	for _, f := range c.flags {
		if f.re != nil && f.re.Match(name) == nil || f.re == nil && !strings.EqualFold(f.name, name) {
			continue
		}
		mask := 0
		for _, fl := range f.flags {
			mask |= cookieFlagNames[strings.ToLower(v.expand(fl))]
		}
		return mask
	}
	return 0
}

// editCookieFlags is ngx_http_proxy_edit_cookie_flags: attributes the
// flags turn on are set (in place, or added at the end), those they turn
// off dropped.
func editCookieFlags(attrs []cookieAttr, f int) []cookieAttr {
	for i := 1; i < len(attrs); i++ {
		a := &attrs[i]
		switch {
		case strings.EqualFold(a.key, "secure"):
			if f&cookieSecureOn != 0 {
				f &^= cookieSecureOn
			} else if f&cookieSecureOff != 0 {
				a.dropped = true
			}
		case strings.EqualFold(a.key, "httponly"):
			if f&cookieHTTPOnlyOn != 0 {
				f &^= cookieHTTPOnlyOn
			} else if f&cookieHTTPOnlyOff != 0 {
				a.dropped = true
			}
		case strings.EqualFold(a.key, "samesite"):
			f = editSameSite(a, f)
		}
	}
	if f&cookieSecureOn != 0 {
		attrs = append(attrs, cookieAttr{key: "Secure"})
	}
	if f&cookieHTTPOnlyOn != 0 {
		attrs = append(attrs, cookieAttr{key: "HttpOnly"})
	}
	switch {
	case f&cookieSameSiteStrict != 0:
		attrs = append(attrs, cookieAttr{key: "SameSite", value: "Strict", hasValue: true})
	case f&cookieSameSiteLax != 0:
		attrs = append(attrs, cookieAttr{key: "SameSite", value: "Lax", hasValue: true})
	case f&cookieSameSiteNone != 0:
		attrs = append(attrs, cookieAttr{key: "SameSite", value: "None", hasValue: true})
	}
	return attrs
}

// editSameSite sets an existing SameSite attribute to the value the flags
// ask for, in nginx's order (strict, lax, none), or drops it for
// nosamesite; it returns the flags left to add.
func editSameSite(a *cookieAttr, f int) int {
	for _, s := range []struct {
		flag int
		name string
	}{{cookieSameSiteStrict, "Strict"}, {cookieSameSiteLax, "Lax"}, {cookieSameSiteNone, "None"}} {
		if f&s.flag != 0 {
			if !strings.EqualFold(a.value, s.name) {
				a.key, a.value, a.hasValue = "SameSite", s.name, true
			}
			return f &^ s.flag
		}
	}
	if f&cookieSameSiteOff != 0 {
		a.dropped = true
	}
	return f
}
