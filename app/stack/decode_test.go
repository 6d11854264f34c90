package stack

import (
	"reflect"
	"testing"
	"time"
)

func intp(n int) *int { return &n }

// The decoder reads the model compose-go hands over (already
// interpolated), so numbers and booleans may arrive as text.
func TestDecodeServiceExtension(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   any
		want ServiceExtension
		err  string
	}{
		{name: "absent", in: nil},
		{name: "empty mapping", in: map[string]any{}},
		{
			name: "every key",
			in: map[string]any{
				"run": "process", "command": "serve --port $PORT", "working_dir": "./app",
				"port": 8000, "socket": false, "restart_on_unhealthy": true, "log_lines": 50,
				"backoff": map[string]any{"initial": "2s", "max": "1m", "reset_after": "5m"},
				"probes": []any{
					map[string]any{"http": map[string]any{"path": "/h", "status": 204}, "interval": "1s", "retries": 2},
					map[string]any{"tcp": nil},
					map[string]any{"unix": map[string]any{"path": "x.sock"}},
					map[string]any{"log": map[string]any{"pattern": "ready"}, "start_period": "3s", "start_interval": "10ms", "timeout": "4s"},
				},
			},
			want: ServiceExtension{
				Run: "process", Command: Words{"serve", "--port", "$PORT"}, WorkingDir: "./app",
				Port: intp(8000), RestartOnUnhealthy: true, LogLines: intp(50),
				Backoff: &BackoffExtension{Initial: Duration(2 * time.Second), Max: Duration(time.Minute), ResetAfter: Duration(5 * time.Minute)},
				Probes: []ProbeExtension{
					{HTTP: &HTTPProbe{Path: "/h", Status: 204}, Interval: Duration(time.Second), Retries: intp(2)},
					{TCP: &TCPProbe{}},
					{Unix: &UnixProbe{Path: "x.sock"}},
					{Log: &LogProbe{Pattern: "ready"}, StartPeriod: Duration(3 * time.Second), StartInterval: Duration(10 * time.Millisecond), Timeout: Duration(4 * time.Second)},
				},
			},
		},
		{name: "interpolated text", in: map[string]any{"port": "8001", "socket": "true"}, want: ServiceExtension{Port: intp(8001), Socket: true}},
		{name: "command list", in: map[string]any{"command": []any{"a b", "$PORT"}}, want: ServiceExtension{Command: Words{"a b", "$PORT"}}},
		{name: "empty port stays unset", in: map[string]any{"port": nil}},
		{name: "not a mapping", in: "process", err: `x-berth: want a mapping, got "process"`},
		{name: "unknown key", in: map[string]any{"comand": "x"}, err: `x-berth: unknown key "comand" (did you mean "command"?)`},
		{name: "unknown key, swapped letters", in: map[string]any{"sokcet": true}, err: `x-berth: unknown key "sokcet" (did you mean "socket"?)`},
		{name: "unknown key, wrong case", in: map[string]any{"Port": 1}, err: `x-berth: unknown key "Port" (did you mean "port"?)`},
		{name: "unknown key, nothing close", in: map[string]any{"replicas": 2}, err: `x-berth: unknown key "replicas"`},
		{name: "port text", in: map[string]any{"port": "http"}, err: `x-berth.port: want an integer, got "http"`},
		{name: "port float", in: map[string]any{"port": 80.5}, err: `x-berth.port: want an integer, got 80.5`},
		{name: "socket yes", in: map[string]any{"socket": "yes"}, err: `x-berth.socket: want true or false, got "yes"`},
		{name: "command number", in: map[string]any{"command": 5}, err: `x-berth.command: want a string or a list of strings, got 5`},
		{name: "command list of numbers", in: map[string]any{"command": []any{"a", 1}}, err: `x-berth.command: want a string or a list of strings, item 1 is 1`},
		{name: "command unbalanced quote", in: map[string]any{"command": `a "b`}, err: `x-berth.command: cannot split "a \"b" into words: invalid command line string`},
		{name: "probes mapping", in: map[string]any{"probes": map[string]any{"http": nil}}, err: `x-berth.probes: want a list, got a mapping`},
		{name: "probe key", in: map[string]any{"probes": []any{map[string]any{"htpp": nil}}}, err: `x-berth.probes[0]: unknown key "htpp" (did you mean "http"?)`},
		{name: "probe nested key", in: map[string]any{"probes": []any{map[string]any{"tcp": map[string]any{"prot": 1}}}}, err: `x-berth.probes[0].tcp: unknown key "prot" (did you mean "port"?)`},
		{name: "duration number", in: map[string]any{"backoff": map[string]any{"max": 30}}, err: `x-berth.backoff.max: want a duration such as "2s", got 30`},
		{name: "duration text", in: map[string]any{"backoff": map[string]any{"max": "soon"}}, err: `x-berth.backoff.max: want a duration such as "2s", got "soon"`},
		{name: "duration negative", in: map[string]any{"backoff": map[string]any{"max": "-1s"}}, err: `x-berth.backoff.max: want a positive duration, got "-1s"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got ServiceExtension
			err := decodeStrict(tc.in, &got, keyPath{"x-berth"})
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err = %v, want %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestDecodeGateway(t *testing.T) {
	var got TopExtension
	in := map[string]any{"gateway": map[string]any{
		"nginx": "n.conf", "prefix": "etc", "prod_prefix": "/etc/nginx", "nginx_version": "1.22.1",
		"ports": map[string]any{"80": 8080, "443": "8443"}, "upstreams": map[string]any{"django1": "service1"},
	}}
	if err := decodeStrict(in, &got, keyPath{"x-berth"}); err != nil {
		t.Fatal(err)
	}
	want := TopExtension{Gateway: &GatewayExtension{
		Nginx: "n.conf", Prefix: "etc", ProdPrefix: "/etc/nginx", NginxVersion: "1.22.1",
		Ports: map[string]int{"80": 8080, "443": 8443}, Upstreams: map[string]string{"django1": "service1"},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got.Gateway, want.Gateway)
	}
	err := decodeStrict(map[string]any{"gateway": map[string]any{"upstreams": map[string]any{"a": 1}}}, &got, keyPath{"x-berth"})
	if err == nil || err.Msg != `x-berth.gateway.upstreams.a: want a string, got 1 (quote it to keep the text as written)` {
		t.Fatalf("err = %v", err)
	}
	if want := (keyPath{"x-berth", "gateway", "upstreams", "a"}); !reflect.DeepEqual(err.Path, want) {
		t.Errorf("path = %v, want %v", err.Path, want)
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"comand", "command", 1}, {"stauts", "status", 1},
		{"port", "prot", 1}, {"backof", "backoff", 1}, {"kitten", "sitting", 3},
	} {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestKeyPathString(t *testing.T) {
	p := keyPath{"services", "web", "x-berth", "probes", 2, "http"}
	if got := p.String(); got != "services.web.x-berth.probes[2].http" {
		t.Errorf("String() = %q", got)
	}
}
