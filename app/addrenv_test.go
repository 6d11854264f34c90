package app

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/engine"
)

func TestServicesAreToldEachOthersAddresses(t *testing.T) {
	specs := []engine.Spec{
		{Name: "web", Serves: true, Port: 8000},
		{Name: "api-v2", Serves: true},                    // port picked now
		{Name: "django1", Serves: true, Socket: "d.sock"}, // socket only: no port to tell
		{Name: "worker"},
	}
	next := 40000
	picked := withPorts(specs, func() (int, error) { next++; return next, nil })
	if picked[1].Port != 40001 || specs[1].Port != 0 {
		t.Fatalf("picked %d (input %d), want 40001 and the input unchanged", picked[1].Port, specs[1].Port)
	}
	// web listens on 80 inside its container, published on 8000.
	web := types.ServiceConfig{Name: "web"}
	web.Ports = []types.ServicePortConfig{{Target: 80, Published: "8000", Protocol: "tcp"}}
	project := &types.Project{Services: types.Services{"web": web}}
	book := addressBook{specs: picked, project: project, engineHost: func() string { return "docker.example" }}
	render := func(env map[string]string) string {
		var kv []string
		for k, v := range env {
			kv = append(kv, k+"="+v)
		}
		sort.Strings(kv)
		return strings.Join(kv, " ")
	}
	P, C := engine.Process, engine.Container
	for _, c := range []struct {
		self  string
		kinds map[string]engine.RuntimeKind
		want  string
	}{
		{"worker", map[string]engine.RuntimeKind{"web": P, "api-v2": P, "worker": P},
			"API_V2_HOST=127.0.0.1 API_V2_PORT=40001 WEB_HOST=127.0.0.1 WEB_PORT=8000"},
		// A process reaches a container on the engine's host.
		{"worker", map[string]engine.RuntimeKind{"web": C, "api-v2": P, "worker": P},
			"API_V2_HOST=127.0.0.1 API_V2_PORT=40001 WEB_HOST=docker.example WEB_PORT=8000"},
		// A container reaches a process through the host's gateway, and a
		// container by name on the port it listens on inside.
		{"worker", map[string]engine.RuntimeKind{"web": C, "api-v2": P, "worker": C},
			"API_V2_HOST=host.docker.internal API_V2_PORT=40001 WEB_HOST=web WEB_PORT=80"},
		{"web", map[string]engine.RuntimeKind{"web": C, "api-v2": C},
			"API_V2_HOST=api-v2 API_V2_PORT=40001"},
		{"django1", map[string]engine.RuntimeKind{"web": P, "api-v2": P, "django1": C},
			"API_V2_HOST=host.docker.internal API_V2_PORT=40001 WEB_HOST=host.docker.internal WEB_PORT=8000"},
	} {
		if got := render(book.env(c.self, c.kinds)); got != c.want {
			t.Errorf("%s with %v:\n got  %s\n want %s", c.self, c.kinds, got, fmt.Sprint(c.want))
		}
	}
}
