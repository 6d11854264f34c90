package engine

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"

	"github.com/berth-dev/berth/engine/portcheck"
)

// prepare works out where a run on rt (of kind kind) serves (PORT,
// BERTH_SOCKET), checks that nothing else holds it, and returns the
// run's environment. A container serves a socket service on a TCP port
// Berth picks instead: a unix socket on the host means nothing inside
// it.
func (r *runner) prepare(kind RuntimeKind, rt Runtime) (target, error) {
	spec := r.svc.spec
	t := target{Env: maps.Clone(spec.Env), Dir: spec.Dir}
	if t.Env == nil {
		t.Env = map[string]string{}
	}
	if r.s.extraEnv != nil {
		for k, v := range r.s.extraEnv(spec.Name, r.s.runtimeKinds()) {
			if _, set := t.Env[k]; !set {
				t.Env[k] = v
			}
		}
	}
	if a, ok := rt.(Addresser); ok {
		t.Host = a.Address()
	}
	if !spec.Serves {
		return t, nil
	}
	socket := spec.Socket != "" && kind != Container
	if socket {
		path := spec.Socket
		if !filepath.IsAbs(path) {
			path = filepath.Join(r.s.runtimeDir, path)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return t, fmt.Errorf("making the socket's folder: %w", err)
		}
		if err := portcheck.CheckSocket(path); err != nil {
			return t, err
		}
		t.Socket = path
		t.Env["BERTH_SOCKET"] = path
	}
	port := spec.Port
	switch {
	case port != 0:
		if err := portcheck.CheckPort(port); err != nil && !keeps(rt, spec.Name, port) {
			return t, err
		}
	case !socket:
		p, err := r.freePort()
		if err != nil {
			return t, err
		}
		port = p
	}
	if port != 0 {
		t.Port = port
		t.Env["PORT"] = strconv.Itoa(port)
	}
	return t, nil
}

// keeps tells whether rt holds port for the service itself, from an
// earlier run it takes over (PortKeeper).
func keeps(rt Runtime, service string, port int) bool {
	k, ok := rt.(PortKeeper)
	return ok && k.Keeps(service, port)
}

// runtimeKinds is how each service is to run now.
func (s *Supervisor) runtimeKinds() map[string]RuntimeKind {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := make(map[string]RuntimeKind, len(s.services))
	for _, svc := range s.services {
		m[svc.spec.Name] = svc.kind
	}
	return m
}

// freePort is the port the engine picked for this service before, while
// it is free, else a new one.
func (r *runner) freePort() (int, error) {
	if r.picked != 0 && portcheck.CheckPort(r.picked) == nil {
		return r.picked, nil
	}
	for range 5 {
		p, err := r.s.pickPort()
		if err != nil {
			return 0, fmt.Errorf("picking a free port: %w", err)
		}
		if portcheck.CheckPort(p) == nil {
			r.picked = p
			return p, nil
		}
	}
	return 0, errors.New("found no free port")
}
