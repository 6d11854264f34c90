package gateway

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/gateway/nginx"
)

// rewriteModule are the directives that make up a block's rewrite script,
// run in config order (ngx_http_rewrite_module).
var rewriteModule = []string{"rewrite", "return", "set", "if", "break"}

// script runs a block's rewrite-module directives. It returns next when
// the script ran to its end (or `break`/`last` stopped it), or the phase a
// redirect, return or internal redirect leads to.
func (st *state) script(code []*nginx.Directive, next phase) phase {
	p, _ := st.runScript(code, next)
	return p
}

// runScript returns the phase to go to and whether the script stopped
// (so an enclosing `if` stops too).
func (st *state) runScript(code []*nginx.Directive, next phase) (phase, bool) {
	for _, d := range code {
		switch d.Name {
		case "break":
			st.d.Trace = append(st.d.Trace, fmt.Sprintf("break at %s", d.Pos))
			return next, true
		case "set":
			st.set(d)
		case "return":
			return st.doReturn(d), true
		case "rewrite":
			if p, stop := st.rewrite(d, next); stop {
				return p, true
			}
		case "if":
			if !st.condition(d) {
				continue
			}
			st.enterIf(d)
			if p, stop := st.runScript(blockScript(d.Block), next); stop {
				return p, true
			}
		}
	}
	return next, false
}

// blockScript picks the rewrite-module directives of a block, in order.
func blockScript(block []*nginx.Directive) []*nginx.Directive {
	var out []*nginx.Directive
	for _, d := range block {
		for _, n := range rewriteModule {
			if d.Name == n {
				out = append(out, d)
			}
		}
	}
	return out
}

// enterIf makes a true `if` block's configuration the request's: its
// directives apply, and it inherits the location's content handler unless
// it has its own.
func (st *state) enterIf(d *nginx.Directive) {
	st.conf = newConf(LevelIf, st.conf, d.Block)
	if anon := st.t.anonymous[d]; anon != nil && anon.Handler != nil {
		st.handler = anon.Handler
	}
	st.d.Trace = append(st.d.Trace, fmt.Sprintf("if at %s is true", d.Pos))
}

// set is `set $var value`; setting $args changes the query nginx sends
// upstream and stops proxy_pass from forwarding the raw URI.
func (st *state) set(d *nginx.Directive) {
	name := strings.TrimPrefix(d.Args[0], "$")
	val := st.vars.expand(d.Args[1])
	if name == "args" || name == "query_string" {
		st.vars.args = val
		st.validUnparsed = false
		return
	}
	st.vars.set[name] = val
}

// doReturn is the return directive (ngx_http_rewrite_return).
func (st *state) doReturn(d *nginx.Directive) phase {
	d0 := d.Args[0]
	code, err := strconv.Atoi(d0)
	sends := err != nil || len(d.Args) > 1 || code < 400 // by ngx_http_send_response, which discards the body first
	if sends && code != 444 {
		st.d.Discards = true
		if st.bodyBroken() {
			return st.finalize(400, "client sent invalid chunked body")
		}
	}
	if err != nil { // return URL
		st.d.Redirect = st.absolute(st.vars.expand(d0))
		return st.answer(302, fmt.Sprintf("return at %s", d.Pos))
	}
	if len(d.Args) == 1 {
		if code >= 300 && code != 444 {
			return st.finalize(code, fmt.Sprintf("return at %s", d.Pos))
		}
		st.d.Close = code == 444
		return st.answer(code, fmt.Sprintf("return at %s", d.Pos))
	}
	text := st.vars.expand(d.Args[1])
	switch code {
	case 301, 302, 303, 307, 308:
		st.d.Redirect = st.absolute(text)
	default:
		st.d.Body = text
	}
	return st.answer(code, fmt.Sprintf("return at %s", d.Pos))
}

// answer ends the request with a response the rewrite module made
// itself (no error_page: nginx sends it as it is). Inside an error page,
// the status error_page keeps goes out instead (ngx_http_send_header
// puts r->err_status over any response's).
func (st *state) answer(code int, why string) phase {
	if st.errStatus != 0 && code != 444 {
		code = st.errStatus
	}
	st.d.Status, st.d.Reason = code, why
	st.d.Location, st.d.Conf = st.loc, st.conf
	return phaseDone
}

