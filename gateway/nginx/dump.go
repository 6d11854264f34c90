package nginx

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Dump writes the tree as stable, readable text for golden tests and
// debugging: one directive per line, indented by depth, behind a column
// with its file and line ("file:5", or "file:5-7" when its ";" or "{" is
// on a later line). File names under base are shown relative to it, so
// the text does not depend on where the files are; base "" shows them as
// they are.
func (c *Config) Dump(w io.Writer, base string) error {
	rel := func(file string) string {
		if base != "" {
			if r, ok := under(file, base); ok && r != "" {
				return r
			}
		}
		return file
	}
	type line struct{ loc, text string }
	var lines []line
	var walk func(ds []*Directive, depth int)
	walk = func(ds []*Directive, depth int) {
		indent := strings.Repeat("    ", depth)
		for _, d := range ds {
			loc := fmt.Sprintf("%s:%d", rel(d.Pos.File), d.Pos.Line)
			if d.NginxLine != d.Pos.Line {
				loc += fmt.Sprintf("-%d", d.NginxLine)
			}
			text := indent + dumpWords(d)
			switch {
			case !d.IsBlock:
				lines = append(lines, line{loc, text + ";"})
			case len(d.Block) == 0:
				lines = append(lines, line{loc, text + " {}"})
			default:
				lines = append(lines, line{loc, text + " {"})
				walk(d.Block, depth+1)
				lines = append(lines, line{"", indent + "}"})
			}
		}
	}
	walk(c.Root, 0)

	width := 0
	for _, l := range lines {
		width = max(width, len(l.loc))
	}
	bw := bufio.NewWriter(w)
	top := "main context (nginx.conf)"
	if c.Snippet {
		top = "http context (conf.d snippet)"
	}
	fmt.Fprintf(bw, "# %s: %s\n", rel(c.File), top)
	files := make([]string, len(c.Files))
	for i, f := range c.Files {
		files[i] = rel(f)
	}
	fmt.Fprintf(bw, "# files: %s\n", strings.Join(files, " "))
	for _, l := range lines {
		fmt.Fprintf(bw, "%-*s  %s\n", width, l.loc, l.text)
	}
	for _, n := range c.Notes {
		msg := n.Msg
		if base != "" {
			msg = strings.ReplaceAll(msg, strings.TrimSuffix(base, "/")+"/", "")
		}
		fmt.Fprintf(bw, "# note %s:%d: %s: %s", rel(n.Pos.File), n.Pos.Line, n.Severity, msg)
		if n.NginxRefuses {
			fmt.Fprint(bw, " (nginx -t would refuse this)")
		}
		fmt.Fprintln(bw)
	}
	return bw.Flush()
}

func dumpWords(d *Directive) string {
	words := make([]string, 0, 1+len(d.Args))
	for _, w := range append([]string{d.Name}, d.Args...) {
		words = append(words, dumpWord(w))
	}
	return strings.Join(words, " ")
}

// dumpWord quotes a word when it could not be read back as one bare word.
func dumpWord(w string) string {
	if w == "" || !utf8.ValidString(w) || strings.ContainsAny(w, " \t\r\n;{}\"'#") ||
		strings.ContainsFunc(w, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return strconv.Quote(w)
	}
	return w
}
