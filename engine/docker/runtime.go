package docker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"
	"github.com/hashicorp/go-hclog"

	"github.com/berth-dev/berth/engine"
)

// ErrClosed is what Start returns once the Runtime is closed.
var ErrClosed = errors.New("container runtime closed")

// Options configures a Runtime.
type Options struct {
	// Project is the stack's Compose model: images, builds, volumes,
	// ports and the rest of what a container is made from. Required.
	Project *types.Project
	// Stack identifies the stack for Berth's labels (the app's stack
	// ID), so that two stacks with the same project name never take each
	// other's containers. Default: the project's name.
	Stack string
	// Host is the engine's address (unix:///..., tcp://...). Default: as
	// the docker command line finds it: DOCKER_HOST, DOCKER_CONTEXT, the
	// current context of the user's Docker config, the default socket.
	Host string
	// Retry is how often an engine that does not answer is asked again.
	// Default 1s.
	Retry time.Duration
	// ReattachLines is how many lines of its earlier output a reattached
	// container shows. Default 100.
	ReattachLines int
	// Log receives what the runtime itself has to say. Default: discard.
	Log hclog.Logger
}

// Runtime runs services as containers on one Docker engine. Make one per
// stack with New and Close it when the stack is done. It does not need
// the engine to be there: until it answers, Start waits, saying why.
type Runtime struct {
	project *types.Project
	stack   string
	ep      endpoint
	cli     *client.Client
	conn    *conn
	log     hclog.Logger
	tail    int
	ctx     context.Context // the runtime's life: ends with Close
	cancel  context.CancelFunc
	bg      sync.WaitGroup // the background goroutines
	netMu   sync.Mutex     // one network creation at a time

	mu     sync.Mutex // guards the fields that follow
	closed bool
	// made: the runtime has run a container, so the engine holds
	// something of the stack's that Close must remove.
	made   bool
	live   map[string]*instance // by container ID
	doomed map[string]bool      // containers to remove once the engine answers
}

var (
	_ engine.Runtime    = (*Runtime)(nil)
	_ engine.Addresser  = (*Runtime)(nil)
	_ engine.PortKeeper = (*Runtime)(nil)
)

