package stack

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/berth-dev/berth/gateway"
)

// GatewayConfig is x-berth.gateway resolved: what the gateway imports and
// how production ports and upstreams map to this machine.
type GatewayConfig struct {
	Nginx      string // the nginx config, absolute
	Prefix     string // local folder standing in for ProdPrefix, absolute; "" if unset
	ProdPrefix string // production config folder; "" means the parser's default (/etc/nginx)
	// Ports maps a production listen port to the local port serving it.
	Ports map[int]int
	// Upstreams maps an nginx upstream name or address to a service.
	Upstreams map[string]string
	// NginxVersion is the nginx release to mirror; zero means the
	// gateway's default (gateway.DefaultNginxVersion).
	NginxVersion gateway.NginxVersion
}

// buildGateway checks x-berth.gateway and resolves its paths (see
// model.resolvePath). services are the declared service names.
func buildGateway(in GatewayExtension, resolve func(keyPath, string) string, services []string) (*GatewayConfig, *fieldError) {
	at := keyPath{"x-berth", "gateway"}
	if in.Nginx == "" {
		return nil, &fieldError{Path: at, Msg: "x-berth.gateway: nginx (the nginx config file) is required"}
	}
	gw := &GatewayConfig{
		Nginx:      resolve(at.with("nginx"), in.Nginx),
		ProdPrefix: in.ProdPrefix,
		Ports:      map[int]int{},
		Upstreams:  map[string]string{},
	}
	if fi, err := os.Stat(gw.Nginx); err != nil {
		return nil, &fieldError{Path: at.with("nginx"), Msg: fmt.Sprintf("x-berth.gateway.nginx: %v", err)}
	} else if fi.IsDir() {
		return nil, &fieldError{Path: at.with("nginx"), Msg: fmt.Sprintf("x-berth.gateway.nginx: %s is a folder, want the config file", gw.Nginx)}
	}
	if in.Prefix != "" {
		gw.Prefix = resolve(at.with("prefix"), in.Prefix)
		if fi, err := os.Stat(gw.Prefix); err != nil || !fi.IsDir() {
			return nil, &fieldError{Path: at.with("prefix"), Msg: fmt.Sprintf("x-berth.gateway.prefix: %s is not a folder", gw.Prefix)}
		}
	}
	if in.ProdPrefix != "" && !filepath.IsAbs(in.ProdPrefix) && !isSlashAbs(in.ProdPrefix) {
		return nil, &fieldError{Path: at.with("prod_prefix"), Msg: fmt.Sprintf("x-berth.gateway.prod_prefix: want an absolute path, got %q", in.ProdPrefix)}
	}
	for _, k := range sortedKeys(in.Ports) {
		from, err := strconv.Atoi(k)
		if err != nil || from < 1 || from > 65535 {
			return nil, &fieldError{Path: at.with("ports").with(k), Msg: fmt.Sprintf("x-berth.gateway.ports: want a port (1 to 65535) as key, got %q", k)}
		}
		to := in.Ports[k]
		if to < 1 || to > 65535 {
			return nil, &fieldError{Path: at.with("ports").with(k), Msg: fmt.Sprintf("x-berth.gateway.ports.%s: want a port (1 to 65535), got %d", k, to)}
		}
		gw.Ports[from] = to
	}
	known := map[string]bool{}
	for _, s := range services {
		known[s] = true
	}
	for _, k := range sortedKeys(in.Upstreams) {
		svc := in.Upstreams[k]
		if !known[svc] {
			return nil, &fieldError{Path: at.with("upstreams").with(k), Msg: fmt.Sprintf(
				"x-berth.gateway.upstreams.%s: no service %q in the stack%s", k, svc, suggest(svc, known))}
		}
		gw.Upstreams[k] = svc
	}
	if in.NginxVersion != "" {
		v, err := gateway.ParseNginxVersion(in.NginxVersion)
		if err != nil {
			return nil, &fieldError{Path: at.with("nginx_version"), Msg: fmt.Sprintf("x-berth.gateway.nginx_version: want a version such as \"1.22.1\", got %q", in.NginxVersion)}
		}
		gw.NginxVersion = v
	}
	return gw, nil
}

// isSlashAbs accepts a production path written the Unix way on any OS
// (nginx configs come from Linux servers).
func isSlashAbs(p string) bool {
	return len(p) > 0 && p[0] == '/'
}
