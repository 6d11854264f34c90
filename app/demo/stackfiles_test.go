package demo

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/app/stack"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/gateway"
	"github.com/berth-dev/berth/gateway/nginx"
)

// TestDemoFilesAreTheSeeds: the demo's nginx config is the seed's, "}"
// restored, byte for byte, and its include file is Debian's copy.
func TestDemoFilesAreTheSeeds(t *testing.T) {
	dir := t.TempDir()
	if err := WriteStack(dir); err != nil {
		t.Fatal(err)
	}
	for demoFile, original := range map[string]string{
		"nginx/conf.d/service.conf": "../../fixtures/nginx/seed-fixed/conf.d/service.conf",
		"nginx/uwsgi_params":        "../../resources/nginx/uwsgi_params",
	} {
		got, err := os.ReadFile(filepath.Join(dir, demoFile))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(original)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s", demoFile, original)
		}
	}
}

// TestWriteStackReplaces: a second WriteStack over an edited copy brings
// the shipped files back.
func TestWriteStackReplaces(t *testing.T) {
	dir := t.TempDir()
	if err := WriteStack(dir); err != nil {
		t.Fatal(err)
	}
	compose := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(compose, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteStack(dir); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(compose); !bytes.Contains(b, []byte("demo-service")) {
		t.Errorf("compose.yaml not rewritten:\n%s", b)
	}
}

// TestDemoStackLoads loads the demo as `berth up` does in an empty folder:
// copied out of the binary, BERTH_BIN set, through stack.Load. Its nginx
// config imports with the demo's own include file: none supplied by Berth.
func TestDemoStackLoads(t *testing.T) {
	dir := t.TempDir()
	if err := WriteStack(dir); err != nil {
		t.Fatal(err)
	}
	const bin = "/opt/berth dir/berth"
	st, err := stack.Load(t.Context(), stack.LoadOptions{WorkDir: dir, Env: []string{BinEnv + "=" + bin}})
	if err != nil {
		t.Fatalf("loading the demo: %v", err)
	}
	if st.Name != "berth-demo" {
		t.Errorf("stack name %q", st.Name)
	}
	var names []string
	for _, sp := range st.Services {
		names = append(names, sp.Name)
		want := []string{bin, Command, "--name", sp.Name, "--socket", "${BERTH_SOCKET}"}
		if !slices.Equal(sp.Command, want) {
			t.Errorf("%s: command %q, want %q", sp.Name, sp.Command, want)
		}
		if sp.Runtime != engine.Process || !sp.Serves || sp.Socket != sp.Name+".sock" {
			t.Errorf("%s: runtime %s, serves %v on socket %q", sp.Name, sp.Runtime, sp.Serves, sp.Socket)
		}
		if len(sp.Probes) != 1 || sp.Probes[0].Kind != engine.ProbeUnix {
			t.Errorf("%s: probes %+v, want one unix probe", sp.Name, sp.Probes)
		}
	}
	if want := []string{"service1", "service2", "service3", "service4"}; !slices.Equal(names, want) {
		t.Errorf("services %q, want %q", names, want)
	}

	gw := st.Gateway
	if gw == nil {
		t.Fatal("no gateway section")
	}
	if gw.Nginx != filepath.Join(dir, "nginx", "conf.d", "service.conf") ||
		gw.Prefix != filepath.Join(dir, "nginx") || gw.ProdPrefix != "/etc/nginx" ||
		len(gw.Ports) != 1 || gw.Ports[80] != 8080 || len(gw.Upstreams) != 0 {
		t.Errorf("gateway %+v", gw)
	}

	// As the gateway imports it; a missing include would be read from
	// Berth's standard copies with a warning.
	cfg, err := nginx.ParseFile(gw.Nginx, nginx.Options{Prefix: gw.Prefix, ProdPrefix: gw.ProdPrefix})
	if err != nil {
		t.Fatalf("importing the demo's nginx config: %v", err)
	}
	params := filepath.Join(dir, "nginx", "uwsgi_params")
	if !slices.Contains(cfg.Files, params) {
		t.Errorf("files read %q, want %s among them", cfg.Files, params)
	}
	table, err := gateway.Compile(cfg)
	if err != nil {
		t.Fatalf("compiling the demo's nginx config: %v", err)
	}
	for _, n := range table.Report {
		t.Logf("report: %s", n)
		if n.Severity != nginx.Info || n.NginxRefuses {
			t.Errorf("import report: %s", n)
		}
	}
}

// TestMissingIncludeIsNoticed shows the check above has teeth: without
// the demo's uwsgi_params the import warns.
func TestMissingIncludeIsNoticed(t *testing.T) {
	dir := t.TempDir()
	if err := WriteStack(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "nginx", "uwsgi_params")); err != nil {
		t.Fatal(err)
	}
	cfg, err := nginx.ParseFile(filepath.Join(dir, "nginx", "conf.d", "service.conf"),
		nginx.Options{Prefix: filepath.Join(dir, "nginx"), ProdPrefix: "/etc/nginx"})
	if err != nil {
		t.Fatal(err)
	}
	warned := false
	for _, n := range cfg.Notes {
		warned = warned || (n.Severity == nginx.Warning && strings.Contains(n.Msg, "uwsgi_params"))
	}
	if !warned {
		t.Errorf("no warning about the missing uwsgi_params: %v", cfg.Notes)
	}
}

// TestDemoStackNeedsBin: loading the demo without BERTH_BIN names it,
// rather than running an empty command.
func TestDemoStackNeedsBin(t *testing.T) {
	dir := t.TempDir()
	if err := WriteStack(dir); err != nil {
		t.Fatal(err)
	}
	_, err := stack.Load(t.Context(), stack.LoadOptions{WorkDir: dir, Env: []string{}})
	if err == nil || !strings.Contains(err.Error(), "BERTH_BIN") {
		t.Fatalf("loading the demo without BERTH_BIN: %v", err)
	}
	t.Logf("without BERTH_BIN: %v", err)
}
