package docker

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/strslice"
	"github.com/docker/docker/api/types/versions"
	"github.com/docker/go-connections/nat"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/proc"
)

// request is everything it takes to create one service's container, and
// the hash that tells whether an existing container was made from the
// same.
type request struct {
	Service string
	Name    string // container_name, or "" for Compose's <project>-<service>-<n>
	Config  *container.Config
	Host    *container.HostConfig
	Net     *network.NetworkingConfig
	Volumes []namedVolume
	Port    int // where the service listens inside the container (PORT)
	Hash    string
}

// requestInput is what a service's container is made from.
type requestInput struct {
	Project *types.Project
	Stack   string // the app's stack ID, for Berth's labels
	Network string // the project's network
	Service types.ServiceConfig
	Spec    engine.Spec
	// Env is the environment the engine gives the run (the service's,
	// with PORT and BERTH_SOCKET).
	Env          map[string]string
	Image        string // reference, as the service names it
	ImageID      string
	ImageExposed nat.PortSet
	HostIP       string // where ports are published: 127.0.0.1, "" for every address
	APIVersion   string // the negotiated Engine API version
}

// newRequest builds the container Compose would create for the service,
// with Berth's differences: no restart policy (Berth's supervisor
// restarts), ports published on HostIP, the service's port given as
// PORT, $PORT in command words expanded as for a process.
func newRequest(in requestInput) (request, error) {
	svc, spec := in.Service, in.Spec
	_, socket := in.Env["BERTH_SOCKET"]
	hostPort, _ := strconv.Atoi(in.Env["PORT"])
	pub, err := publish(svc, hostPort, in.ImageExposed, in.HostIP, socket)
	if err != nil {
		return request{}, err
	}
	env := maps.Clone(in.Env)
	if env == nil {
		env = map[string]string{}
	}
	// A unix socket on the host means nothing inside a container: a
	// socket service serves TCP on $PORT there.
	delete(env, "BERTH_SOCKET")
	if pub.Port > 0 {
		env["PORT"] = strconv.Itoa(pub.Port)
	}
	ms, vols, err := mounts(svc, in.Project)
	if err != nil {
		return request{}, err
	}
	cfg := &container.Config{
		Hostname:     svc.Hostname,
		Domainname:   svc.DomainName,
		User:         svc.User,
		ExposedPorts: pub.Exposed,
		Tty:          svc.Tty,
		OpenStdin:    svc.StdinOpen,
		Env:          proc.EnvList(env), // sorted: the config hash is stable
		Cmd:          expandWords(svc.Command, env),
		Entrypoint:   expandWords(svc.Entrypoint, env),
		Healthcheck:  healthConfig(svc.HealthCheck, env, in.APIVersion),
		Image:        in.Image,
		WorkingDir:   svc.WorkingDir,
		Labels:       labels(in),
		StopSignal:   svc.StopSignal,
	}
	if spec.StopGrace > 0 {
		secs := int((spec.StopGrace + time.Second - 1) / time.Second)
		cfg.StopTimeout = &secs
	}
	host := &container.HostConfig{
		NetworkMode:    container.NetworkMode(in.Network),
		PortBindings:   pub.Bindings,
		RestartPolicy:  container.RestartPolicy{Name: container.RestartPolicyDisabled},
		Mounts:         ms,
		CapAdd:         strslice.StrSlice(svc.CapAdd),
		CapDrop:        strslice.StrSlice(svc.CapDrop),
		DNS:            svc.DNS,
		DNSSearch:      svc.DNSSearch,
		DNSOptions:     svc.DNSOpts,
		ExtraHosts:     withHostGateway(svc.ExtraHosts.AsList(":")),
		GroupAdd:       svc.GroupAdd,
		Privileged:     svc.Privileged,
		ReadonlyRootfs: svc.ReadOnly,
		SecurityOpt:    svc.SecurityOpt,
		ShmSize:        int64(svc.ShmSize),
		Sysctls:        svc.Sysctls,
		Init:           svc.Init,
		Tmpfs:          tmpfs(svc.Tmpfs),
		Resources: container.Resources{
			Memory:   int64(svc.MemLimit),
			NanoCPUs: int64(svc.CPUS * 1e9),
		},
	}
	if svc.PidsLimit != 0 {
		host.PidsLimit = &svc.PidsLimit
	}
	netCfg := &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
		in.Network: {Aliases: []string{svc.Name}},
	}}
	switch mode := svc.NetworkMode; {
	case mode == "":
	case strings.HasPrefix(mode, "service:"):
		return request{}, fmt.Errorf("network_mode %q: sharing another service's network is not supported by Berth", mode)
	default:
		host.NetworkMode, netCfg = container.NetworkMode(mode), nil
	}
	req := request{Service: svc.Name, Name: svc.ContainerName, Config: cfg, Host: host, Net: netCfg, Volumes: vols, Port: pub.Port}
	req.Hash, err = configHash(req, in.ImageID)
	return req, err
}

