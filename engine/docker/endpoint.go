package docker

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"

	"github.com/docker/docker/client"
)

// endpoint is where the Docker engine is, as the docker command line
// would find it.
type endpoint struct {
	Host string // unix:///var/run/docker.sock, tcp://host:2376, ...
	// TLSDir holds ca.pem, cert.pem and key.pem of a context that has
	// them; "" for none (DOCKER_TLS_VERIFY and DOCKER_CERT_PATH are read
	// by the client itself).
	TLSDir string
	From   string // where it was found: "DOCKER_HOST", "context \"x\"", "default"
}

// Remote tells whether the engine runs on another machine: then ports
// are published on every address of that machine and local folders
// cannot be mounted.
func (e endpoint) Remote() bool {
	u, err := url.Parse(e.Host)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "unix", "npipe", "fd":
		return false
	}
	return !isLoopback(u.Hostname())
}

// Address is the host name at which the engine publishes ports.
func (e endpoint) Address() string {
	if !e.Remote() {
		return "127.0.0.1"
	}
	u, _ := url.Parse(e.Host)
	return u.Hostname()
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// resolveEndpoint finds the engine as the docker command line does:
// DOCKER_HOST, else the context DOCKER_CONTEXT names, else the current
// context of the Docker config (config.json's currentContext), else the
// default socket. getenv reads the environment; home is the user's home
// folder, where .docker is unless DOCKER_CONFIG says otherwise.
func resolveEndpoint(getenv func(string) string, home string) (endpoint, error) {
	if h := getenv("DOCKER_HOST"); h != "" && getenv("DOCKER_CONTEXT") == "" {
		return endpoint{Host: h, From: "DOCKER_HOST"}, nil
	}
	dir := getenv("DOCKER_CONFIG")
	if dir == "" {
		dir = filepath.Join(home, ".docker")
	}
	name := getenv("DOCKER_CONTEXT")
	if name == "" {
		cur, err := currentContext(dir)
		if err != nil {
			return endpoint{}, err
		}
		name = cur
	}
	if name == "" || name == "default" {
		if h := getenv("DOCKER_HOST"); h != "" {
			return endpoint{Host: h, From: "DOCKER_HOST"}, nil
		}
		return endpoint{Host: client.DefaultDockerHost, From: "default"}, nil
	}
	return contextEndpoint(dir, name)
}

// currentContext is config.json's currentContext, "" when there is none.
func currentContext(dir string) (string, error) {
	path := filepath.Join(dir, "config.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the Docker config: %w", err)
	}
	var cfg struct {
		CurrentContext string `json:"currentContext"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return "", fmt.Errorf("reading the Docker config %s: %w", path, err)
	}
	return cfg.CurrentContext, nil
}

// contextEndpoint reads a context's docker endpoint from its meta.json,
// kept under the SHA-256 of its name.
func contextEndpoint(dir, name string) (endpoint, error) {
	sum := sha256.Sum256([]byte(name))
	id := hex.EncodeToString(sum[:])
	path := filepath.Join(dir, "contexts", "meta", id, "meta.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return endpoint{}, fmt.Errorf("docker context %q: not found (no %s)", name, path)
	}
	if err != nil {
		return endpoint{}, fmt.Errorf("docker context %q: %w", name, err)
	}
	var meta struct {
		Endpoints map[string]struct {
			Host string `json:"Host"`
		} `json:"Endpoints"`
	}
	if err := json.Unmarshal(data, &meta); err != nil {
		return endpoint{}, fmt.Errorf("docker context %q: reading %s: %w", name, path, err)
	}
	ep, ok := meta.Endpoints["docker"]
	if !ok || ep.Host == "" {
		return endpoint{}, fmt.Errorf("docker context %q: no docker endpoint in %s", name, path)
	}
	e := endpoint{Host: ep.Host, From: fmt.Sprintf("context %q", name)}
	tls := filepath.Join(dir, "contexts", "tls", id, "docker")
	if _, err := os.Stat(filepath.Join(tls, "ca.pem")); err == nil {
		e.TLSDir = tls
	}
	return e, nil
}
