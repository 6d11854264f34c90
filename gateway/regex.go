package gateway

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dlclark/regexp2/v2"
	"github.com/dlclark/regexp2/v2/syntax"
)

// Regex is a pattern from the config, run with PCRE's semantics as nginx
// runs it: backtracking, lookaround, `$` also before a final newline, named
// captures. nginx matches bytes, not characters (Debian's nginx does not ask
// PCRE for UTF mode), so both the pattern and the subject are handed to the
// engine one byte per rune; captures then map back to exact bytes, and a URI
// that is not valid UTF-8 matches as it does in nginx.
type Regex struct {
	Source   string // as written, without the `~` or `~*`
	Caseless bool
	re       *regexp2.Regexp
	names    []string // capture names by group number ("" for numbered)
}

// CompileRegex compiles a config pattern. The error text follows nginx's
// wording for a pattern PCRE refuses.
func CompileRegex(pattern string, caseless bool) (*Regex, error) {
	opts := regexp2.None
	if caseless {
		opts |= regexp2.IgnoreCase
	}
	re, err := regexp2.Compile(bytesAsRunesString(pcreToRegexp2(pattern)), opts, regexp2.OptionMaintainCaptureOrder())
	if err != nil {
		return nil, regexError(pattern, err)
	}
	r := &Regex{Source: pattern, Caseless: caseless, re: re}
	nums := re.GetGroupNumbers()
	r.names = make([]string, len(nums))
	for i, n := range nums {
		name := re.GroupNameFromNumber(n)
		if name != fmt.Sprint(n) {
			r.names[i] = name
		}
	}
	return r, nil
}

// RegexError is a pattern Berth could not compile. Unsupported is set when
// the pattern uses a PCRE feature the engine lacks (nginx accepts it);
// otherwise PCRE refuses it too and Msg is worded as nginx words it.
type RegexError struct {
	Msg         string
	Unsupported string // the PCRE feature, when that is the reason
}

func (e *RegexError) Error() string { return e.Msg }

// pcreOnly are PCRE constructs regexp2 does not run.
var pcreOnly = []struct{ token, feature string }{
	{"(?R)", "recursion"}, {"(?&", "subroutine calls"}, {"(?P>", "subroutine calls"},
	{`\K`, "\\K"}, {"(*", "verbs like (*UTF8)"}, {"(?|", "branch reset groups"},
	{"++", "possessive quantifiers"}, {"*+", "possessive quantifiers"}, {"?+", "possessive quantifiers"},
	{"}+", "possessive quantifiers"}, {"(?C", "callouts"},
}

// regexError words a compile failure. Errors PCRE detects at the end of
// the pattern are worded exactly as nginx prints them (without the
// " at ..." part nginx leaves out there); others keep the engine's words.
func regexError(pattern string, err error) error {
	for _, p := range pcreOnly {
		if strings.Contains(pattern, p.token) {
			return &RegexError{Unsupported: p.feature,
				Msg: fmt.Sprintf("Berth cannot run the PCRE pattern %q: it uses %s", pattern, p.feature)}
		}
	}
	var se *syntax.Error
	if errors.As(err, &se) {
		switch se.Code {
		case syntax.ErrMissingParen:
			return &RegexError{Msg: fmt.Sprintf(`pcre2_compile() failed: missing closing parenthesis in "%s"`, pattern)}
		case syntax.ErrUnterminatedBracket:
			return &RegexError{Msg: fmt.Sprintf(`pcre2_compile() failed: missing terminating ] for character class in "%s"`, pattern)}
		case syntax.ErrIllegalEndEscape:
			return &RegexError{Msg: fmt.Sprintf(`pcre2_compile() failed: \ at end of pattern in "%s"`, pattern)}
		}
		return &RegexError{Msg: fmt.Sprintf(`pcre2_compile() failed: %s in "%s"`, se.Code, pattern)}
	}
	return &RegexError{Msg: fmt.Sprintf(`pcre2_compile() failed: %v in "%s"`, err, pattern)}
}

// Captures of one successful match: Groups[0] is the whole match, then
// numbered groups; Named maps a group name to its text.
type Captures struct {
	Groups []string
	Named  map[string]string
}

// Match runs the pattern against s. It returns nil when there is no match.
func (r *Regex) Match(s string) *Captures {
	m, err := r.re.FindRunesMatch(bytesAsRunes(s))
	if err != nil || m == nil {
		// regexp2 errors only on a backtracking limit; nginx then fails
		// the match too (PCRE_ERROR_MATCHLIMIT is "not matched" plus a log line).
		return nil
	}
	groups := m.Groups()
	c := &Captures{Groups: make([]string, len(groups))}
	for i := range groups {
		g := &groups[i]
		if len(g.Captures) == 0 {
			continue
		}
		c.Groups[i] = s[g.RuneIndex : g.RuneIndex+g.RuneLength]
		if i < len(r.names) && r.names[i] != "" {
			if c.Named == nil {
				c.Named = map[string]string{}
			}
			c.Named[r.names[i]] = c.Groups[i]
		}
	}
	return c
}

// MatchString reports whether the pattern matches s.
func (r *Regex) MatchString(s string) bool {
	ok, err := r.re.MatchRunes(bytesAsRunes(s))
	return err == nil && ok
}

func (r *Regex) String() string {
	if r.Caseless {
		return "~* " + r.Source
	}
	return "~ " + r.Source
}

// pcreToRegexp2 rewrites the PCRE spellings the engine lacks into its own:
// Python-style `(?P<name>...)` and `(?P=name)`. Numbering stays PCRE's
// (left to right, named groups included) through OptionMaintainCaptureOrder.
func pcreToRegexp2(p string) string {
	if !strings.Contains(p, "(?P") {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '\\' && i+1 < len(p):
			b.WriteString(p[i : i+2])
			i++
		case strings.HasPrefix(p[i:], "(?P<"):
			b.WriteString("(?<")
			i += 3
		case strings.HasPrefix(p[i:], "(?P="):
			end := strings.IndexByte(p[i:], ')')
			if end < 0 {
				b.WriteByte(p[i])
				continue
			}
			b.WriteString(`\k<` + p[i+4:i+end] + ">")
			i += end
		default:
			b.WriteByte(p[i])
		}
	}
	return b.String()
}

func bytesAsRunes(s string) []rune {
	rs := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		rs[i] = rune(s[i])
	}
	return rs
}

func bytesAsRunesString(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}
