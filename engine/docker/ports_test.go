package docker

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/go-connections/nat"
)

func TestPublish(t *testing.T) {
	tcp := func(target uint32, published string) types.ServicePortConfig {
		return types.ServicePortConfig{Target: target, Published: published, Protocol: "tcp"}
	}
	cases := []struct {
		name     string
		svc      types.ServiceConfig
		hostPort int
		image    []string
		hostIP   string
		socket   bool
		want     string // "PORT=n; container->ip:host ..."
	}{
		{name: "ports as written", svc: types.ServiceConfig{ContainerSpec: types.ContainerSpec{}, WorkloadSpec: types.WorkloadSpec{Ports: []types.ServicePortConfig{tcp(80, "8080")}}},
			hostPort: 8080, hostIP: "127.0.0.1", want: "PORT=80; 80/tcp->127.0.0.1:8080"},
		{name: "a target alone goes where the engine said", svc: types.ServiceConfig{WorkloadSpec: types.WorkloadSpec{Ports: []types.ServicePortConfig{tcp(80, "")}}},
			hostPort: 41000, hostIP: "127.0.0.1", want: "PORT=80; 80/tcp->127.0.0.1:41000"},
		{name: "second ports entry: a free port", svc: types.ServiceConfig{WorkloadSpec: types.WorkloadSpec{Ports: []types.ServicePortConfig{tcp(80, "8080"), tcp(9090, ""), {Target: 53, Protocol: "udp", Published: "5353"}}}},
			hostPort: 8080, hostIP: "127.0.0.1", want: "PORT=80; 53/udp->127.0.0.1:5353 80/tcp->127.0.0.1:8080 9090/tcp->127.0.0.1:"},
		{name: "an address of its own", svc: types.ServiceConfig{WorkloadSpec: types.WorkloadSpec{Ports: []types.ServicePortConfig{{Target: 80, Published: "8080", HostIP: "0.0.0.0"}}}},
			hostPort: 8080, hostIP: "127.0.0.1", want: "PORT=80; 80/tcp->0.0.0.0:8080"},
		{name: "expose", svc: types.ServiceConfig{WorkloadSpec: types.WorkloadSpec{Expose: []string{"5000"}}},
			hostPort: 41000, hostIP: "127.0.0.1", want: "PORT=5000; 5000/tcp->127.0.0.1:41000"},
		{name: "the image's exposed port", image: []string{"9000/udp", "8000/tcp", "7000/tcp"},
			hostPort: 41000, hostIP: "127.0.0.1", want: "PORT=7000; 7000/tcp->127.0.0.1:41000"},
		{name: "nothing declared: the engine's port on both sides",
			hostPort: 41000, hostIP: "127.0.0.1", want: "PORT=41000; 41000/tcp->127.0.0.1:41000"},
		{name: "serves nothing, exposes a port: a free host port", image: []string{"8000/tcp"},
			hostIP: "127.0.0.1", want: "PORT=8000; 8000/tcp->127.0.0.1:"},
		{name: "serves nothing, exposes nothing", want: "PORT=0;"},
		{name: "a socket service serves TCP in a container", socket: true,
			hostIP: "127.0.0.1", want: "PORT=8000; 8000/tcp->127.0.0.1:"},
		{name: "remote engine: every address", hostPort: 41000, hostIP: "", want: "PORT=41000; 41000/tcp->:41000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			img := nat.PortSet{}
			for _, p := range tc.image {
				img[nat.Port(p)] = struct{}{}
			}
			p, err := publish(tc.svc, tc.hostPort, img, tc.hostIP, tc.socket)
			if err != nil {
				t.Fatal(err)
			}
			var parts []string
			for port, bs := range p.Bindings {
				if _, ok := p.Exposed[port]; !ok {
					t.Errorf("%s bound but not exposed", port)
				}
				for _, b := range bs {
					parts = append(parts, fmt.Sprintf("%s->%s:%s", port, b.HostIP, b.HostPort))
				}
			}
			slices.Sort(parts)
			got := strings.TrimSpace(fmt.Sprintf("PORT=%d; %s", p.Port, strings.Join(parts, " ")))
			if got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestRemoteBindsAreReported(t *testing.T) {
	svc := types.ServiceConfig{Name: "web"}
	svc.Volumes = []types.ServiceVolumeConfig{
		{Type: types.VolumeTypeBind, Source: "/home/dev/shop/src", Target: "/app"},
		{Type: types.VolumeTypeVolume, Source: "data", Target: "/data"},
		{Type: types.VolumeTypeTmpfs, Target: "/tmp"},
	}
	got := remoteBinds(svc, "tcp://build-box:2376")
	want := "volumes: /home/dev/shop/src → /app is a folder of this machine, which the engine at tcp://build-box:2376 cannot see: " +
		"it mounts its own /home/dev/shop/src instead (copy the files there, or use a named volume)"
	if len(got) != 1 || got[0] != want {
		t.Errorf("remoteBinds = %q, want only the bind mount:\n%q", got, want)
	}
}
