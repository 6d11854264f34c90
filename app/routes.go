package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

func runRoutes(_ context.Context, e *env, args []string) error {
	fs := newFlagSet("routes", e.stderr)
	var cf configFlags
	var asJSON bool
	fs.StringVar(&cf.file, "c", "", "the nginx config `FILE` (a full nginx.conf or a conf.d snippet)")
	fs.StringVar(&cf.prefix, "prefix", "", "local `DIR` standing in for the production config folder")
	fs.StringVar(&cf.prodPrefix, "prod-prefix", "/etc/nginx", "the production config folder that --prefix replaces")
	fs.BoolVar(&asJSON, "json", false, "print JSON (schema in the README)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	t, err := loadTable(cf)
	if err != nil {
		return err
	}
	v := routesView(t)
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	printRoutes(e.stdout, v)
	return nil
}

// printRoutes renders the route table for a terminal.
func printRoutes(w io.Writer, v routesJSON) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, s := range v.Servers {
		names := strings.Join(quoteEmpty(s.Names), " ")
		fmt.Fprintf(tw, "server %s\tlisten %s", names, strings.Join(s.Listen, " "))
		if len(s.DefaultFor) > 0 {
			fmt.Fprintf(tw, " (default for %s)", strings.Join(s.DefaultFor, " "))
		}
		fmt.Fprintf(tw, "\t%s:%d\n", s.File, s.Line)
		printLocations(tw, s.Locations, "  ")
	}
	tw.Flush()
	if len(v.Upstreams) > 0 {
		fmt.Fprintln(w, "\nupstreams")
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, u := range v.Upstreams {
			kind := u.Balance
			if u.Implicit {
				kind = "implicit"
			}
			var peers []string
			for _, p := range u.Servers {
				s := p.Address
				if p.Weight != 1 {
					s += fmt.Sprintf(" weight=%d", p.Weight)
				}
				if p.Backup {
					s += " backup"
				}
				if p.Down {
					s += " down"
				}
				peers = append(peers, s)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s:%d\n", u.Name, kind, strings.Join(peers, ", "), u.File, u.Line)
		}
		tw.Flush()
	}
	if len(v.Report) > 0 {
		fmt.Fprintln(w, "\nimport report")
		for _, n := range v.Report {
			line := fmt.Sprintf("  %s:%d: %s: %s", n.File, n.Line, n.Severity, n.Message)
			if n.NginxRefuses {
				line += " (nginx -t would refuse this)"
			}
			fmt.Fprintln(w, line)
		}
	}
}

func printLocations(w io.Writer, locs []locationJSON, indent string) {
	for _, l := range locs {
		handler := l.Handler
		if l.Target != "" {
			handler += " " + l.Target
		}
		if len(l.Addresses) > 0 {
			handler += " → " + strings.Join(l.Addresses, ", ")
		}
		var flags []string
		if l.AutoRedirect {
			flags = append(flags, "301 without slash")
		}
		if l.Internal {
			flags = append(flags, "internal")
		}
		if l.RewritePhase {
			flags = append(flags, "rewrite phase")
		}
		extra := ""
		if len(flags) > 0 {
			extra = " [" + strings.Join(flags, ", ") + "]"
		}
		fmt.Fprintf(w, "%slocation %s\t%s%s\t%s:%d\n", indent, locationLabel(l.Match, l.Name), handler, extra, l.File, l.Line)
		printLocations(w, l.Locations, indent+"  ")
	}
}

func locationLabel(match, name string) string {
	switch match {
	case "exact":
		return "= " + name
	case "prefix_noregex":
		return "^~ " + name
	case "regex":
		return "~ " + name
	case "regex_caseless":
		return "~* " + name
	case "named":
		return "@" + name
	}
	return name
}

func quoteEmpty(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		if n == "" {
			n = `""`
		}
		out[i] = n
	}
	return out
}
