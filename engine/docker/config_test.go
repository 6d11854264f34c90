package docker

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
)

// requestFor builds the request of service web of a Compose file.
func requestFor(t *testing.T, yaml string, env map[string]string, imageID, api string) request {
	t.Helper()
	p := loadProject(t, "hashes", yaml)
	p.WorkingDir, p.ComposeFiles = "/srv/stack", []string{"/srv/stack/compose.yaml"} // the same for every case
	req, err := newRequest(requestInput{
		Project: p, Stack: "s1", Network: p.Name + "_default", Service: p.Services["web"],
		Spec: engine.Spec{Name: "web", StopGrace: 1500 * time.Millisecond}, Env: env,
		Image: "img", ImageID: imageID, HostIP: "127.0.0.1", APIVersion: api,
	})
	if err != nil {
		t.Fatal(err)
	}
	return req
}

const webYAML = `
services:
  web:
    image: img
    entrypoint: ["/svc", "--port=$${PORT}"]
    command: ["-x", "$$PORT", "$$HOME"]
    user: "1000"
    working_dir: /srv
    stop_signal: SIGINT
    labels: {team: core}
    volumes:
      - data:/data
      - /tmp/berth-bind:/bind:ro
      - type: tmpfs
        target: /scratch
    healthcheck:
      test: ["CMD", "/svc", "-check", "$$PORT"]
      interval: 2s
      start_interval: 1s
volumes:
  data: {}
`

func TestNewRequest(t *testing.T) {
	req := requestFor(t, webYAML, map[string]string{"PORT": "41000", "B": "2", "A": "1", "BERTH_SOCKET": "/run/x.sock"}, "sha256:1", "1.41")
	c, h := req.Config, req.Host
	net := req.Net.EndpointsConfig["hashes_default"]
	checks := []struct{ what, got, want string }{
		{"env: sorted, PORT the container's, no host socket", strings.Join(c.Env, " "), "A=1 B=2 PORT=41000"},
		{"entrypoint: $PORT expanded", strings.Join(c.Entrypoint, " "), "/svc --port=41000"},
		{"command: $PORT expanded, others kept", strings.Join(c.Cmd, " "), "-x 41000 $HOME"},
		{"healthcheck CMD words expanded", strings.Join(c.Healthcheck.Test, " "), "CMD /svc -check 41000"},
		{"healthcheck interval", c.Healthcheck.Interval.String(), "2s"},
		{"start_interval needs API 1.44", c.Healthcheck.StartInterval.String(), "0s"},
		{"user", c.User, "1000"},
		{"working_dir", c.WorkingDir, "/srv"},
		{"stop_signal", c.StopSignal, "SIGINT"},
		{"stop timeout rounded up to whole seconds", fmt.Sprint(*c.StopTimeout), "2"},
		{"restart policy left to Berth", string(h.RestartPolicy.Name), "no"},
		{"network", string(h.NetworkMode), "hashes_default"},
		{"alias", fmt.Sprint(net != nil && slices.Equal(net.Aliases, []string{"web"})), "true"},
		{"labels", fmt.Sprint(c.Labels[labelProject], " ", c.Labels[labelService], " ", c.Labels["team"], " ", c.Labels[LabelManaged], " ", c.Labels[LabelStack]),
			"hashes web core true s1"},
		{"named volume", req.Volumes[0].Name, "hashes_data"},
		{"mounts", fmt.Sprint(len(h.Mounts), " ", h.Mounts[0].Type, " ", h.Mounts[1].Type, " ", h.Mounts[2].Type), "3 volume bind tmpfs"},
		{"bind read-only", fmt.Sprint(h.Mounts[1].ReadOnly, " ", h.Mounts[1].Source), "true /tmp/berth-bind"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.what, c.got, c.want)
		}
	}
	newer := requestFor(t, webYAML, map[string]string{"PORT": "41000"}, "sha256:1", "1.44")
	if newer.Config.Healthcheck.StartInterval != time.Second {
		t.Errorf("start_interval on API 1.44: %v", newer.Config.Healthcheck.StartInterval)
	}
}

func TestConfigHash(t *testing.T) {
	base := requestFor(t, webYAML, map[string]string{"PORT": "41000", "A": "1"}, "sha256:1", "1.41").Hash
	cases := []struct {
		name    string
		yaml    string
		env     map[string]string
		image   string
		changed bool
	}{
		{"the same again", webYAML, map[string]string{"A": "1", "PORT": "41000"}, "sha256:1", false},
		{"an environment value", webYAML, map[string]string{"PORT": "41000", "A": "2"}, "sha256:1", true},
		{"another port", webYAML, map[string]string{"PORT": "41001", "A": "1"}, "sha256:1", true},
		{"a rebuilt image", webYAML, map[string]string{"PORT": "41000", "A": "1"}, "sha256:2", true},
		{"the command", strings.Replace(webYAML, `"-x"`, `"-y"`, 1), map[string]string{"PORT": "41000", "A": "1"}, "sha256:1", true},
		{"a volume", strings.Replace(webYAML, "/bind:ro", "/bind", 1), map[string]string{"PORT": "41000", "A": "1"}, "sha256:1", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := requestFor(t, tc.yaml, tc.env, tc.image, "1.41").Hash
			if (h != base) != tc.changed {
				t.Errorf("hash changed = %v, want %v", h != base, tc.changed)
			}
		})
	}
}

// A container reaches the host's process services at
// host.docker.internal, unless the service maps that name itself.
func TestHostGatewayAdded(t *testing.T) {
	for _, c := range []struct{ in, want []string }{
		{nil, []string{"host.docker.internal:host-gateway"}},
		{[]string{"db:10.0.0.2"}, []string{"db:10.0.0.2", "host.docker.internal:host-gateway"}},
		{[]string{"host.docker.internal:10.0.0.9"}, []string{"host.docker.internal:10.0.0.9"}},
	} {
		if got := withHostGateway(c.in); !slices.Equal(got, c.want) {
			t.Errorf("withHostGateway(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
