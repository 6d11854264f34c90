package nginx

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

// The production layout these tests stand in for: /etc/nginx with
// nginx.conf, conf.d/ and the standard files.
func TestPrefixMapsProductionPaths(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"conf.d/service.conf": "server {\nlisten 80;\nlocation / {\nuwsgi_pass 127.0.0.1:1;\ninclude /etc/nginx/uwsgi_params;\ninclude snippets/extra.conf;\n}\n}\n",
		"uwsgi_params":        "uwsgi_param LOCAL yes;\n",
		"snippets/extra.conf": "uwsgi_param EXTRA yes;\n",
	})
	cfg, err := ParseFile(filepath.Join(dir, "conf.d/service.conf"), Options{Prefix: dir})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := compact(cfg.Root, filepath.Join(dir, "conf.d/service.conf"), dir, false),
		"server { listen 80; location / { uwsgi_pass 127.0.0.1:1; uwsgi_param@uwsgi_params:1 LOCAL yes; uwsgi_param@snippets/extra.conf:1 EXTRA yes; } }"; got != want {
		t.Errorf("tree:\n got %s\nwant %s", got, want)
	}
	if len(cfg.Notes) != 0 {
		t.Errorf("notes: %v", cfg.Notes)
	}
	wantFiles := []string{"conf.d/service.conf", "uwsgi_params", "snippets/extra.conf"}
	for i := range wantFiles {
		wantFiles[i] = filepath.Join(dir, wantFiles[i])
	}
	if !reflect.DeepEqual(cfg.Files, wantFiles) {
		t.Errorf("Files = %v, want %v", cfg.Files, wantFiles)
	}
}

func TestMissingStandardFileIsSupplied(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"conf.d/s.conf": "server {\nlocation / {\ninclude /etc/nginx/uwsgi_params;\n}\n}\n",
	})
	std := fstest.MapFS{"uwsgi_params": {Data: []byte("uwsgi_param STD yes;\n")}}
	cfg, err := ParseFile(filepath.Join(dir, "conf.d/s.conf"), Options{Prefix: dir, Standard: std})
	if err != nil {
		t.Fatal(err)
	}
	loc := cfg.Root[0].Block[0]
	if len(loc.Block) != 1 || loc.Block[0].Name != "uwsgi_param" || loc.Block[0].Pos.File != filepath.Join(dir, "uwsgi_params") {
		t.Fatalf("location block: %+v", loc.Block)
	}
	if len(cfg.Notes) != 1 || !cfg.Notes[0].NginxRefuses || cfg.Notes[0].Severity != Warning ||
		cfg.Notes[0].Directive != "include" || cfg.Notes[0].Pos.Line != 3 {
		t.Errorf("notes: %v", cfg.Notes)
	}

	// Berth's own copies are the default.
	cfg, err = ParseFile(filepath.Join(dir, "conf.d/s.conf"), Options{Prefix: dir})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(cfg.Root[0].Block[0].Block); n < 10 {
		t.Errorf("shipped uwsgi_params gave %d directives", n)
	}

	// A file that is not a standard one stays an error.
	writeFiles(t, dir, map[string]string{"conf.d/s.conf": "include /etc/nginx/other_params;\n"})
	_, err = ParseFile(filepath.Join(dir, "conf.d/s.conf"), Options{Prefix: dir, Standard: std})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), `open() "`+dir+`/other_params" failed (2: No such file or directory)`) {
		t.Errorf("err = %v", err)
	}
}

func TestMainConfigUnderPrefix(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"nginx.conf":         "events {}\nhttp {\ninclude /etc/nginx/conf.d/*.conf;\ninclude sites/*;\n}\n",
		"conf.d/b.conf":      "upstream b { server 127.0.0.1:2; }\n",
		"conf.d/a.conf":      "upstream a { server 127.0.0.1:1; }\n",
		"conf.d/c.conf.off":  "upstream c { server 127.0.0.1:3; }\n",
		"sites/default":      "server { listen 80; }\n",
		"sites/.default.swp": "garbage {",
	})
	cfg, err := ParseFile(filepath.Join(dir, "nginx.conf"), Options{Prefix: dir, ProdPrefix: "/etc/nginx/"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Snippet {
		t.Error("nginx.conf read as a snippet")
	}
	want := "events {} http { upstream@conf.d/a.conf:1 a { server 127.0.0.1:1; } upstream@conf.d/b.conf:1 b { server 127.0.0.1:2; } server@sites/default:1 { listen 80; } }"
	if got := compact(cfg.Root, filepath.Join(dir, "nginx.conf"), dir, false); got != want {
		t.Errorf("tree:\n got %s\nwant %s", got, want)
	}
	http := cfg.Root[1]
	for _, d := range http.Block {
		if d.IncludedFrom == nil || d.IncludedFrom.Name != "include" || d.IncludedFrom.Pos.File != filepath.Join(dir, "nginx.conf") {
			t.Errorf("%s: IncludedFrom = %+v", d.Pos, d.IncludedFrom)
		}
		for _, in := range d.Block {
			if in.IncludedFrom != d.IncludedFrom {
				t.Errorf("%s: nested directive has another IncludedFrom", in.Pos)
			}
		}
	}
	if cfg.Root[0].IncludedFrom != nil || http.IncludedFrom != nil {
		t.Error("directives of the main file have IncludedFrom set")
	}
}

func TestPrefixWithGlobCharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "we[ir]d*")
	writeFiles(t, dir, map[string]string{
		"conf.d/s.conf": "include /etc/nginx/inc/*.conf;\n",
		"inc/a.conf":    "gzip on;\n",
	})
	cfg, err := ParseFile(filepath.Join(dir, "conf.d/s.conf"), Options{Prefix: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Root) != 1 || cfg.Root[0].Name != "gzip" {
		t.Errorf("root: %v (notes %v)", cfg.Root, cfg.Notes)
	}
}

