package stack

// The x-berth schema, defined once. Compose ignores x-* keys, so these
// settings ride along in a standard Compose file. Load decodes them
// strictly (decode.go): an unknown key or a value of the wrong type is an
// error naming the file and line. The yaml tags are the key names; the
// same types marshal back to YAML for `berth import`.

// TopExtension is the top-level `x-berth` key.
type TopExtension struct {
	Gateway *GatewayExtension `yaml:"gateway,omitempty"`
}

// GatewayExtension is `x-berth.gateway`: the production nginx config the
// gateway imports and how its listen ports and upstreams map locally.
type GatewayExtension struct {
	// Nginx is the nginx config file, relative to the project folder.
	Nginx string `yaml:"nginx,omitempty"`
	// Prefix is a local folder standing in for ProdPrefix, so that
	// absolute include paths in the config are read from it.
	Prefix string `yaml:"prefix,omitempty"`
	// ProdPrefix is the production config folder (default /etc/nginx).
	ProdPrefix string `yaml:"prod_prefix,omitempty"`
	// Ports maps a production listen port to the local one ("80": 8080).
	Ports map[string]int `yaml:"ports,omitempty"`
	// Upstreams maps an nginx upstream (block name or address) to a
	// service, where automatic mapping can't tell.
	Upstreams map[string]string `yaml:"upstreams,omitempty"`
	// NginxVersion is the nginx release whose behaviour is mirrored.
	NginxVersion string `yaml:"nginx_version,omitempty"`
}

// ServiceExtension is a service's `x-berth` key.
type ServiceExtension struct {
	// Run is "process" or "container"; default: container when the service
	// has an image or build, else process.
	Run string `yaml:"run,omitempty"`
	// Command replaces the Compose command (and entrypoint) in process
	// mode; a string is split into words as Compose splits `command`.
	Command Words `yaml:"command,omitempty"`
	// WorkingDir is the process's folder, relative to the project folder.
	WorkingDir string `yaml:"working_dir,omitempty"`
	// Port is what the service serves on; 0 asks Berth for a free one.
	// Default: the first port in `ports` (published, else target).
	Port *int `yaml:"port,omitempty"`
	// Socket: the service serves on a unix socket Berth names
	// (BERTH_SOCKET) instead of a port.
	Socket bool `yaml:"socket,omitempty"`
	// Probes are extra health checks; all must pass.
	Probes []ProbeExtension `yaml:"probes,omitempty"`
	// RestartOnUnhealthy restarts the service when it turns unhealthy.
	RestartOnUnhealthy bool `yaml:"restart_on_unhealthy,omitempty"`
	// Backoff is the delay between restarts.
	Backoff *BackoffExtension `yaml:"backoff,omitempty"`
	// LogLines is the size of the service's log buffer.
	LogLines *int `yaml:"log_lines,omitempty"`
}

// ProbeExtension is one entry of `x-berth.probes`: exactly one of the
// kinds, with optional timing that works as in a Compose healthcheck.
type ProbeExtension struct {
	HTTP          *HTTPProbe `yaml:"http,omitempty"`
	TCP           *TCPProbe  `yaml:"tcp,omitempty"`
	Unix          *UnixProbe `yaml:"unix,omitempty"`
	Log           *LogProbe  `yaml:"log,omitempty"`
	Interval      Duration   `yaml:"interval,omitempty"`
	Timeout       Duration   `yaml:"timeout,omitempty"`
	Retries       *int       `yaml:"retries,omitempty"`
	StartPeriod   Duration   `yaml:"start_period,omitempty"`
	StartInterval Duration   `yaml:"start_interval,omitempty"`
}

// HTTPProbe asks for Path and expects Status (0: any 2xx or 3xx), on Port
// (default: the service's port, else its socket).
type HTTPProbe struct {
	Path   string `yaml:"path,omitempty"`
	Status int    `yaml:"status,omitempty"`
	Port   int    `yaml:"port,omitempty"`
}

// TCPProbe connects to Port (default: the service's port).
type TCPProbe struct {
	Port int `yaml:"port,omitempty"`
}

// UnixProbe connects to the unix socket at Path (default: the service's
// socket).
type UnixProbe struct {
	Path string `yaml:"path,omitempty"`
}

// LogProbe passes once a log line matches Pattern (a Go regexp).
type LogProbe struct {
	Pattern string `yaml:"pattern,omitempty"`
}

// BackoffExtension is `x-berth.backoff`.
type BackoffExtension struct {
	Initial    Duration `yaml:"initial,omitempty"`
	Max        Duration `yaml:"max,omitempty"`
	ResetAfter Duration `yaml:"reset_after,omitempty"`
}