// New makes the client (negotiating the API version with whichever
// engine answers) and starts watching the engine; it fails only for a
// configuration it cannot use, never because the engine is away.
func New(opts Options) (*Runtime, error) {
	if opts.Project == nil {
		return nil, errors.New("container runtime: no Compose project")
	}
	if opts.Stack == "" {
		opts.Stack = opts.Project.Name
	}
	if opts.Retry <= 0 {
		opts.Retry = time.Second
	}
	if opts.ReattachLines <= 0 {
		opts.ReattachLines = 100
	}
	if opts.Log == nil {
		opts.Log = hclog.NewNullLogger()
	}
	ep := endpoint{Host: opts.Host, From: "Options.Host"}
	if ep.Host == "" {
		home, _ := os.UserHomeDir()
		var err error
		if ep, err = resolveEndpoint(os.Getenv, home); err != nil {
			return nil, fmt.Errorf("container runtime: %w", err)
		}
	}
	cli, err := newClient(ep)
	if err != nil {
		return nil, fmt.Errorf("container runtime: engine at %s (%s): %w", ep.Host, ep.From, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &Runtime{
		project: opts.Project,
		stack:   opts.Stack,
		ep:      ep,
		cli:     cli,
		conn:    newConn(cli, ep, opts.Retry),
		log:     opts.Log,
		tail:    opts.ReattachLines,
		ctx:     ctx,
		cancel:  cancel,
		live:    map[string]*instance{},
		doomed:  map[string]bool{},
	}
	r.bg.Go(func() { r.conn.watch(ctx) })
	r.bg.Go(func() { r.watchEngine(ctx) })
	return r, nil
}

// newClient makes a client for ep: the environment's settings (TLS,
// API version) first, then ep's host and a context's TLS files.
func newClient(ep endpoint) (*client.Client, error) {
	opts := []client.Opt{client.FromEnv, client.WithHost(ep.Host), client.WithAPIVersionNegotiation()}
	if ep.TLSDir != "" {
		opts = append(opts, client.WithTLSClientConfig(
			filepath.Join(ep.TLSDir, "ca.pem"), filepath.Join(ep.TLSDir, "cert.pem"), filepath.Join(ep.TLSDir, "key.pem")))
	}
	return client.NewClientWithOpts(opts...)
}

// Endpoint is the engine's address and where it was found, for
// diagnostics: "unix:///var/run/docker.sock (default)".
func (r *Runtime) Endpoint() string { return r.ep.Host + " (" + r.ep.From + ")" }

// Address is the host on which published ports are reached: 127.0.0.1,
// or a remote engine's host name.
func (r *Runtime) Address() string { return r.ep.Address() }

// Keeps tells whether a running container Berth made for the service
// in this stack publishes port: one an earlier Berth left, which Start
// reattaches (or replaces) rather than competing with it.
func (r *Runtime) Keeps(service string, port int) bool {
	if r.ep.Remote() { // its ports are on another machine
		return false
	}
	// Asked even before the first ping has answered: a Berth started
	// again after a kill asks this at once, for the containers the
	// previous one left.
	ctx, cancel := context.WithTimeout(r.ctx, 5*time.Second)
	defer cancel()
	f := ownFilter(r.stack)
	f.Add("label", labelService+"="+service)
	list, err := r.cli.ContainerList(ctx, container.ListOptions{Filters: f})
	if err != nil {
		return false
	}
	for _, c := range list {
		for _, p := range c.Ports {
			if int(p.PublicPort) == port {
				return true
			}
		}
	}
	return false
}

// Reachable tells whether the engine answered the last time it was
// asked, and if not why.
func (r *Runtime) Reachable() (bool, string) { return r.conn.state() }

// Start runs the service as a container: it waits for the engine (saying
// so through out.Status), readies the image (pull or build, with
// progress), then reattaches a running container of an earlier run made
// from the same config or creates a new one, and follows its output into
// out. env is the run's environment from the engine (PORT included). ctx
// bounds the start only.
func (r *Runtime) Start(ctx context.Context, spec engine.Spec, env map[string]string, out engine.Output) (engine.Instance, error) {
	svc, ok := r.service(spec.Name)
	if !ok {
		return nil, fmt.Errorf("starting %s: not a service of project %s", spec.Name, r.project.Name)
	}
	// Close ends a Start that waits, as well as the caller.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(r.ctx, cancel)()
	rep := newReporter(out.Status)
	defer func() {
		if rep.shown != (engine.Status{}) {
			rep.report(engine.Status{}) // preparing and waiting are over
		}
	}()
	for {
		r.mu.Lock()
		closed := r.closed
		r.mu.Unlock()
		if closed {
			return nil, fmt.Errorf("starting %s: %w", spec.Name, ErrClosed)
		}
		err := r.conn.ready(ctx, func(reason string) {
			rep.report(engine.Status{State: engine.Waiting, Detail: ErrUnreachable.Error() + ": " + reason})
		})
		if r.ctx.Err() != nil {
			return nil, fmt.Errorf("starting %s: %w", spec.Name, ErrClosed)
		}
		if err != nil {
			return nil, fmt.Errorf("starting %s: %w", spec.Name, err)
		}
		inst, err := r.start(ctx, svc, spec, env, out, rep)
		if err == nil {
			return inst, nil
		}
		if r.ctx.Err() != nil {
			return nil, fmt.Errorf("starting %s: %w", spec.Name, ErrClosed)
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("starting %s: %w", spec.Name, ctx.Err())
		}
		if r.conn.check(ctx) == nil {
			return nil, fmt.Errorf("starting %s: %w", spec.Name, err)
		}
		r.log.Info("engine lost while starting; waiting for it", "service", spec.Name, "error", err)
	}
}

// service is the named service of the project, enabled or not (a
// service can be switched to the container runtime at any time).
func (r *Runtime) service(name string) (types.ServiceConfig, bool) {
	if svc, ok := r.project.Services[name]; ok {
		return svc, true
	}
	svc, ok := r.project.DisabledServices[name]
	return svc, ok
}

// known says which services the stack has: Berth's containers of any
// other are orphans.
func (r *Runtime) known() map[string]bool {
	k := map[string]bool{}
	for name := range r.project.Services {
		k[name] = true
	}
	for name := range r.project.DisabledServices {
		k[name] = true
	}
	return k
}

// start is one attempt at Start with the engine there.
func (r *Runtime) start(ctx context.Context, svc types.ServiceConfig, spec engine.Spec, env map[string]string, out engine.Output, rep *reporter) (*instance, error) {
	net := ""
	if svc.NetworkMode == "" {
		var err error
		if net, err = r.ensureNetwork(ctx); err != nil {
			return nil, err
		}
	}
	img, err := r.readyImage(ctx, svc, rep)
	if err != nil {
		return nil, err
	}
	req, err := newRequest(requestInput{
		Project: r.project, Stack: r.stack, Network: net, Service: svc, Spec: spec, Env: env,
		Image: img.Ref, ImageID: img.ID, ImageExposed: img.Exposed,
		HostIP: r.hostIP(), APIVersion: r.cli.ClientVersion(),
	})
	if err != nil {
		return nil, err
	}
	if err := r.ensureVolumes(ctx, req.Volumes); err != nil {
		return nil, err
	}
	if err := r.makeBindSources(svc); err != nil {
		return nil, err
	}
	if r.ep.Remote() {
		// Said in the service's own log, where its user looks when the
		// mounted folder turns out empty.
		for _, w := range remoteBinds(svc, r.ep.Host) {
			r.log.Warn(w, "service", svc.Name)
			if out.Stderr != nil {
				fmt.Fprintln(out.Stderr, "berth: "+w)
			}
		}
	}
	seen, err := r.observe(ctx, projectFilter(r.project.Name), svc.Name)
	if err != nil {
		return nil, err
	}
	plan := reconcile(r.project.Name, []wanted{{Service: svc.Name, Hash: req.Hash, Name: req.Name}}, r.known(), seen)
	r.log.Debug("plan", "service", svc.Name, "plan", plan.String())
	return r.carryOut(ctx, plan, req, out)
}

// hostIP is the address ports are published on: the loopback address of
// a local engine; every address of a remote one, the only way to reach
// them from here.
func (r *Runtime) hostIP() string {
	if r.ep.Remote() {
		return ""
	}
	return "127.0.0.1"
}

// remoteBinds says, for each bind mount of a local folder, that a remote
// engine mounts a folder of its own machine instead: what the service
// sees there is not what this laptop holds.
func remoteBinds(svc types.ServiceConfig, host string) []string {
	var out []string
	for _, v := range svc.Volumes {
		if v.Type != types.VolumeTypeBind || v.Source == "" {
			continue
		}
		out = append(out, fmt.Sprintf("volumes: %s → %s is a folder of this machine, which the engine at %s cannot see: "+
			"it mounts its own %s instead (copy the files there, or use a named volume)", v.Source, v.Target, host, v.Source))
	}
	return out
}

// makeBindSources creates the missing host folders of bind mounts, as
// Compose does (create_host_path), where the engine runs on this
// machine. A remote engine cannot see them: it reports a missing source
// itself, which Start passes on.
func (r *Runtime) makeBindSources(svc types.ServiceConfig) error {
	if r.ep.Remote() {
		return nil
	}
	for _, v := range svc.Volumes {
		if v.Type != types.VolumeTypeBind || v.Source == "" {
			continue
		}
		if v.Bind != nil && !bool(v.Bind.CreateHostPath) {
			continue
		}
		if _, err := os.Stat(v.Source); err == nil {
			continue
		}
		if err := os.MkdirAll(v.Source, 0o755); err != nil {
			return fmt.Errorf("volumes: creating %s: %w", v.Source, err)
		}
	}
	return nil
}

// observe lists the project's containers (service "" for all of them),
// Berth's or not.
func (r *Runtime) observe(ctx context.Context, f filters.Args, service string) ([]observed, error) {
	if service != "" {
		f.Add("label", labelService+"="+service)
	}
	list, err := r.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return nil, fmt.Errorf("listing containers: %w", err)
	}
	out := make([]observed, 0, len(list))
	for _, c := range list {
		name := c.ID[:12]
		if len(c.Names) > 0 {
			name = strings.TrimPrefix(c.Names[0], "/")
		}
		n, _ := strconv.Atoi(c.Labels[labelNumber])
		out = append(out, observed{
			ID: c.ID, Name: name, Service: c.Labels[labelService], Number: n,
			Hash: c.Labels[labelConfigHash], Running: c.State == "running",
			Own: isOwn(c.Labels, r.stack),
		})
	}
	return out, nil
}

// carryOut executes a service's plan: removals, then the reattach or the
// creation. It decides nothing.
func (r *Runtime) carryOut(ctx context.Context, plan Plan, req request, out engine.Output) (*instance, error) {
	for _, a := range plan.Actions {
		if a.Kind != actRemove {
			continue
		}
		if err := r.remove(ctx, a.Container.ID, true); err != nil {
			return nil, fmt.Errorf("removing %s (%s): %w", a.Container.Name, a.Why, err)
		}
		r.log.Info("removed a container", "container", a.Container.Name, "why", a.Why)
	}
	for _, a := range plan.Actions {
		switch a.Kind {
		case actReattach:
			return r.reattach(ctx, a.Container, req, out)
		case actCreate:
			return r.create(ctx, a, req, out)
		case actBlocked:
			return nil, fmt.Errorf("container %s: %s", a.Name, a.Why)
		}
	}
	return nil, errors.New("nothing to run: the plan has no container for the service")
}

// create creates and starts the service's container.
func (r *Runtime) create(ctx context.Context, a action, req request, out engine.Output) (*instance, error) {
	cfg := *req.Config
	cfg.Labels = cloneMap(cfg.Labels)
	cfg.Labels[labelNumber] = strconv.Itoa(a.Number)
	cfg.Labels[labelConfigHash] = req.Hash
	resp, err := r.cli.ContainerCreate(ctx, &cfg, req.Host, req.Net, nil, a.Name)
	if err != nil {
		return nil, fmt.Errorf("creating container %s: %w", a.Name, err)
	}
	if err := r.cli.ContainerStart(ctx, resp.ID, container.StartOptions{}); err != nil {
		r.remove(context.WithoutCancel(ctx), resp.ID, false)
		return nil, fmt.Errorf("starting container %s: %w", a.Name, err)
	}
	info, err := r.cli.ContainerInspect(ctx, resp.ID)
	if err != nil {
		r.remove(context.WithoutCancel(ctx), resp.ID, false)
		return nil, fmt.Errorf("inspecting container %s: %w", a.Name, err)
	}
	return r.track(ctx, info, out, logsFrom{})
}

// reattach follows a running container of an earlier run.
func (r *Runtime) reattach(ctx context.Context, c observed, req request, out engine.Output) (*instance, error) {
	info, err := r.cli.ContainerInspect(ctx, c.ID)
	if err != nil {
		return nil, fmt.Errorf("inspecting container %s: %w", c.Name, err)
	}
	r.log.Info("reattached a container", "container", c.Name)
	return r.track(ctx, info, out, logsFrom{tail: r.tail})
}

// track makes the instance that follows a started container, unless the
// runtime closed meanwhile: then the container goes.
func (r *Runtime) track(ctx context.Context, info container.InspectResponse, out engine.Output, from logsFrom) (*instance, error) {
	pid := 0
	if info.State != nil && !r.ep.Remote() {
		pid = info.State.Pid
	}
	withHealth := info.State != nil && info.State.Health != nil
	if info.Config != nil && info.Config.Healthcheck != nil && len(info.Config.Healthcheck.Test) > 0 && info.Config.Healthcheck.Test[0] != "NONE" {
		withHealth = true
	}
	tty := info.Config != nil && info.Config.Tty
	i := newInstance(r, info.ID, strings.TrimPrefix(info.Name, "/"), pid, tty, withHealth, out)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		r.remove(context.WithoutCancel(ctx), i.id, false)
		return nil, ErrClosed
	}
	r.live[i.id] = i
	r.made = true
	r.bg.Go(func() { i.supervise(from) })
	return i, nil
}