func TestPathsOutsideProdPrefixAreReadAsWritten(t *testing.T) {
	outside := t.TempDir()
	dir := t.TempDir()
	writeFiles(t, outside, map[string]string{"x.conf": "gzip on;\n"})
	writeFiles(t, dir, map[string]string{"s.conf": "include " + outside + "/x.conf;\n"})
	cfg, err := ParseFile(filepath.Join(dir, "s.conf"), Options{Prefix: dir})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Root[0].Pos.File != filepath.Join(outside, "x.conf") {
		t.Errorf("read from %s", cfg.Root[0].Pos.File)
	}
}

func TestParseFromMemory(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"inc.conf": "gzip on;\n"})
	cfg, err := Parse(filepath.Join(dir, "mem.conf"), []byte("include inc.conf;\nsendfile on;\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := compact(cfg.Root, filepath.Join(dir, "mem.conf"), dir, true); got != "gzip@inc.conf:1 on; sendfile@2 on;" {
		t.Errorf("tree: %s", got)
	}
}

func TestMissingMainFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.conf")
	_, err := ParseFile(path, Options{})
	var e *Error
	if !errors.As(err, &e) || e.Pos != (Pos{}) || e.Msg != `open() "`+path+`" failed (2: No such file or directory)` {
		t.Fatalf("err = %#v", err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("not fs.ErrNotExist")
	}
	if e.NginxText() != e.Msg || e.Error() != e.Msg {
		t.Errorf("an error without a position prints as %q / %q", e.NginxText(), e.Error())
	}
}

func TestTopLevelOption(t *testing.T) {
	src := []byte("server { listen 80; }\n")
	if _, err := Parse("/nowhere/s.conf", src, Options{Top: MainConf}); err == nil ||
		err.Error() != `/nowhere/s.conf:1: "server" directive is not allowed here` {
		t.Errorf("MainConf: %v", err)
	}
	cfg, err := Parse("/nowhere/s.conf", []byte("events {}\nserver {}\n"), Options{Top: SnippetConf})
	if err == nil || err.Error() != `/nowhere/s.conf:1: "events" directive is not allowed here` {
		t.Errorf("SnippetConf: %v %v", cfg, err)
	}
	for src, snippet := range map[string]bool{
		"":                        true,
		"server {}":               true,
		"include x/*;":            true,
		"error_log stderr;":       true,
		"user www-data;":          false,
		"events {}":               false,
		"# http {}\nserver {}":    true,
		"server { http {} }":      true,
		"load_module x.so;":       false,
		"stream {}":               false,
		"worker_processes auto;}": false,
	} {
		if got := isFullConfig("t", []byte(src)); got == snippet {
			t.Errorf("isFullConfig(%q) = %v", src, got)
		}
	}
}

func TestDump(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"s.conf":   "upstream u {\n    server 127.0.0.1:1;\n}\nserver {\n    listen 80;\n    location ~ \"\\.(js|css)$\" {\n        add_header X-A \"a b\";\n    }\n    location /e {}\n    include i.conf;\n    include none/*;\n}\n",
		"i.conf":   "return\n  200 '';\n",
		"none/.hi": "",
	})
	cfg, err := ParseFile(filepath.Join(dir, "s.conf"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := cfg.Dump(&b, dir); err != nil {
		t.Fatal(err)
	}
	want := `# s.conf: http context (conf.d snippet)
# files: s.conf i.conf
s.conf:1    upstream u {
s.conf:2        server 127.0.0.1:1;
            }
s.conf:4    server {
s.conf:5        listen 80;
s.conf:6        location ~ \.(js|css)$ {
s.conf:7            add_header X-A "a b";
                }
s.conf:9        location /e {}
i.conf:1-2      return 200 "";
            }
# note s.conf:11: warning: include pattern "none/*" matched no files
`
	if b.String() != want {
		t.Errorf("dump:\n%s\nwant:\n%s", b.String(), want)
	}
}
