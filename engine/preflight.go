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

// prepare works out where a run serves (PORT, BERTH_SOCKET), checks that
// nothing else holds it, and returns the run's environment.
func (r *runner) prepare() (target, error) {
	spec := r.svc.spec
	t := target{Env: maps.Clone(spec.Env), Dir: spec.Dir}
	if t.Env == nil {
		t.Env = map[string]string{}
	}
	if !spec.Serves {
		return t, nil
	}
	if spec.Socket != "" {
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
		if err := portcheck.CheckPort(port); err != nil {
			return t, err
		}
	case spec.Socket == "":
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
