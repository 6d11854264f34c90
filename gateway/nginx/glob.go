package nginx

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// globFiles expands an include pattern the way glibc's glob(3) does with
// no flags, which is what nginx calls: `*`, `?` and `[...]` never match a
// leading "." (so editor backups like .foo.conf.swp stay out), backslash
// escapes, and the result is sorted bytewise (nginx runs in the C locale).
// Go's filepath.Glob differs on the dotfiles, which decides which server
// block comes first.
func globFiles(pattern string) []string {
	parts := strings.Split(pattern, "/")
	paths := []string{""}
	if parts[0] == "" { // absolute
		paths = []string{"/"}
		parts = parts[1:]
	}
	for _, part := range parts {
		if part == "" { // "a//b" or a trailing "/"
			continue
		}
		var next []string
		for _, dir := range paths {
			if !hasGlobMeta(part) {
				next = append(next, joinPath(dir, globUnescape(part)))
				continue
			}
			next = append(next, matchDir(dir, part)...)
		}
		paths = next
	}
	var out []string
	for _, p := range paths {
		if p == "" || p == "/" {
			continue
		}
		if _, err := os.Lstat(p); err == nil {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// matchDir lists the entries of dir that match one pattern component.
func matchDir(dir, part string) []string {
	readFrom := dir
	if readFrom == "" {
		readFrom = "."
	}
	entries, err := os.ReadDir(readFrom)
	if err != nil { // glob(3) skips folders it cannot read
		return nil
	}
	goPattern := goGlob(part)
	var out []string
	for _, e := range entries {
		name := e.Name()
		if name[0] == '.' && part[0] != '.' {
			continue
		}
		if ok, _ := filepath.Match(goPattern, name); ok {
			out = append(out, joinPath(dir, name))
		}
	}
	return out
}

func hasGlobMeta(s string) bool { return strings.ContainsAny(s, "*?[") }

// globUnescape drops glob's backslash escapes from a literal component.
func globUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// globEscape makes a literal path safe to put in front of a pattern.
func globEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(`*?[\`, s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// goGlob rewrites a glob(3) pattern component in filepath.Match's syntax:
// "[!" negates in glibc ("[^" in Go), a "]" first in a class is a member,
// and a "[" with no closing "]" is an ordinary character.
func goGlob(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\' && i+1 < len(p):
			b.WriteString(p[i : i+2])
			i++
		case c == '[':
			j := i + 1
			neg := j < len(p) && (p[j] == '!' || p[j] == '^')
			if neg {
				j++
			}
			first := j
			if j < len(p) && p[j] == ']' {
				j++
			}
			for j < len(p) && p[j] != ']' {
				j++
			}
			if j >= len(p) { // unclosed: a literal "["
				b.WriteString(`\[`)
				continue
			}
			b.WriteByte('[')
			if neg {
				b.WriteByte('^')
			}
			for k := first; k < j; k++ {
				if p[k] == ']' || p[k] == '\\' && (k+1 == j) {
					b.WriteByte('\\')
				}
				b.WriteByte(p[k])
			}
			b.WriteByte(']')
			i = j
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