// labels are the service's own labels, Compose's and Berth's.
func labels(in requestInput) map[string]string {
	l := map[string]string{}
	maps.Copy(l, in.Service.Labels)
	maps.Copy(l, in.Service.CustomLabels)
	l[labelProject] = in.Project.Name
	l[labelService] = in.Service.Name
	l[labelOneoff] = "False"
	l[labelWorkingDir] = in.Project.WorkingDir
	l[labelConfigFiles] = strings.Join(in.Project.ComposeFiles, ",")
	l[LabelManaged] = "true"
	l[LabelStack] = in.Stack
	return l
}

// configHash is the hash of everything that makes the container what it
// is, the image it runs included, but not its number: two containers
// with the same hash are interchangeable.
func configHash(req request, imageID string) (string, error) {
	cfg := *req.Config
	cfg.Labels = maps.Clone(cfg.Labels)
	delete(cfg.Labels, labelNumber)
	delete(cfg.Labels, labelConfigHash)
	data, err := json.Marshal(struct {
		Config  *container.Config
		Host    *container.HostConfig
		Net     *network.NetworkingConfig
		ImageID string
	}{&cfg, req.Host, req.Net, imageID})
	if err != nil {
		return "", fmt.Errorf("hashing the container's config: %w", err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// expandWords expands $PORT in a command's words as for a process (see
// proc.ExpandWord); nil stays nil, so the image's own applies.
func expandWords(words types.ShellCommand, env map[string]string) strslice.StrSlice {
	if words == nil {
		return nil
	}
	out := make(strslice.StrSlice, len(words))
	for i, w := range words {
		out[i] = proc.ExpandWord(w, env)
	}
	return out
}

// healthConfig is the service's healthcheck as the engine runs it in the
// container; nil leaves the image's. CMD words get $PORT as commands do;
// a CMD-SHELL string is the container's shell's to expand.
func healthConfig(hc *types.HealthCheckConfig, env map[string]string, api string) *container.HealthConfig {
	if hc == nil {
		return nil
	}
	if hc.Disable || (len(hc.Test) > 0 && hc.Test[0] == "NONE") {
		return &container.HealthConfig{Test: []string{"NONE"}}
	}
	h := &container.HealthConfig{Test: slices.Clone([]string(hc.Test))}
	if len(h.Test) > 0 && h.Test[0] == "CMD" {
		for i := 1; i < len(h.Test); i++ {
			h.Test[i] = proc.ExpandWord(h.Test[i], env)
		}
	}
	dur := func(d *types.Duration) time.Duration {
		if d == nil {
			return 0
		}
		return time.Duration(*d)
	}
	h.Interval, h.Timeout, h.StartPeriod = dur(hc.Interval), dur(hc.Timeout), dur(hc.StartPeriod)
	if hc.Retries != nil {
		h.Retries = int(*hc.Retries)
	}
	if versions.GreaterThanOrEqualTo(api, "1.44") {
		h.StartInterval = dur(hc.StartInterval)
	}
	return h
}

// hostGateway names this machine inside a container, as Docker Desktop
// does, so that a container reaches the stack's process services:
// host.docker.internal is the engine's host-gateway address.
const hostGateway = "host.docker.internal"

// withHostGateway adds host.docker.internal as the host's gateway unless
// the service names it itself.
func withHostGateway(hosts []string) []string {
	for _, h := range hosts {
		if name, _, _ := strings.Cut(h, ":"); name == hostGateway {
			return hosts
		}
	}
	return append(hosts, hostGateway+":host-gateway")
}

// tmpfs maps `tmpfs:` entries ("/run" or "/run:size=64m") to the
// engine's form.
func tmpfs(list types.StringList) map[string]string {
	if len(list) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, t := range list {
		path, opts, _ := strings.Cut(t, ":")
		out[path] = opts
	}
	return out
}