// forget drops an ended instance.
func (r *Runtime) forget(i *instance) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.live, i.id)
}

// doom remembers a container to remove once the engine answers again.
func (r *Runtime) doom(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.doomed[id] = true
}

// remove stops a container (gracefully, with its own stop signal and
// timeout, when stop is set) and removes it. One already gone is no
// error.
func (r *Runtime) remove(ctx context.Context, id string, stop bool) error {
	if stop {
		if err := r.cli.ContainerStop(ctx, id, container.StopOptions{}); err != nil && !cerrdefs.IsNotFound(err) {
			return fmt.Errorf("stopping: %w", err)
		}
	}
	err := r.cli.ContainerRemove(ctx, id, container.RemoveOptions{Force: true})
	if err != nil && !cerrdefs.IsNotFound(err) && !isRemovalInProgress(err) {
		return fmt.Errorf("removing: %w", err)
	}
	return nil
}

// Close kills whatever still runs (the engine should have stopped the
// services in order first), removes every container of the stack and
// the project's network when Berth made it, and stops watching the
// engine. Start fails after Close. An engine away is an error only when
// this runtime ran containers on it: a stack that never used it (or a
// machine without Docker) closes quietly.
func (r *Runtime) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	made := r.made
	r.mu.Unlock()
	live := r.liveInstances()
	for _, i := range live {
		i.Stop(syscall.SIGKILL, 0)
	}
	var err error
	if up, reason := r.conn.state(); up {
		ctx, cancel := context.WithTimeout(r.ctx, 30*time.Second)
		err = r.removeAll(ctx)
		cancel()
	} else if made {
		err = fmt.Errorf("%w (%s): the stack's containers are left on it", ErrUnreachable, reason)
	}
	r.cancel()
	r.bg.Wait()
	if cerr := r.cli.Close(); err == nil {
		err = cerr
	}
	return err
}

// removeAll removes every container Berth made for the stack, then the
// project's network if Berth made it.
func (r *Runtime) removeAll(ctx context.Context) error {
	seen, err := r.observe(ctx, ownFilter(r.stack), "")
	if err != nil {
		return err
	}
	var errs []error
	for _, c := range seen {
		if err := r.remove(ctx, c.ID, c.Running); err != nil {
			errs = append(errs, fmt.Errorf("container %s: %w", c.Name, err))
		}
	}
	if err := r.removeNetwork(ctx); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// detach stops following the engine and leaves every container as it
// is: what a Berth killed without warning leaves behind, for the next
// one to reattach.
func (r *Runtime) detach() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.cancel()
	r.bg.Wait()
	r.cli.Close()
}
