package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/gateway"
)

// runImport is `berth import nginx.conf [-o compose.yaml]`: a stack file
// from a production config, one service per upstream.
func runImport(_ context.Context, e *env, args []string) error {
	flags := newFlagSet("import", e.stderr)
	var cf configFlags
	var out string
	flags.StringVar(&cf.prefix, "prefix", "", "local `DIR` standing in for the production config folder")
	flags.StringVar(&cf.prodPrefix, "prod-prefix", "/etc/nginx", "the production config folder that --prefix replaces")
	flags.StringVar(&out, "o", "compose.yaml", "the stack `FILE` to write (never overwritten)")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprintln(e.stderr, "berth import: give one nginx config, e.g. berth import /etc/nginx/nginx.conf")
		return errUsage
	}
	cf.file = pos[0]
	if err := writeImport(cf, out); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: fill in each service's command (marked TODO), then run berth up -f %s\n", out, out)
	return nil
}

// writeImport imports the config cf names and writes the stack file out,
// never over an existing file.
func writeImport(cf configFlags, out string) error {
	t, err := loadTable(cf)
	if err != nil {
		return err
	}
	text, err := importStack(t, cf, out)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists already; Berth never overwrites it (give another name with -o)", out)
	}
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// importedService is one service importStack proposes.
type importedService struct {
	name      string
	upstreams []*gateway.Upstream
	socket    bool
	port      int
}

// importStack writes the stack file text for a table; out is where it
// will be written (paths in it are relative to its folder).
func importStack(t *gateway.Table, cf configFlags, out string) (string, error) {
	services := map[string]*importedService{}
	var order []string
	mapping := map[string]string{}
	for _, u := range t.Upstreams {
		name := serviceNameFor(u)
		if s := services[name]; s != nil && !sameKind(s, u) {
			for i := 2; services[name] != nil; i++ {
				name = fmt.Sprintf("%s-%d", serviceNameFor(u), i)
			}
		}
		s := services[name]
		if s == nil {
			s = &importedService{name: name}
			services[name] = s
			order = append(order, name)
		}
		s.upstreams = append(s.upstreams, u)
		p := u.Servers[0].Addr
		if p.Network == "unix" {
			s.socket = true
		} else if s.port == 0 {
			s.port = p.Port
		}
		mapping[u.Name] = name
	}
	dir, _ := filepath.Abs(filepath.Dir(out))
	nginxPath, err := filepath.Abs(cf.file)
	if err != nil {
		return "", err
	}
	if rel, err := filepath.Rel(dir, nginxPath); err == nil {
		nginxPath = rel
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Written by `berth import` from %s.\n", cf.file)
	b.WriteString("# One service per nginx upstream: fill in each command (marked TODO). A process\n")
	b.WriteString("# listens where Berth tells it: $${BERTH_SOCKET} for socket services, $$PORT\n")
	b.WriteString("# otherwise. To run one as a container instead, give it an image or build.\n\n")
	b.WriteString("x-berth:\n  gateway:\n")
	fmt.Fprintf(&b, "    nginx: %s\n", yamlString(nginxPath))
	if cf.prefix != "" {
		p, _ := filepath.Abs(cf.prefix)
		if rel, err := filepath.Rel(dir, p); err == nil {
			p = rel
		}
		fmt.Fprintf(&b, "    prefix: %s\n    prod_prefix: %s\n", yamlString(p), yamlString(cf.prodPrefix))
	}
	var ports []string
	seen := map[int]bool{}
	for _, g := range t.Groups {
		if !seen[g.Port] {
			seen[g.Port] = true
			ports = append(ports, fmt.Sprintf("%q: %d", strconv.Itoa(g.Port), gateway.DefaultPortMap(g.Port)))
		}
	}
	sort.Strings(ports)
	fmt.Fprintf(&b, "    ports: {%s}\n", strings.Join(ports, ", "))
	if len(mapping) > 0 {
		b.WriteString("    upstreams:\n")
		var names []string
		for n := range mapping {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(&b, "      %s: %s\n", yamlString(n), mapping[n])
		}
	}
	b.WriteString("\nservices:\n")
	if len(order) == 0 {
		b.WriteString("  # the config has no upstreams: add the services it should reach\n")
		b.WriteString("  placeholder:\n    command: [\"sleep\", \"infinity\"]\n")
	}
	for _, name := range order {
		s := services[name]
		fmt.Fprintf(&b, "  %s:\n", name)
		for _, u := range s.upstreams {
			var addrs []string
			for _, p := range u.Servers {
				addrs = append(addrs, p.Addr.String())
			}
			fmt.Fprintf(&b, "    # serves upstream %s (%s): %s\n", u.Name, u.Pos, strings.Join(addrs, ", "))
		}
		listen := "$$PORT"
		if s.socket {
			listen = "$${BERTH_SOCKET}"
		}
		fmt.Fprintf(&b, "    command: [\"sh\", \"-c\", \"echo 'TODO: the command that runs %s, listening on %s'; exit 1\"]\n", name, listen)
		b.WriteString("    x-berth:\n      run: process\n")
		if s.socket {
			b.WriteString("      socket: true\n")
		} else {
			fmt.Fprintf(&b, "      port: %d\n", s.port)
		}
	}
	if len(t.Report) > 0 {
		b.WriteString("\n# What Berth does with the rest of the config (berth routes lists it too):\n")
		for _, n := range t.Report {
			fmt.Fprintf(&b, "#   %s:%d: %s\n", n.Pos.File, n.Pos.Line, strings.ReplaceAll(n.Msg, "\n", " "))
		}
	}
	return b.String(), nil
}

// serviceNameFor names the service behind an upstream after what its
// address names: the folder of a socket (/opt/www/service1/uwsgi.sock →
// service1), a host that is not an address (web:8000 → web), else the
// upstream block's own name.
func serviceNameFor(u *gateway.Upstream) string {
	p := u.Servers[0].Addr
	switch {
	case p.Network == "unix":
		parts := strings.Split(strings.Trim(p.Path, "/"), "/")
		for i := len(parts) - 2; i >= 0; i-- {
			if !genericFolder[parts[i]] {
				return composeName(parts[i])
			}
		}
	case p.Host != "localhost" && !looksLikeIP(p.Host):
		return composeName(strings.Split(p.Host, ".")[0])
	}
	if !u.Implicit {
		return composeName(u.Name)
	}
	return composeName(fmt.Sprintf("service-%d", p.Port))
}

// genericFolder are folders that name no service.
var genericFolder = map[string]bool{"run": true, "tmp": true, "var": true, "sockets": true, "socket": true,
	"shared": true, "uwsgi": true, "app": true, "apps": true, "php": true, "www": true, "opt": true, "srv": true}

func looksLikeIP(h string) bool {
	return strings.Trim(h, "0123456789.:[]abcdef") == "" && strings.ContainsAny(h, ".:")
}

var nonName = regexp.MustCompile(`[^a-z0-9_-]+`)

// composeName makes a valid Compose service name.
func composeName(s string) string {
	n := strings.Trim(nonName.ReplaceAllString(strings.ToLower(s), "-"), "-_")
	if n == "" {
		return "service"
	}
	return n
}

func sameKind(s *importedService, u *gateway.Upstream) bool {
	return s.socket == (u.Servers[0].Addr.Network == "unix")
}

func yamlString(s string) string { return strconv.Quote(s) }
