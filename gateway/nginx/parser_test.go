package nginx

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// entryName is the file a case's src is written to.
func (c readCase) entryName() string {
	if c.main {
		return "nginx.conf"
	}
	return "t.conf"
}

// setUp writes the case's files into a new folder.
func (c readCase) setUp(t *testing.T) string {
	dir := t.TempDir()
	files := map[string]string{c.entryName(): c.src}
	for k, v := range c.files {
		files[k] = v
	}
	writeFiles(t, dir, files)
	return dir
}

// berthText is Berth's error as nginx would print it, with the folder
// taken out of paths.
func berthText(dir string, err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) {
		return "not an *Error: " + err.Error()
	}
	return strings.ReplaceAll(e.NginxText(), dir+"/", "")
}

func TestReadCases(t *testing.T) {
	for _, c := range readCases {
		t.Run(c.name, func(t *testing.T) {
			dir := c.setUp(t)
			entry := filepath.Join(dir, c.entryName())
			cfg, err := ParseFile(entry, Options{})
			if got := berthText(dir, err); got != c.err {
				t.Fatalf("error:\n got %s\nwant %s", got, c.err)
			}
			if err != nil {
				return
			}
			if cfg.Snippet == c.main {
				t.Errorf("Snippet = %v, want %v", cfg.Snippet, !c.main)
			}
			if c.tree != "" || c.src == "" {
				if got := compact(cfg.Root, entry, dir, c.lines); got != c.tree {
					t.Errorf("tree:\n got %s\nwant %s", got, c.tree)
				}
			}
			var notes []string
			for _, n := range cfg.Notes {
				s := fmt.Sprintf("%s:%d: %s: %s", relTo(dir, n.Pos.File), n.Pos.Line, n.Severity, strings.ReplaceAll(n.Msg, dir, "DIR"))
				if n.NginxRefuses {
					s += " (nginx -t would refuse this)"
				}
				notes = append(notes, s)
			}
			if strings.Join(notes, "\n") != strings.Join(c.notes, "\n") {
				t.Errorf("notes:\n got %q\nwant %q", notes, c.notes)
			}
			checkBlockOffsets(t, cfg.Root)
		})
	}
}

// TestCasesAgainstNginx runs every case through the real nginx and checks
// that it fails with the same message on the same line (or succeeds).
func TestCasesAgainstNginx(t *testing.T) {
	nginxBinary(t)
	for _, c := range readCases {
		if c.nginx == "skip" {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			dir := c.setUp(t)
			want := c.err
			if c.nginx != "" {
				want = c.nginx
			}
			if got := nginxCheck(t, dir, c.entryName(), !c.main); got != want {
				t.Errorf("nginx -t:\n got %s\nwant %s", got, want)
			}
		})
	}
}

func relTo(dir, file string) string { return strings.TrimPrefix(file, dir+"/") }

// compact renders directives on one line: `name args;` or `name args {
// ... }`, with words quoted as Dump quotes them. A directive from another
// file than its parent's is marked name@file:line; with lines, every
// directive is marked name@line (or name@line-nginxline).
func compact(ds []*Directive, parentFile, dir string, lines bool) string {
	var parts []string
	for _, d := range ds {
		name := dumpWord(d.Name)
		switch {
		case d.Pos.File != parentFile:
			name += fmt.Sprintf("@%s:%d", relTo(dir, d.Pos.File), d.Pos.Line)
		case lines && d.NginxLine != d.Pos.Line:
			name += fmt.Sprintf("@%d-%d", d.Pos.Line, d.NginxLine)
		case lines:
			name += fmt.Sprintf("@%d", d.Pos.Line)
		}
		words := []string{name}
		for _, a := range d.Args {
			words = append(words, dumpWord(a))
		}
		s := strings.Join(words, " ")
		switch {
		case !d.IsBlock:
			s += ";"
		case len(d.Block) == 0:
			s += " {}"
		default:
			s += " { " + compact(d.Block, d.Pos.File, dir, lines) + " }"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// checkBlockOffsets checks that each block's BlockOffset is just after a
// "{" in its file, and that simple directives have -1.
func checkBlockOffsets(t *testing.T, ds []*Directive) {
	t.Helper()
	for _, d := range ds {
		if !d.IsBlock {
			if d.BlockOffset != -1 {
				t.Errorf("%s %s: BlockOffset %d for a simple directive", d.Pos, d.Name, d.BlockOffset)
			}
			continue
		}
		src, err := readConfFile(d.Pos.File, Pos{})
		if err != nil {
			continue // a standard file Berth supplied
		}
		if d.BlockOffset < 1 || d.BlockOffset > len(src) || src[d.BlockOffset-1] != '{' {
			t.Errorf("%s %s: BlockOffset %d is not after a {", d.Pos, d.Name, d.BlockOffset)
		}
		checkBlockOffsets(t, d.Block)
	}
}

// TestLongIncludePath checks nginx's way of cutting a long message to
// make room for the errno text.
func TestLongIncludePath(t *testing.T) {
	c := readCase{src: "include " + strings.Repeat("a", 1000) + ";"}
	dir := c.setUp(t)
	_, err := ParseFile(filepath.Join(dir, "t.conf"), Options{})
	got := berthText(dir, err)
	if !strings.HasSuffix(got, `aaa... (36: File name too long) in t.conf:1`) {
		t.Errorf("got %s", got)
	}
	if want := nginxCheck(t, dir, "t.conf", true); got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
}
