package docker

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeContext makes a Docker context in dir as the docker command line
// stores it.
func writeContext(t *testing.T, dir, name, host string, tls bool) {
	t.Helper()
	sum := sha256.Sum256([]byte(name))
	id := hex.EncodeToString(sum[:])
	meta := filepath.Join(dir, "contexts", "meta", id)
	if err := os.MkdirAll(meta, 0o700); err != nil {
		t.Fatal(err)
	}
	body := `{"Name":"` + name + `","Metadata":{},"Endpoints":{"docker":{"Host":"` + host + `","SkipTLSVerify":false}}}`
	if err := os.WriteFile(filepath.Join(meta, "meta.json"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if tls {
		d := filepath.Join(dir, "contexts", "tls", id, "docker")
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"ca.pem", "cert.pem", "key.pem"} {
			if err := os.WriteFile(filepath.Join(d, f), []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestResolveEndpoint(t *testing.T) {
	home := t.TempDir()
	cfg := filepath.Join(home, ".docker")
	writeContext(t, cfg, "remote", "tcp://build.example:2376", true)
	writeContext(t, cfg, "colima", "unix:///home/u/.colima/docker.sock", false)
	other := t.TempDir()
	writeContext(t, other, "elsewhere", "ssh://me@box", false)
	if err := os.WriteFile(filepath.Join(other, "config.json"), []byte(`{"currentContext":"elsewhere"}`), 0o600); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name   string
		env    map[string]string
		config string // config.json in ~/.docker; "" for none
		want   string // "host from [tls] [remote address]", or "error: ..."
	}{
		{name: "nothing set", want: "unix:///var/run/docker.sock default"},
		{name: "DOCKER_HOST", env: map[string]string{"DOCKER_HOST": "tcp://10.0.0.5:2375"}, config: `{"currentContext":"colima"}`,
			want: "tcp://10.0.0.5:2375 DOCKER_HOST remote 10.0.0.5"},
		{name: "current context", config: `{"currentContext":"colima"}`,
			want: `unix:///home/u/.colima/docker.sock context "colima"`},
		{name: "current context with TLS, remote", config: `{"currentContext":"remote"}`,
			want: `tcp://build.example:2376 context "remote" tls remote build.example`},
		{name: "DOCKER_CONTEXT wins over the current one", env: map[string]string{"DOCKER_CONTEXT": "colima"}, config: `{"currentContext":"remote"}`,
			want: `unix:///home/u/.colima/docker.sock context "colima"`},
		{name: "DOCKER_CONTEXT wins over DOCKER_HOST", env: map[string]string{"DOCKER_CONTEXT": "colima", "DOCKER_HOST": "tcp://x:1"},
			want: `unix:///home/u/.colima/docker.sock context "colima"`},
		{name: "default context", env: map[string]string{"DOCKER_CONTEXT": "default"}, config: `{"currentContext":"remote"}`,
			want: "unix:///var/run/docker.sock default"},
		{name: "DOCKER_CONFIG", env: map[string]string{"DOCKER_CONFIG": other},
			want: `ssh://me@box context "elsewhere" remote box`},
		{name: "loopback TCP is local", env: map[string]string{"DOCKER_HOST": "tcp://127.0.0.1:2375"},
			want: "tcp://127.0.0.1:2375 DOCKER_HOST"},
		{name: "unknown context", env: map[string]string{"DOCKER_CONTEXT": "nope"},
			want: `error: docker context "nope": not found`},
		{name: "broken config", config: `{"currentContext":`,
			want: "error: reading the Docker config"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(filepath.Join(cfg, "config.json"))
			if tc.config != "" {
				if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(tc.config), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			e, err := resolveEndpoint(func(k string) string { return tc.env[k] }, home)
			var got string
			if err != nil {
				got = "error: " + err.Error()
				if !strings.HasPrefix(got, tc.want) {
					t.Errorf("got %q, want it to start with %q", got, tc.want)
				}
				return
			}
			got = e.Host + " " + e.From
			if e.TLSDir != "" {
				got += " tls"
			}
			if e.Remote() {
				got += " remote " + e.Address()
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
