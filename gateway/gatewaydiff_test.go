package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/fixtures/nginxtest"
	"github.com/berth-dev/berth/gateway"
)

// The gateway differential suite: real nginx and Berth's served gateway
// run the same instantiated fixture (the same files, the same echo
// upstreams and uWSGI apps), every request of the fixture goes to both as
// the same raw bytes, and nginxtest.Compare lists what differs on the
// wire: status, Location, the annotation headers naming the server and
// location block, the other response headers (Server too), return and
// static bodies, nginx's own error pages word for word, and everything the upstream received (request line, Host, headers, body
// length; uwsgi vars). Round robin is compared request by request: both
// start fresh with one worker's worth of state.
//
// Differences that are allowed, and normalised or left out by Compare:
//   - Berth listens on its own ports and reports them where nginx reports
//     its own ($server_port, SERVER_PORT, absolute redirects): Berth's
//     ports are mapped back to nginx's before comparing;
//   - the order of headers and the case of their names, in responses and
//     upstream requests (compared as multisets);
//   - Date, connection management and framing headers, Accept-Ranges
//     (nginxtest.IgnoredResponseHeaders), the client port (REMOTE_PORT),
//     and the line Berth adds to the 502 page of a handler it does not
//     serve yet (fastcgi_pass and the like), as the issue asks.
//
// Berth serves with Public off, as on a developer's machine: each of
// nginx's listen groups gets a loopback address of its own, so a request
// nginx takes on 127.0.0.2 (a `listen 80` group hidden behind `listen
// 127.0.0.1:80`) is sent to the Berth listener of the same group.

// berthSendTimeout bounds one request to Berth, and berthGiveUp is how many
// requests of a fixture may get no answer before its others are counted as
// failed unsent: a hanging gateway must not hang the suite.
const (
	berthSendTimeout = 5 * time.Second
	berthGiveUp      = 3
)

func TestGatewayAgreesWithNginx(t *testing.T) {
	fixtures, err := nginxtest.Fixtures(fixturesDir)
	if err != nil {
		t.Fatal(err)
	}
	var passed, failed, configs int
	allowed = nil
	for _, f := range fixtures {
		t.Run(f.Name, func(t *testing.T) {
			p, fl, served := diffFixture(t, f)
			passed, failed = passed+p, failed+fl
			if served {
				configs++
			}
		})
	}
	t.Logf("gateway differential: %d configs, %d requests", configs, passed+failed)
	for _, a := range allowed {
		t.Logf("allowed difference (README: requests net/http refuses): %s", a)
	}
	fmt.Printf("gateway differential: %d passed, %d failed\n", passed, failed)
	if configs < 25 || passed+failed < 400 {
		t.Errorf("%d configs and %d requests compared, want at least 25 and 400", configs, passed+failed)
	}
}

// diffFixture runs one fixture on nginx and on Berth and compares every
// request. served is false for fixtures nginx refuses (the seed).
func diffFixture(t *testing.T, f *nginxtest.Fixture) (passed, failed int, served bool) {
	in, err := nginxtest.Instantiate(t, f, nil)
	if err != nil {
		t.Fatal(err) // includes a missing uWSGI: fail, never skip
	}
	if err := nginxtest.CheckConfig(in.Main, in.RunDir); err != nil {
		if errors.Is(err, nginxtest.ErrNoNginx) {
			t.Fatal(err)
		}
		return 0, 0, false // TestAcceptsWhatNginxAccepts covers refused configs
	}
	tbl, err := loadInstance(in)
	if err != nil {
		t.Errorf("nginx accepts the config, Berth refuses it: %v", err)
		return 0, len(f.Requests), true
	}
	ng, err := nginxtest.StartNginx(t, in)
	if err != nil {
		t.Fatal(err)
	}
	gw, ports, err := startBerth(t, in, tbl)
	if err != nil {
		t.Errorf("starting Berth: %v", err)
		return 0, len(f.Requests), true
	}
	unanswered := 0
	for _, r := range f.Requests {
		diffs := diffRequest(in, ng, gw, ports, r, unanswered >= berthGiveUp)
		if len(diffs) == 0 {
			passed++
			continue
		}
		if strings.HasPrefix(diffs[0], "Berth: ") {
			unanswered++
		}
		failed++
		t.Errorf("%s\n  %s", r.Line, strings.Join(diffs, "\n  "))
	}
	if err := ng.Stop(); err != nil {
		t.Errorf("stopping nginx: %v", err)
	}
	return passed, failed, true
}

