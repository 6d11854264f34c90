package app

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine"
)

func TestServicesAreToldEachOthersAddresses(t *testing.T) {
	specs := []engine.Spec{
		{Name: "web", Serves: true, Port: 8000},
		{Name: "api-v2", Serves: true},                    // port picked now
		{Name: "django1", Serves: true, Socket: "d.sock"}, // socket only: no port to tell
		{Name: "worker", Env: map[string]string{"WEB_PORT": "9999"}},
	}
	next := 40000
	got := withAddresses(specs, func() (int, error) { next++; return next, nil })
	render := func(s engine.Spec) string {
		var kv []string
		for k, v := range s.Env {
			kv = append(kv, k+"="+v)
		}
		sort.Strings(kv)
		return fmt.Sprintf("%s port=%d: %s", s.Name, s.Port, strings.Join(kv, " "))
	}
	want := []string{
		"web port=8000: API_V2_HOST=127.0.0.1 API_V2_PORT=40001",
		"api-v2 port=40001: WEB_HOST=127.0.0.1 WEB_PORT=8000",
		"django1 port=0: API_V2_HOST=127.0.0.1 API_V2_PORT=40001 WEB_HOST=127.0.0.1 WEB_PORT=8000",
		"worker port=0: API_V2_HOST=127.0.0.1 API_V2_PORT=40001 WEB_HOST=127.0.0.1 WEB_PORT=9999",
	}
	for i, s := range got {
		if r := render(s); r != want[i] {
			t.Errorf("got  %s\nwant %s", r, want[i])
		}
	}
	if specs[1].Port != 0 || specs[3].Env["WEB_HOST"] != "" {
		t.Error("withAddresses changed its input")
	}
}