// rewrite runs one rewrite directive (ngx_http_script_regex_start_code
// and _end_code). stop reports that the script ends here.
func (st *state) rewrite(d *nginx.Directive, next phase) (p phase, stop bool) {
	re := st.t.regexes[d]
	if re == nil {
		return next, false // a pattern Berth cannot run: never matches
	}
	caps := re.Match(st.vars.uri)
	if caps == nil {
		st.vars.caps = nil // nginx clears the captures of a failed match
		return next, false
	}
	st.vars.setCaptures(caps)
	repl := d.Args[1]
	addArgs := true
	if strings.HasSuffix(repl, "?") {
		repl, addArgs = repl[:len(repl)-1], false
	}
	flag := ""
	if len(d.Args) == 3 {
		flag = d.Args[2]
	}
	redirect := 0
	switch {
	case flag == "permanent":
		redirect = 301
	case flag == "redirect", strings.HasPrefix(repl, "http://"), strings.HasPrefix(repl, "https://"), strings.HasPrefix(repl, "$scheme"):
		redirect = 302
	}
	out, argsAt := st.replace(repl, caps, redirect != 0)
	if redirect != 0 {
		loc := UnescapeURI(out, UnescapeKindRedirect)
		if addArgs && st.vars.args != "" {
			sep := "?"
			if literalHasQuery(repl) {
				sep = "&"
			}
			loc += sep + st.vars.args
		}
		st.d.Redirect = st.absolute(loc)
		st.d.Trace = append(st.d.Trace, fmt.Sprintf("rewrite at %s redirects to %s", d.Pos, st.d.Redirect))
		return st.answer(redirect, fmt.Sprintf("rewrite at %s", d.Pos)), true
	}
	uri, args := out, st.vars.args
	if argsAt >= 0 {
		uri, args = out[:argsAt], out[argsAt+1:]
		if addArgs && st.vars.args != "" {
			args += "&" + st.vars.args
		}
	} else if !addArgs {
		args = ""
	}
	if uri == "" {
		return st.finalize(500, fmt.Sprintf("the rewritten URI has a zero length (rewrite at %s)", d.Pos)), true
	}
	st.d.Trace = append(st.d.Trace, fmt.Sprintf("rewrite at %s: %s -> %s", d.Pos, st.vars.uri, uri+argsSuffix(args)))
	st.vars.uri, st.vars.args = uri, args
	st.internal, st.validUnparsed = true, false
	switch flag {
	case "break":
		st.validLocation, st.uriChanged = false, false
		return next, true
	case "last":
		st.uriChanged = true
		return next, true
	}
	st.uriChanged = true
	return next, false
}

// replace expands a rewrite replacement: literal text, $N captures and
// variables. Captures copied after the first literal "?" (the args), or
// anywhere in a redirect, are escaped with NGX_ESCAPE_ARGS when the
// client URI had "%" or "+" (ngx_http_script_copy_capture_code). argsAt
// is where a non-redirect's args start in out, or -1.
func (st *state) replace(repl string, caps *Captures, redirect bool) (out string, argsAt int) {
	var b strings.Builder
	argsAt = -1
	escape := st.quoted || st.plus
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		switch {
		case c == '?' && !redirect && argsAt < 0:
			argsAt = b.Len()
			b.WriteByte('?')
		case c == '$' && i+1 < len(repl) && repl[i+1] >= '1' && repl[i+1] <= '9':
			n := int(repl[i+1] - '0')
			i++
			if n < len(caps.Groups) {
				v := caps.Groups[n]
				if escape && (argsAt >= 0 || redirect) {
					v = EscapeURI(v, EscapeKindArgs)
				}
				b.WriteString(v)
			}
		case c == '$':
			j := i + 1
			name := ""
			if j < len(repl) && repl[j] == '{' {
				end := strings.IndexByte(repl[j:], '}')
				if end < 0 {
					b.WriteByte(c)
					continue
				}
				name, i = repl[j+1:j+end], j+end
			} else {
				for j < len(repl) && isVarByte(repl[j]) {
					j++
				}
				if j == i+1 {
					b.WriteByte(c)
					continue
				}
				name, i = repl[i+1:j], j-1
			}
			v, _ := st.vars.lookup(name)
			b.WriteString(v)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), argsAt
}

// literalHasQuery reports whether the replacement's literal text (not a
// variable's value) has a "?": nginx then joins the request's args with "&".
func literalHasQuery(repl string) bool {
	for i := 0; i < len(repl); i++ {
		switch repl[i] {
		case '?':
			return true
		case '$':
			i++
			for i < len(repl) && (isVarByte(repl[i]) || repl[i] == '{' || repl[i] == '}') {
				i++
			}
			i--
		}
	}
	return false
}

// condition evaluates an `if` (ngx_http_rewrite_if_condition).
func (st *state) condition(d *nginx.Directive) bool {
	args := ifOperands(d.Args)
	v := st.vars
	switch len(args) {
	case 1:
		s := v.expand(args[0])
		return s != "" && s != "0"
	case 2:
		op, path := args[0], v.expand(args[1])
		neg := strings.HasPrefix(op, "!")
		info, err := st.opts.Files.Stat(path)
		var res bool
		switch strings.TrimPrefix(op, "!") {
		case "-f":
			res = err == nil && info.Mode().IsRegular()
		case "-d":
			res = err == nil && info.IsDir()
		case "-e":
			res = err == nil
		case "-x":
			res = err == nil && info.Mode()&0o111 != 0
		}
		return res != neg
	case 3:
		left, op := v.expand(args[0]), args[1]
		switch op {
		case "=":
			return left == v.expand(args[2])
		case "!=":
			return left != v.expand(args[2])
		case "~", "~*", "!~", "!~*":
			re := st.t.regexes[d]
			if re == nil {
				return false
			}
			caps := re.Match(left)
			if caps != nil && !strings.HasPrefix(op, "!") {
				v.setCaptures(caps)
			}
			return (caps != nil) != strings.HasPrefix(op, "!")
		}
	}
	return false
}

// ifOperands strips the parentheses of an if condition's tokens. They
// may stand alone ("(", ")") or be glued to an operand ("($x", "y)");
// an empty quoted operand ("") stays.
func ifOperands(raw []string) []string {
	args := append([]string(nil), raw...)
	if len(args) > 0 {
		if args[0] == "(" {
			args = args[1:]
		} else {
			args[0] = strings.TrimPrefix(args[0], "(")
		}
	}
	if n := len(args); n > 0 {
		if args[n-1] == ")" {
			args = args[:n-1]
		} else {
			args[n-1] = strings.TrimSuffix(args[n-1], ")")
		}
	}
	return args
}
