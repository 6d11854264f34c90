package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/app/stack"
	"github.com/berth-dev/berth/fixtures/nginxtest"
	"github.com/berth-dev/berth/gateway"
)

// berth import on the seed's config proposes its four services with every
// upstream mapped, and the stack loads; on every other nginx fixture the
// stack file it writes loads too. It never overwrites a file.
func TestImportWritesLoadableStacks(t *testing.T) {
	fixtures, err := nginxtest.Fixtures("../fixtures/nginx")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fixtures {
		if f.Name == "seed" {
			continue // refused by nginx and Berth alike: nothing to import
		}
		t.Run(f.Name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "compose.yaml")
			args := []string{"import", "-o", out, filepath.Join(f.Dir, f.Entry)}
			if f.Prefix != "" {
				args = append(args, "--prefix", f.Dir, "--prod-prefix", f.Prefix)
			}
			if code, _, errOut := run(t, args...); code != 0 {
				t.Fatalf("import: %s", errOut)
			}
			st, err := stack.Load(t.Context(), stack.LoadOptions{Files: []string{out}})
			if err != nil {
				text, _ := os.ReadFile(out)
				t.Fatalf("the imported stack does not load: %v\n%s", err, text)
			}
			tbl, err := loadStackTable(st.Gateway)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range st.Services {
				names = append(names, s.Name)
			}
			if o := gateway.Outside(tbl.MapUpstreams(names, st.Gateway.Upstreams)); len(o) > 0 {
				t.Errorf("upstreams left unmapped: %v", o)
			}
			if f.Name == "seed-fixed" && strings.Join(names, " ") != "service1 service2 service3 service4" {
				t.Errorf("seed services: %v", names)
			}
			if code, _, errOut := run(t, args...); code == 0 || !strings.Contains(errOut, "never overwrites") {
				t.Errorf("a second import overwrote %s: %s", out, errOut)
			}
		})
	}
}

// The seed's config, as fixtures/nginx/seed-fixed and fixtures/seed-django
// carry it, imports as the seed's four socket services, each upstream
// djangoN mapped to serviceN; the seed as published is refused with
// nginx's file:line, and nothing is written.
func TestImportSeed(t *testing.T) {
	for _, c := range []struct{ conf, prefix string }{
		{seedFixed, ""},
		{"../fixtures/seed-django/nginx/conf.d/service.conf", "../fixtures/seed-django/nginx"},
	} {
		out := filepath.Join(t.TempDir(), "compose.yaml")
		args := []string{"import", "-o", out, c.conf}
		if c.prefix != "" {
			args = append(args, "--prefix", c.prefix)
		}
		if code, _, errOut := run(t, args...); code != 0 {
			t.Fatalf("%s: %s", c.conf, errOut)
		}
		st, err := stack.Load(t.Context(), stack.LoadOptions{Files: []string{out}})
		if err != nil {
			t.Fatalf("%s: the imported stack does not load: %v", c.conf, err)
		}
		for i := 1; i <= 4; i++ {
			svc := fmt.Sprintf("service%d", i)
			if sp, ok := st.Service(svc); !ok || sp.Socket == "" {
				t.Errorf("%s: %s is missing or not a socket service: %+v", c.conf, svc, sp)
			}
			if got := st.Gateway.Upstreams[fmt.Sprintf("django%d", i)]; got != svc {
				t.Errorf("%s: django%d mapped to %q, want %s", c.conf, i, got, svc)
			}
		}
		if len(st.Services) != 4 {
			t.Errorf("%s: %d services, want 4", c.conf, len(st.Services))
		}
	}

	out := filepath.Join(t.TempDir(), "compose.yaml")
	code, _, errOut := run(t, "import", "-o", out, "../fixtures/nginx/seed/conf.d/service.conf")
	if code == 0 || !strings.Contains(errOut, `service.conf:38: unexpected end of file, expecting "}"`) {
		t.Errorf("the seed as published: exit %d, %s", code, errOut)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a refused import wrote %s", out)
	}
}
