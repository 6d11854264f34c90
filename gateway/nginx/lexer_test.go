package nginx

import (
	"fmt"
	"strings"
	"testing"
)

// TestLexerStatements shows the statements the lexer returns: words, how
// each ended (; { } or end of file), the line of the first word, and
// nginx's line counter after it.
func TestLexerStatements(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"a b;", "[a b]; 1/1 EOF 1"},
		{"a{b;}", "[a]{ 1/1 [b]; 1/1 } 1 EOF 1"},
		{"\n\na\nb\n;", "[a b]; 3/5 EOF 5"},
		{"# x;\na;# y\n", "[a]; 2/2 EOF 3"},
		{`"a b"'c'd;`, `unexpected "'" at 1`},
		{`a"b"c;`, `[a"b"c]; 1/1 EOF 1`},
		{`"a"(b`, `unexpected "(" at 1`},
		{`"a")b;`, `[a )b]; 1/1 EOF 1`},
		{`if ("a") {`, `[if ("a")]{ 1/1 EOF 1`},
		{`if ( "a") {`, `[if ( a )]{ 1/1 EOF 1`},
		{`x ${a}{`, `[x ${a}]{ 1/1 EOF 1`},
		{`x $a{`, `[x $a]{ 1/1 EOF 1`},
		{`x a${}b}`, `unexpected end of file, expecting ";" or "}" at 1`},
		{"a\\\nb;", "[a\\\nb]; 1/2 EOF 2"},
		{"\\", `unexpected end of file, expecting ";" or "}" at 1`},
		{"a '\\'';", "[a ']; 1/1 EOF 1"},
		{"}", "} 1 EOF 1"},
		{"a\r\n;", "[a]; 1/2 EOF 2"},
	} {
		lx := newLexer("t", []byte(tc.src))
		var got []string
		for {
			st, err := lx.next()
			if err != nil {
				got = append(got, fmt.Sprintf("%s at %d", err.(*Error).Msg, err.(*Error).Pos.Line))
				break
			}
			switch st.end {
			case endFile:
				got = append(got, fmt.Sprintf("EOF %d", lx.line))
			case endClose:
				got = append(got, fmt.Sprintf("} %d", lx.line))
			default:
				end := ";"
				if st.end == endBlock {
					end = "{"
				}
				got = append(got, fmt.Sprintf("[%s]%s %d/%d", strings.Join(st.words, " "), end, st.line, lx.line))
			}
			if st.end == endFile {
				break
			}
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.src, g, tc.want)
		}
	}
}
