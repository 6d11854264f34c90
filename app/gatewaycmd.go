package app

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/berth-dev/berth/gateway"
	"github.com/berth-dev/berth/gateway/tlsca"
)

// runGateway serves an nginx config in the foreground until SIGINT or
// SIGTERM, then drains requests in flight for up to 5 seconds.
func runGateway(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("gateway", e.stderr)
	var cf configFlags
	var maps multiFlag
	var public bool
	var version, caDir, cpuProfile string
	fs.StringVar(&cf.file, "c", "", "the nginx config `FILE`")
	fs.StringVar(&cf.prefix, "prefix", "", "local `DIR` standing in for the production config folder")
	fs.StringVar(&cf.prodPrefix, "prod-prefix", "/etc/nginx", "the production config folder that --prefix replaces")
	fs.Var(&maps, "map-port", "serve production listen port `FROM:TO` on local port TO (repeatable; default: ports below 1024 become 8000+port)")
	fs.BoolVar(&public, "public", false, "bind the listen addresses as written instead of loopback")
	fs.StringVar(&version, "nginx-version", gateway.DefaultNginxVersion.String(), "the nginx `VERSION` whose behaviour to mirror")
	fs.StringVar(&caDir, "ca-dir", "", "folder of the local certificate authority for `listen ... ssl` (default: the user config folder)")
	fs.StringVar(&cpuProfile, "cpuprofile", os.Getenv("BERTH_CPUPROFILE"), "write a CPU profile to `FILE` on exit, for go tool pprof (default: $BERTH_CPUPROFILE)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if cpuProfile != "" {
		stop, err := startCPUProfile(cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	ver, err := gateway.ParseNginxVersion(version)
	if err != nil {
		return err
	}
	portMap := map[int]int{}
	for _, m := range maps {
		from, to, err := gateway.ParsePortMap(m)
		if err != nil {
			return err
		}
		portMap[from] = to
	}
	t, err := loadTable(cf)
	if err != nil {
		return err
	}
	opts := gateway.ServeOptions{Log: e.log.Named("gateway"), Public: public, Version: ver,
		MapPort: func(p int) int {
			if to, ok := portMap[p]; ok {
				return to
			}
			return gateway.DefaultPortMap(p)
		},
		TLS: lazyTLS(caDir, e),
	}
	g := gateway.NewGateway(t, opts)
	if err := g.Start(); err != nil {
		return err
	}
	for _, l := range g.Listeners() {
		fmt.Fprintf(e.stdout, "serving nginx's %s on http%s://%s\n", l.Prod, map[bool]string{true: "s"}[l.SSL], l.Addr)
	}
	<-ctx.Done()
	e.log.Info("stopping: draining requests in flight (up to 5s)")
	drain, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return g.Shutdown(drain)
}

// lazyTLS opens the local CA only when a config has an ssl listen.
func lazyTLS(dir string, e *env) func([]string) *tls.Config {
	return func(names []string) *tls.Config {
		ca, err := tlsca.Open(dir)
		if err != nil {
			e.log.Error("cannot open the local certificate authority; ssl listens get no certificate", "error", err)
			return &tls.Config{}
		}
		e.log.Info("ssl listens use the local certificate authority", "ca", ca.CertPEMPath())
		return ca.TLSConfig(names)
	}
}

// startCPUProfile profiles the whole run, so that a benchmark can find
// where the gateway spends its time; stop writes the profile out.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
