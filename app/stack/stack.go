package stack

import (
	"context"
	"errors"
	"sort"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/engine"
)

// Stack is a loaded stack file: its services as the engine runs them and
// the gateway settings.
type Stack struct {
	Name  string   // Compose project name
	Dir   string   // project folder; relative paths are resolved from it
	Files []string // the Compose files, absolute, in load order
	// Services are the services the active profiles enable, sorted by
	// name.
	Services []engine.Spec
	Gateway  *GatewayConfig // nil when x-berth.gateway is absent
	// Project is compose-go's model, for what Specs don't carry (images,
	// builds, volumes) and for the container runtime. Process services
	// have no image in it.
	Project *types.Project
}

// Runtimes lists the ways a service can run, as the stack defines them:
// as a process when it has a command (x-berth.command, or Compose's
// entrypoint and command), as a container when it has an image or a
// build.
func (s *Stack) Runtimes(name string) []engine.RuntimeKind {
	sp, ok := s.Service(name)
	if !ok {
		return nil
	}
	var kinds []engine.RuntimeKind
	if len(sp.Command) > 0 {
		kinds = append(kinds, engine.Process)
	}
	if svc, ok := s.Project.Services[name]; ok && (svc.Image != "" || svc.Build != nil) {
		kinds = append(kinds, engine.Container)
	}
	return kinds
}

// Service returns the named service's Spec.
func (s *Stack) Service(name string) (engine.Spec, bool) {
	for _, sp := range s.Services {
		if sp.Name == name {
			return sp, true
		}
	}
	return engine.Spec{}, false
}

// LoadOptions says which stack to load, as Compose's command line does.
type LoadOptions struct {
	// Files are the Compose files (-f), merged in order; relative to the
	// current directory. Default: compose.yaml, compose.yml,
	// docker-compose.yml or docker-compose.yaml (with its override file)
	// found in WorkDir or its parents, or COMPOSE_FILE.
	Files []string
	// WorkDir is the project folder (--project-directory). Default: the
	// folder of the first file.
	WorkDir string
	// ProjectName overrides COMPOSE_PROJECT_NAME, `name:` and the
	// folder's name.
	ProjectName string
	// Profiles to enable; default COMPOSE_PROFILES.
	Profiles []string
	// Env is the environment for interpolation, as KEY=VALUE; nil means
	// os.Environ(). The project's .env adds to it without overriding.
	Env []string
	// RuntimeDir is where socket services' sockets go. Empty leaves
	// Spec.Socket relative ("web.sock") for the engine to place in its
	// own runtime folder.
	RuntimeDir string
}

// ErrNoStackFile is returned (wrapped) when no Files are given and no
// Compose file is found.
var ErrNoStackFile = errors.New("no stack file found")

// Load reads a stack as Compose reads it (project name, .env, env_file,
// interpolation, profiles, extends, include, several files merged), then
// the x-berth settings, and resolves every service into an engine.Spec.
// Errors about the files are *Error, naming the file and, where known,
// the line.
func Load(ctx context.Context, opts LoadOptions) (*Stack, error) {
	m, err := loadModel(ctx, opts)
	if err != nil {
		return nil, err
	}
	top, exts, err := m.decodeExtensions()
	if err != nil {
		return nil, err
	}
	kinds, err := m.runtimes(exts)
	if err != nil {
		return nil, err
	}
	project, err := m.project(kinds)
	if err != nil {
		return nil, err
	}
	st := &Stack{Name: project.Name, Dir: m.dir, Files: m.files, Project: project}
	names := make([]string, 0, len(project.Services))
	for name := range project.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		b := specBuilder{runtimeDir: opts.RuntimeDir, project: project, resolve: m.resolvePath}
		sp, fe := b.build(project.Services[name], exts[name], kinds[name])
		if fe != nil {
			return nil, m.fieldErr(fe)
		}
		st.Services = append(st.Services, sp)
	}
	if top.Gateway != nil {
		gw, fe := buildGateway(*top.Gateway, m.resolvePath, m.serviceNames())
		if fe != nil {
			return nil, m.fieldErr(fe)
		}
		st.Gateway = gw
	}
	return st, nil
}
