package app

import (
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/docker"
)

// withPorts gives a service that serves on a port the engine would pick
// one now, so the others can be told where it is.
func withPorts(specs []engine.Spec, pick func() (int, error)) []engine.Spec {
	out := make([]engine.Spec, len(specs))
	copy(out, specs)
	for i := range out {
		if out[i].Serves && out[i].Port == 0 && out[i].Socket == "" {
			if p, err := pick(); err == nil {
				out[i].Port = p
			}
		}
	}
	return out
}

// addressBook tells each service where the others are, <SERVICE>_HOST
// and <SERVICE>_PORT in its environment, so services reach each other as
// they would by name inside Compose. Where depends on how each runs when
// a service starts:
//
//   - a process reaches a process on 127.0.0.1, and a container on its
//     published port on the engine's host (127.0.0.1 for a local engine);
//   - a container reaches a process through host.docker.internal (the
//     host's gateway, which Berth adds to every container), and another
//     container by its service name on the project's network, on the
//     port it listens on inside.
//
// A socket service has no TCP address to tell. A value the stack file
// sets itself is kept (the engine adds these only where it sets none).
type addressBook struct {
	specs   []engine.Spec // ports picked (withPorts)
	project *types.Project
	// engineHost is where containers' published ports are reached.
	engineHost func() string
}

// env is the address environment of service self.
func (b addressBook) env(self string, kinds map[string]engine.RuntimeKind) map[string]string {
	env := map[string]string{}
	inContainer := kinds[self] == engine.Container
	for _, o := range b.specs {
		if o.Name == self || o.Port == 0 {
			continue
		}
		host, port := "127.0.0.1", o.Port
		toContainer := kinds[o.Name] == engine.Container
		switch {
		case inContainer && toContainer:
			host = o.Name
			if svc, ok := b.service(o.Name); ok {
				port = docker.ServicePort(svc, o.Port)
			}
		case inContainer:
			host = "host.docker.internal"
		case toContainer && b.engineHost != nil:
			host = b.engineHost()
		}
		key := envName(o.Name)
		env[key+"_HOST"] = host
		env[key+"_PORT"] = strconv.Itoa(port)
	}
	return env
}

// service is the named service's Compose config, enabled or not.
func (b addressBook) service(name string) (types.ServiceConfig, bool) {
	if b.project == nil {
		return types.ServiceConfig{}, false
	}
	if svc, ok := b.project.Services[name]; ok {
		return svc, true
	}
	svc, ok := b.project.DisabledServices[name]
	return svc, ok
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
