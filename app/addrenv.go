package app

import (
	"net"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/engine"
)

// withAddresses gives every service the address of the others in its
// environment, <SERVICE>_HOST and <SERVICE>_PORT, so services reach each
// other as they would by name inside Compose. A service that serves on a
// port the engine would pick gets one now, so the others can be told.
// A value the stack file sets itself is kept.
func withAddresses(specs []engine.Spec, pick func() (int, error)) []engine.Spec {
	out := make([]engine.Spec, len(specs))
	copy(out, specs)
	for i := range out {
		if out[i].Serves && out[i].Port == 0 && out[i].Socket == "" {
			if p, err := pick(); err == nil {
				out[i].Port = p
			}
		}
	}
	for i := range out {
		env := make(map[string]string, len(out[i].Env)+2*len(out))
		for k, v := range out[i].Env {
			env[k] = v
		}
		for _, o := range out {
			if o.Name == out[i].Name || o.Port == 0 {
				continue
			}
			key := envName(o.Name)
			if _, set := env[key+"_HOST"]; !set {
				env[key+"_HOST"] = "127.0.0.1"
			}
			if _, set := env[key+"_PORT"]; !set {
				env[key+"_PORT"] = strconv.Itoa(o.Port)
			}
		}
		out[i].Env = env
	}
	return out
}

// envName is a service name as an environment variable prefix.
func envName(service string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, service)
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
