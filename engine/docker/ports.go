package docker

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/go-connections/nat"
)

// defaultServePort is where a container serves when nothing declares a
// port and the engine gave none (a socket service run as a container).
const defaultServePort = 8000

// published is how a container's ports reach the host.
type published struct {
	Exposed  nat.PortSet
	Bindings nat.PortMap
	// Port is where the service listens inside the container, given to
	// it as PORT; 0 when it serves nothing.
	Port int
}

// publish decides the container's ports. Every entry of `ports` is
// published as Compose would, on hostIP unless it names its own address.
// The service's own port (the first TCP entry's target, else the first
// `expose`d port, else the first the image exposes, else the port the
// engine gave) is published on hostPort, the port the engine told the
// service to serve on (PORT) and where the gateway and probes reach it;
// with no hostPort, on a free port the engine picks. hostIP is
// 127.0.0.1 for a local engine, "" (every address) for a remote one.
func publish(svc types.ServiceConfig, hostPort int, imageExposed nat.PortSet, hostIP string, socket bool) (published, error) {
	p := published{Exposed: nat.PortSet{}, Bindings: nat.PortMap{}}
	mainSet := false
	for _, pc := range svc.Ports {
		proto := pc.Protocol
		if proto == "" {
			proto = "tcp"
		}
		port, err := nat.NewPort(proto, strconv.Itoa(int(pc.Target)))
		if err != nil {
			return p, fmt.Errorf("ports: %w", err)
		}
		ip := pc.HostIP
		if ip == "" {
			ip = hostIP
		}
		hp := pc.Published
		if !mainSet && proto == "tcp" {
			mainSet, p.Port = true, int(pc.Target)
			if hp == "" && hostPort > 0 {
				hp = strconv.Itoa(hostPort)
			}
		}
		p.Exposed[port] = struct{}{}
		p.Bindings[port] = append(p.Bindings[port], nat.PortBinding{HostIP: ip, HostPort: hp})
	}
	for _, e := range svc.Expose {
		port, err := parseExpose(e)
		if err != nil {
			return p, err
		}
		p.Exposed[port] = struct{}{}
	}
	if mainSet {
		return p, nil
	}
	p.Port = firstTCP(svc.Expose, imageExposed)
	switch {
	case p.Port == 0 && hostPort > 0:
		p.Port = hostPort
	case p.Port == 0 && socket:
		p.Port = defaultServePort
	case p.Port == 0:
		return p, nil
	}
	port := nat.Port(strconv.Itoa(p.Port) + "/tcp")
	hp := ""
	if hostPort > 0 {
		hp = strconv.Itoa(hostPort)
	}
	p.Exposed[port] = struct{}{}
	p.Bindings[port] = []nat.PortBinding{{HostIP: hostIP, HostPort: hp}}
	return p, nil
}

// parseExpose reads one `expose` entry: "8000", "8000/udp", "8000-8010".
func parseExpose(e string) (nat.Port, error) {
	proto, ports := nat.SplitProtoPort(e)
	if _, _, err := nat.ParsePortRange(ports); err != nil {
		return "", fmt.Errorf("expose %q: %w", e, err)
	}
	return nat.NewPort(proto, ports)
}

// firstTCP is the first TCP port of expose, else the lowest the image
// exposes, else 0.
func firstTCP(expose []string, image nat.PortSet) int {
	for _, e := range expose {
		proto, ports := nat.SplitProtoPort(e)
		if proto != "tcp" {
			continue
		}
		lo, _, _ := strings.Cut(ports, "-")
		if n, err := strconv.Atoi(lo); err == nil && n > 0 {
			return n
		}
	}
	var tcp []int
	for port := range image {
		if port.Proto() == "tcp" {
			tcp = append(tcp, port.Int())
		}
	}
	if len(tcp) == 0 {
		return 0
	}
	return slices.Min(tcp)
}

// ServicePort is where a service listens inside its container when the
// engine tells it to serve on hostPort: the port other containers of the
// stack reach it on, by its service name. A port only the image exposes
// is not known before the image is there; then it is hostPort, as for a
// service that declares none.
func ServicePort(svc types.ServiceConfig, hostPort int) int {
	p, err := publish(svc, hostPort, nil, "", false)
	if err != nil || p.Port == 0 {
		return hostPort
	}
	return p.Port
}
