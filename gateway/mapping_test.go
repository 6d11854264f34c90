package gateway

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/berth-dev/berth/fixtures/echo"
)

func TestMapUpstreams(t *testing.T) {
	tbl := compileSnippet(t, `
upstream django1 { server unix:///opt/www/service1/uwsgi.sock; }
upstream shop { server unix:/run/uwsgi/app/shop.sock; }
upstream app { server 10.0.0.9:9000; }
upstream payments { server api.payments.example:443; }
server {
  listen 19080;
  location /a/ { uwsgi_pass django1; }
  location /b/ { proxy_pass http://web:8000; }
  location /c/ { proxy_pass http://app; }
  location /d/ { proxy_pass http://payments; }
  location /e/ { uwsgi_pass shop; }
}`)
	got := map[string]string{}
	for _, m := range tbl.MapUpstreams([]string{"service1", "web", "app", "shop"}, map[string]string{}) {
		got[m.Upstream.Name] = m.Service + " (" + m.How + ")"
	}
	want := map[string]string{
		"django1":  "service1 (its socket path ///opt/www/service1/uwsgi.sock names the service)",
		"web:8000": "web (its host web is the service)",
		"app":      "app (the upstream is named after the service)",
		"payments": " (outside the stack: no service is named by it)",
		"shop":     "shop (the upstream is named after the service)",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	explicit := tbl.MapUpstreams([]string{"billing"}, map[string]string{"payments": "billing"})
	for _, m := range explicit {
		if m.Upstream.Name == "payments" && m.Service != "billing" {
			t.Errorf("explicit mapping ignored: %+v", m)
		}
	}
	if o := Outside(explicit); strings.Join(o, ",") != "app,django1,shop,web:8000" {
		t.Errorf("outside: %v", o)
	}
}

// A mapped upstream goes where its service runs now; a service that is
// down answers 503 naming it; an upstream outside the stack that does not
// answer says so.
func TestGatewayRoutesToServices(t *testing.T) {
	svc, err := echo.StartHTTP("tcp", "127.0.0.1:0", "web-now")
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	g, addr := startGateway(t, `
upstream payments { server 127.0.0.1:1; }
server { listen 80;
  location /web/ { proxy_pass http://web:8000; }
  location /pay/ { proxy_pass http://payments; }
}`)
	tbl := g.Table()
	targets := map[*Upstream]Target{}
	outside := map[*Upstream]bool{}
	for _, m := range tbl.MapUpstreams([]string{"web"}, nil) {
		if m.Service == "web" {
			a, _ := parseUpstreamAddr(svc.Addr(), 0)
			targets[m.Upstream] = Target{Service: "web", Addrs: []Addr{a}}
		} else {
			outside[m.Upstream] = true
		}
	}
	g.Route(tbl, targets, outside)
	get := func(path, accept string) (int, string) {
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/web/x", ""); code != 200 || !strings.Contains(body, `"upstream":"web-now"`) || !strings.Contains(body, `"Host","web:8000"`) {
		t.Errorf("mapped: %d %s", code, body)
	}
	for u := range targets {
		targets[u] = Target{Service: "web", Down: "stopped"}
	}
	g.Route(tbl, targets, outside)
	if code, body := get("/web/x", ""); code != 503 || !strings.Contains(body, "web is stopped") {
		t.Errorf("down: %d %s", code, body)
	}
	if code, body := get("/web/x", "application/json"); code != 503 || !strings.Contains(body, `"state":"stopped"`) || !strings.Contains(body, `"service":"web"`) {
		t.Errorf("down, JSON: %d %s", code, body)
	}
	if code, body := get("/pay/", ""); code != 502 || !strings.Contains(body, "not part of the stack") || !strings.Contains(body, "x-berth.gateway.upstreams") {
		t.Errorf("outside: %d %s", code, body)
	}
}
