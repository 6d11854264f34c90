package nginx

import (
	"bufio"
	"bytes"
	"errors"
	goflag "flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = goflag.Bool("update", false, "rewrite the golden files in testdata/golden")

const fixturesDir = "../../fixtures/nginx"

// fixture is one folder of fixtures/nginx: an entry file and maybe the
// production prefix the folder stands in for.
type fixture struct {
	name, dir, entry, prodPrefix string
	snippet                      bool // fixture.txt says the entry is a conf.d snippet
}

// loadFixtures reads every fixtures/nginx/*/fixture.txt ("entry FILE",
// "prefix /etc/nginx"). A folder without one (still being written) is
// read with its nginx.conf, or its only .conf file, as entry.
func loadFixtures(t testing.TB) []fixture {
	t.Helper()
	abs, err := filepath.Abs(fixturesDir)
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := os.ReadDir(abs)
	if err != nil {
		t.Fatalf("no fixtures: %v", err)
	}
	var out []fixture
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		fx := fixture{name: d.Name(), dir: filepath.Join(abs, d.Name())}
		if desc, err := os.ReadFile(filepath.Join(fx.dir, "fixture.txt")); err == nil {
			sc := bufio.NewScanner(bytes.NewReader(desc))
			for sc.Scan() {
				key, val, _ := strings.Cut(strings.TrimSpace(sc.Text()), " ")
				switch key {
				case "entry":
					fx.entry = strings.TrimSpace(val)
				case "prefix":
					fx.prodPrefix = strings.TrimSpace(val)
				case "snippet":
					fx.snippet = true
				}
			}
		} else {
			fx.entry, fx.prodPrefix = guessEntry(fx.dir), DefaultProdPrefix
		}
		if fx.entry == "" {
			t.Logf("fixture %s: no entry file, skipped", fx.name)
			continue
		}
		out = append(out, fx)
	}
	return out
}

func guessEntry(dir string) string {
	if _, err := os.Stat(filepath.Join(dir, "nginx.conf")); err == nil {
		return "nginx.conf"
	}
	var confs []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".conf") {
			rel, _ := filepath.Rel(dir, p)
			confs = append(confs, rel)
		}
		return nil
	})
	if len(confs) == 1 {
		return confs[0]
	}
	return ""
}

// read parses the fixture and renders the tree, or the error, as text.
func (fx fixture) read(t *testing.T) string {
	opts := Options{}
	if fx.prodPrefix != "" {
		opts = Options{Prefix: fx.dir, ProdPrefix: fx.prodPrefix}
	}
	cfg, err := ParseFile(filepath.Join(fx.dir, fx.entry), opts)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return "# error: " + strings.ReplaceAll(e.NginxText(), fx.dir+"/", "") + "\n"
		}
		return "# error (not an *Error): " + err.Error() + "\n"
	}
	if _, err := os.Stat(filepath.Join(fx.dir, "fixture.txt")); err == nil && cfg.Snippet != fx.snippet {
		t.Errorf("Snippet = %v, but fixture.txt says snippet = %v", cfg.Snippet, fx.snippet)
	}
	checkBlockOffsets(t, cfg.Root)
	var buf bytes.Buffer
	if err := cfg.Dump(&buf, fx.dir); err != nil {
		return "# dump failed: " + err.Error() + "\n"
	}
	return buf.String()
}

// TestGolden reads every fixture and compares the tree with
// testdata/golden/<name>.tree. Run with -update to rewrite them.
func TestGolden(t *testing.T) {
	fixtures := loadFixtures(t)
	if len(fixtures) == 0 {
		t.Fatalf("no fixtures in %s", fixturesDir)
	}
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			got := fx.read(t)
			golden := filepath.Join("testdata", "golden", fx.name+".tree")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update)", err)
			}
			if got != string(want) {
				t.Errorf("tree differs from %s (run with -update to accept):\n%s", golden, lineDiff(string(want), got))
			}
		})
	}
}

// lineDiff shows the first differing lines, enough to see what changed.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %s\n   got %s\n", i+1, wl, gl)
			shown++
		}
	}
	return b.String()
}
