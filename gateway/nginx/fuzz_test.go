package nginx

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the reader: it must not panic, errors
// must be *Error naming a line inside the input, and a tree must have
// sane positions.
func FuzzParse(f *testing.F) {
	_ = filepath.WalkDir(fixturesDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if strings.HasSuffix(p, ".conf") || strings.HasSuffix(p, "params") || strings.HasSuffix(p, ".types") {
			if src, err := os.ReadFile(p); err == nil {
				f.Add(src)
			}
		}
		return nil
	})
	for _, c := range readCases {
		f.Add([]byte(c.src))
	}
	// An empty folder stands in for /etc/nginx, so absolute includes of
	// standard files are supplied and nothing of the machine's is read.
	dir := f.TempDir()
	name := filepath.Join(dir, "fuzz.conf")
	f.Fuzz(func(t *testing.T, src []byte) {
		cfg, err := Parse(name, src, Options{Prefix: dir})
		lines := bytes.Count(src, []byte("\n")) + 1
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error is %T, not *Error: %v", err, err)
			}
			if e.Pos.File == name && (e.Pos.Line < 1 || e.Pos.Line > lines) {
				t.Fatalf("error line %d outside 1..%d: %v", e.Pos.Line, lines, e)
			}
			return
		}
		var walk func(ds []*Directive)
		walk = func(ds []*Directive) {
			for _, d := range ds {
				if d.Pos.File == name && (d.Pos.Line < 1 || d.NginxLine < d.Pos.Line || d.NginxLine > lines) {
					t.Fatalf("%s: lines %d..%d outside 1..%d", d.Name, d.Pos.Line, d.NginxLine, lines)
				}
				if d.IsBlock && d.Pos.File == name && (d.BlockOffset < 1 || d.BlockOffset > len(src) || src[d.BlockOffset-1] != '{') {
					t.Fatalf("%s: BlockOffset %d is not after a {", d.Name, d.BlockOffset)
				}
				walk(d.Block)
			}
		}
		walk(cfg.Root)
		if err := cfg.Dump(io.Discard, dir); err != nil {
			t.Fatal(err)
		}
	})
}
