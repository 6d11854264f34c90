package gateway_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/berth-dev/berth/fixtures/echo"
	"github.com/berth-dev/berth/fixtures/nginxtest"
)

// Host names that pass directives' variables give at run time, against
// real nginx: a name an upstream already stands for (a literal pass to
// the same host and port, the host's case aside) goes there; any other
// name needs a `resolver`, and without one nginx answers 502 (and its
// error_page 502), even for a name the machine resolves. An IP goes as it
// is. The fixture is written here, around two echo upstreams, because the
// fixture harness turns every upstream it knows into an IP.
func TestVariableHostNamesAgreeWithNginx(t *testing.T) {
	var ports []int
	for _, name := range []string{"named", "other"} {
		s, err := echo.StartHTTP("tcp", "127.0.0.1:0", name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		_, port, _ := net.SplitHostPort(s.Addr())
		n, _ := strconv.Atoi(port)
		ports = append(ports, n)
	}
	dir := filepath.Join(t.TempDir(), "variable-names")
	conf := fmt.Sprintf(`server {
    listen 80;
    location /literal/ { proxy_pass http://localhost:%[1]d; }
    location /same/ { set $b "LocalHost:%[1]d"; proxy_pass http://$b; }
    location /other/ { set $b "localhost:%[2]d"; proxy_pass http://$b; }
    location /ip/ { set $b "127.0.0.1:%[2]d"; proxy_pass http://$b; }
    location /page/ { set $b "localhost:%[2]d"; proxy_pass http://$b; error_page 502 = /fallback; }
    location = /fallback { return 200 "fell back\n"; }
}
`, ports[0], ports[1])
	fixture := `entry conf.d/names.conf
snippet
prefix /etc/nginx
request GET /literal/a
request GET /same/b
request GET /other/c
request GET /ip/d
request GET /page/e
`
	if err := os.MkdirAll(filepath.Join(dir, "conf.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"fixture.txt": fixture, "conf.d/names.conf": conf} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := nginxtest.LoadFixture(dir)
	if err != nil {
		t.Fatal(err)
	}
	passed, failed, served := diffFixture(t, f)
	if !served || passed != len(f.Requests) || failed != 0 {
		t.Errorf("%d passed, %d failed (served %v), want all %d to agree", passed, failed, served, len(f.Requests))
	}
}
