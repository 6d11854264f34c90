package engine

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// maxProbeOutput caps what a result keeps of a check's output, as Docker
// keeps 4 KiB.
const maxProbeOutput = 4096

// checker is one periodic health check of a running service.
type checker interface {
	name() string
	rules() healthRules
	// check runs once; ctx carries the timeout.
	check(ctx context.Context) (ok bool, output string)
}

// target is where a running instance serves, what its checks talk to.
type target struct {
	Port   int
	Socket string
	Host   string            // where Port is reached; "" for localhost
	Env    map[string]string // the service's environment, PORT included
	Dir    string
}

// checkersFor builds the periodic checks of spec (with defaults applied)
// for one run at t; procs runs healthcheck commands on the host, unless
// hostHealthcheck is false (the runtime runs it itself). Log probes are
// not periodic; logProbes returns them.
func checkersFor(spec Spec, t target, procs Runtime, hostHealthcheck bool) []checker {
	var cs []checker
	if hc := spec.Healthcheck; hostHealthcheck && hasHealth(Spec{Healthcheck: hc}) {
		cs = append(cs, &commandCheck{
			test: hc.Test, spec: spec, target: t, rt: procs,
			r: healthRules{hc.Interval, hc.Timeout, hc.Retries, hc.StartPeriod, hc.StartInterval},
		})
	}
	for _, p := range spec.Probes {
		r := healthRules{p.Interval, p.Timeout, p.Retries, p.StartPeriod, p.StartInterval}
		switch p.Kind {
		case ProbeHTTP:
			cs = append(cs, &httpCheck{probe: p, target: t, r: r})
		case ProbeTCP:
			cs = append(cs, &tcpCheck{host: t.Host, port: cmp.Or(p.Port, t.Port), r: r})
		case ProbeUnix:
			if p.Socket == "" && t.Socket == "" && t.Port != 0 {
				// The service's own socket, which it serves as TCP on
				// its port when it runs as a container.
				cs = append(cs, &tcpCheck{host: t.Host, port: t.Port, r: r})
				continue
			}
			cs = append(cs, &unixCheck{socket: cmp.Or(p.Socket, t.Socket), r: r})
		}
	}
	return cs
}

// logProbes returns spec's log probes.
func logProbes(spec Spec) []Probe {
	var out []Probe
	for _, p := range spec.Probes {
		if p.Kind == ProbeLog {
			out = append(out, p)
		}
	}
	return out
}

// httpCheck asks for Path and expects Status (any 2xx or 3xx when 0),
// over TCP to localhost or over the service's unix socket. Redirects are
// answers, not followed.
type httpCheck struct {
	probe  Probe
	target target
	r      healthRules
}

func (c *httpCheck) name() string       { return "http " + c.probe.Path }
func (c *httpCheck) rules() healthRules { return c.r }

func (c *httpCheck) check(ctx context.Context) (bool, string) {
	network, addr := "tcp", net.JoinHostPort(cmp.Or(c.target.Host, "localhost"), strconv.Itoa(cmp.Or(c.probe.Port, c.target.Port)))
	if c.probe.Port == 0 && c.target.Port == 0 {
		if c.target.Socket == "" {
			return false, "no port or socket to ask"
		}
		network, addr = "unix", c.target.Socket
	}
	tr := &http.Transport{
		DisableKeepAlives: true,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://localhost"+c.probe.Path, nil)
	if err != nil {
		return false, err.Error()
	}
	resp, err := client.Do(req)
	if err != nil {
		return false, probeError(ctx, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	out := "HTTP " + resp.Status
	ok := resp.StatusCode >= 200 && resp.StatusCode < 400
	if c.probe.Status != 0 {
		ok = resp.StatusCode == c.probe.Status
		if !ok {
			out += fmt.Sprintf(" (want %d)", c.probe.Status)
		}
	}
	if b := strings.TrimSpace(string(body)); b != "" {
		out += "\n" + b
	}
	return ok, out
}

// tcpCheck passes when a TCP connection to host:port (localhost when
// host is "") opens.
type tcpCheck struct {
	host string
	port int
	r    healthRules
}

func (c *tcpCheck) name() string       { return "tcp " + strconv.Itoa(c.port) }
func (c *tcpCheck) rules() healthRules { return c.r }

func (c *tcpCheck) check(ctx context.Context) (bool, string) {
	if c.port == 0 {
		return false, "no port to connect to"
	}
	return dialCheck(ctx, "tcp", net.JoinHostPort(cmp.Or(c.host, "localhost"), strconv.Itoa(c.port)))
}

// unixCheck passes when a connection to the unix socket opens.
type unixCheck struct {
	socket string
	r      healthRules
}

func (c *unixCheck) name() string       { return "unix " + c.socket }
func (c *unixCheck) rules() healthRules { return c.r }

func (c *unixCheck) check(ctx context.Context) (bool, string) {
	if c.socket == "" {
		return false, "no socket to connect to"
	}
	return dialCheck(ctx, "unix", c.socket)
}

func dialCheck(ctx context.Context, network, addr string) (bool, string) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return false, probeError(ctx, err)
	}
	conn.Close()
	return true, "connected to " + addr
}

// probeError words a failed check; a timeout says so.
func probeError(ctx context.Context, err error) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "timed out: " + err.Error()
	}
	return err.Error()
}

// firstLine is the first non-empty line of s, for a Detail.
func firstLine(s string) string {
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			return l
		}
	}
	return ""
}
