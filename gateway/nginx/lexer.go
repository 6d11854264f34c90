package nginx

// The lexer follows nginx's ngx_conf_read_token (src/core/ngx_conf_file.c)
// rule for rule, because "routes exactly like the production nginx" starts
// with reading the same words and failing on the same line. It is a byte
// state machine rather than a "skip space, read word" loop so that quirks
// survive: `}` and `#` are ordinary inside a word, a closing quote must be
// followed by space, ";", "{" or ")", and `${` keeps a word going.

// confBuffer is nginx's NGX_CONF_BUFFER: nginx reads a file through a
// buffer this big, so a word (or comment) that fills it is an error.
const confBuffer = 4096

// stmtEnd says how a statement returned by the lexer ended.
type stmtEnd int

const (
	endSemicolon stmtEnd = iota // `name args;`
	endBlock                    // `name args {`
	endClose                    // `}`
	endFile                     // end of input
)

// stmt is one statement: the words before a ";" or "{", or a lone "}".
type stmt struct {
	words []string
	end   stmtEnd
	line  int // line of the first word
}

// lexer reads statements from one file. line is nginx's line counter: the
// line nginx names in an error raised right after the last statement read.
type lexer struct {
	file string
	src  []byte
	pos  int
	line int
}

func newLexer(file string, src []byte) *lexer {
	return &lexer{file: file, src: src, line: 1}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// next reads the next statement, or returns an *Error worded as nginx's.
func (lx *lexer) next() (stmt, error) {
	var (
		st         = stmt{line: lx.line}
		between    = true  // nginx's last_space: not inside a word
		needSpace  = false // a quoted word just closed
		escaped    = false // the previous byte was a backslash
		comment    = false
		dollar     = false // the previous byte was "$", so "{" is part of the word
		quote      byte    // the open quote character, or 0
		start      = lx.pos
		startLine  = lx.line
		inProgress = func() bool { return len(st.words) > 0 || !between }
	)
	for {
		if lx.pos >= len(lx.src) {
			if inProgress() {
				return st, lx.errorf(`unexpected end of file, expecting ";" or "}"`)
			}
			st.end = endFile
			return st, nil
		}
		if lx.pos-start == confBuffer {
			return st, lx.tooLong(start, startLine, quote)
		}
		c := lx.src[lx.pos]
		lx.pos++
		if c == '\n' {
			lx.line++
			comment = false
		}
		if comment {
			continue
		}
		if escaped {
			escaped = false
			continue
		}
		if needSpace {
			switch {
			case isSpace(c):
				between, needSpace = true, false
				continue
			case c == ';':
				st.end = endSemicolon
				return st, nil
			case c == '{':
				st.end = endBlock
				return st, nil
			case c == ')':
				// nginx lets `if ("$a")` through: the ")" starts a new word.
				between, needSpace = true, false
			default:
				return st, lx.errorf(`unexpected "%s"`, string(c))
			}
		}
		if between {
			start, startLine = lx.pos-1, lx.line
			if isSpace(c) {
				continue
			}
			if len(st.words) == 0 {
				st.line = lx.line
			}
			switch c {
			case ';', '{':
				if len(st.words) == 0 {
					return st, lx.errorf(`unexpected "%s"`, string(c))
				}
				if c == '{' {
					st.end = endBlock
				} else {
					st.end = endSemicolon
				}
				return st, nil
			case '}':
				if len(st.words) != 0 {
					return st, lx.errorf(`unexpected "}"`)
				}
				st.end = endClose
				return st, nil
			case '#':
				comment = true
				continue
			case '\\':
				escaped = true
			case '"', '\'':
				start++
				quote = c
			case '$':
				dollar = true
			}
			between = false
			continue
		}
		if c == '{' && dollar {
			continue
		}
		dollar = false
		switch c {
		case '\\':
			escaped = true
			continue
		case '$':
			dollar = true
			continue
		}
		done := false
		if quote != 0 {
			if c == quote {
				quote = 0
				needSpace, done = true, true
			}
		} else if isSpace(c) || c == ';' || c == '{' {
			between, done = true, true
		}
		if !done {
			continue
		}
		st.words = append(st.words, unescape(lx.src[start:lx.pos-1]))
		switch c {
		case ';':
			st.end = endSemicolon
			return st, nil
		case '{':
			st.end = endBlock
			return st, nil
		}
	}
}

// unescape applies nginx's escapes to a word: \" \' \\ lose the backslash,
// \t \r \n become control characters, and any other backslash stays (so
// regexes like `\.php$` survive).
func unescape(raw []byte) string {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == '\\' && i+1 < len(raw) {
			switch raw[i+1] {
			case '"', '\'', '\\':
				i++
				c = raw[i]
			case 't':
				i++
				c = '\t'
			case 'r':
				i++
				c = '\r'
			case 'n':
				i++
				c = '\n'
			}
		}
		out = append(out, c)
	}
	return string(out)
}

// tooLong is nginx's error for a word that fills its read buffer. nginx
// names the line where the word started.
func (lx *lexer) tooLong(start, startLine int, quote byte) error {
	lx.line = startLine
	if quote != 0 {
		return lx.errorf(`too long parameter, probably missing terminating "%s" character`, string(quote))
	}
	return lx.errorf("too long parameter \"%s...\" started", lx.src[start:start+10])
}

func (lx *lexer) errorf(format string, args ...any) *Error {
	return newError(Pos{File: lx.file, Line: lx.line}, format, args...)
}