// diffRequest sends r to nginx and to Berth and returns the differences.
func diffRequest(in *nginxtest.Instance, ng *nginxtest.Nginx, gw *gateway.Gateway, ports nginxtest.PortMap,
	r nginxtest.Request, giveUp bool) []string {
	raw := r.Raw("localhost")
	want, err := ng.Do(r)
	if err != nil {
		return []string{"nginx: " + err.Error()}
	}
	if giveUp {
		return []string{"Berth: not sent, too many requests of this fixture went unanswered"}
	}
	addr, err := berthAddr(in, gw, r)
	if err != nil {
		return []string{"Berth: " + err.Error()}
	}
	got, err := nginxtest.SendWithin(addr, raw, berthSendTimeout)
	if err != nil {
		return []string{"Berth: " + err.Error()}
	}
	diffs := nginxtest.Compare(r.Method, want, got, ports.Normalise)
	if len(diffs) > 0 && refusedByNetHTTP(got) {
		// The README's second allowed difference: Go's HTTP server
		// answers malformed requests itself, before the gateway sees them.
		allowed = append(allowed, fmt.Sprintf("%s: nginx %d, Berth %d %q", r.Line, want.Status, got.Status, strings.TrimSpace(string(got.Body))))
		return nil
	}
	return diffs
}

// allowed lists the requests answered by net/http itself, for the log.
var allowed []string

// refusedByNetHTTP recognises net/http's own answer to a request it will
// not parse: a plain-text 400 that no handler wrote.
func refusedByNetHTTP(r *nginxtest.Response) bool {
	return r.Status == 400 && strings.HasPrefix(r.Header("Content-Type"), "text/plain") &&
		strings.HasPrefix(string(r.Body), "400 Bad Request")
}

// startBerth serves tbl (read from the same files nginx runs) on free
// ports, and returns the map from those ports back to nginx's.
func startBerth(t *testing.T, in *nginxtest.Instance, tbl *gateway.Table) (*gateway.Gateway, nginxtest.PortMap, error) {
	local := map[int]int{} // nginx's port (Berth's production port) -> Berth's
	for _, p := range in.Ports {
		local[p.Local] = nginxtest.FreePort()
	}
	gw := gateway.NewGateway(tbl, gateway.ServeOptions{
		MapPort: func(prod int) int { return local[prod] },
		Prefix:  in.RunDir, // so that $document_root agrees
	})
	if err := gw.Start(); err != nil {
		return nil, nil, err
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := gw.Shutdown(ctx); err != nil {
			t.Errorf("Berth shutdown: %v", err)
		}
	})
	ports := nginxtest.PortMap{}
	for prod, l := range local {
		ports[l] = prod
	}
	return gw, ports, nil
}

// berthAddr finds the Berth listener serving the nginx listen group that
// takes r: the group of r's exact local address and port if the config
// names one, else the port's wildcard group.
func berthAddr(in *nginxtest.Instance, gw *gateway.Gateway, r nginxtest.Request) (string, error) {
	nginxAddr, err := in.Addr(r)
	if err != nil {
		return "", err
	}
	ap, err := netip.ParseAddrPort(nginxAddr)
	if err != nil {
		return "", err
	}
	wildcard := net.JoinHostPort("0.0.0.0", strconv.Itoa(int(ap.Port())))
	if ap.Addr().Is6() {
		wildcard = net.JoinHostPort("::", strconv.Itoa(int(ap.Port())))
	}
	ls := gw.Listeners()
	for _, want := range []string{ap.String(), wildcard} {
		for _, l := range ls {
			if l.Prod == want {
				return l.Addr, nil
			}
		}
	}
	var have []string
	for _, l := range ls {
		have = append(have, l.Prod)
	}
	return "", fmt.Errorf("no listener for nginx's %s (Berth serves %s)", nginxAddr, strings.Join(have, ", "))
}
