package gateway_test

import (
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/fixtures/echo"
	"github.com/berth-dev/berth/fixtures/nginxtest"
	"github.com/berth-dev/berth/gateway"
	"github.com/berth-dev/berth/gateway/nginx"
)

const fixturesDir = "../fixtures/nginx"

// loadInstance reads an instantiated fixture the way `berth routes -c
// ENTRY --prefix DIR` would.
func loadInstance(in *nginxtest.Instance) (*gateway.Table, error) {
	opts := nginx.Options{}
	if in.Fixture.Prefix != "" {
		opts.Prefix, opts.ProdPrefix = in.Dir, in.Fixture.Prefix
	}
	cfg, err := nginx.ParseFile(in.Entry, opts)
	if err != nil {
		return nil, err
	}
	return gateway.Compile(cfg)
}

// short renders a Berth config error as the .want files do.
func short(err error) string {
	var ne *nginx.Error
	if errors.As(err, &ne) {
		return fmt.Sprintf("%s:%d: %s", filepath.Base(ne.Pos.File), ne.Pos.Line, ne.Msg)
	}
	return err.Error()
}

// hasPosition tells whether nginx's verdict names a file and line.
func hasPosition(want string) bool {
	pos, _, ok := strings.Cut(want, ": ")
	i := strings.LastIndexByte(pos, ':')
	return ok && i > 0 && strings.Trim(pos[i+1:], "0123456789") == "" && i+1 < len(pos)
}

// Every fixture: Berth accepts it exactly when `nginx -t` does, and when
// both refuse, they name the same line with the same words.
func TestAcceptsWhatNginxAccepts(t *testing.T) {
	fixtures, err := nginxtest.Fixtures(fixturesDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(fixtures) < 12 {
		t.Fatalf("%d fixtures, want at least 12", len(fixtures))
	}
	for _, f := range fixtures {
		t.Run(f.Name, func(t *testing.T) {
			in, err := nginxtest.Instantiate(t, f, nil)
			if err != nil {
				t.Fatal(err)
			}
			nginxErr := nginxtest.CheckConfig(in.Main, in.RunDir)
			if errors.Is(nginxErr, nginxtest.ErrNoNginx) {
				t.Fatal(nginxErr)
			}
			tbl, berthErr := loadInstance(in)
			var ce *nginxtest.ConfigError
			switch {
			case nginxErr != nil && berthErr == nil && errors.As(nginxErr, &ce) && reportsRefusal(tbl, ce.Short()):
				// Accepted on purpose, and the report says nginx refuses it.
			case nginxErr == nil && berthErr != nil:
				t.Errorf("nginx -t accepts it, Berth refuses: %v", berthErr)
			case nginxErr != nil && berthErr == nil:
				t.Errorf("Berth accepts it, nginx -t refuses: %v", nginxErr)
			case nginxErr != nil:
				if errors.As(nginxErr, &ce) && ce.Short() != short(berthErr) {
					t.Errorf("nginx: %s\nBerth: %s", ce.Short(), short(berthErr))
				}
			}
		})
	}
}

// Every invalid config fails in Berth with nginx's message and line, and
// real nginx still says what the .want file says.
func TestInvalidConfigsFailAsNginxDoes(t *testing.T) {
	bad, err := nginxtest.InvalidConfigs(filepath.Join(fixturesDir, "invalid"))
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) < 15 {
		t.Fatalf("%d invalid configs, want at least 15", len(bad))
	}
	for _, b := range bad {
		t.Run(b.Name, func(t *testing.T) {
			path, err := filepath.Abs(b.Path)
			if err != nil {
				t.Fatal(err)
			}
			main := path
			if !b.Full {
				main = filepath.Join(t.TempDir(), "nginx.conf")
				if err := nginxtest.WriteSnippetMain(main, path, ""); err != nil {
					t.Fatal(err)
				}
			}
			var ce *nginxtest.ConfigError
			if err := nginxtest.CheckConfig(main, t.TempDir()); !errors.As(err, &ce) {
				t.Errorf("nginx -t: %v, want %s", err, b.Want)
			} else if ce.Short() != b.Want {
				t.Errorf("nginx -t says %s; the .want file says %s", ce.Short(), b.Want)
			}
			cfg, err := nginx.ParseFile(path, nginx.Options{})
			var tbl *gateway.Table
			if err == nil {
				tbl, err = gateway.Compile(cfg)
			}
			if err == nil {
				if !reportsRefusal(tbl, b.Want) {
					t.Fatalf("Berth accepts it without saying nginx refuses it; nginx says %s", b.Want)
				}
				return
			}
			got := short(err)
			var ne *nginx.Error
			if !hasPosition(b.Want) && errors.As(err, &ne) {
				// nginx names no place for what it checks once the
				// config is read (merging levels); Berth names the
				// directive, and the words must agree.
				got = ne.Msg
			}
			if got != b.Want {
				t.Errorf("Berth: %s\nnginx: %s", got, b.Want)
			}
		})
	}
}

// reportsRefusal tells whether Berth's import report says, at the place
// nginx names in want ("FILE:LINE: MESSAGE"), that nginx -t refuses what
// Berth deliberately accepted (an unknown directive, a missing standard
// include file it supplies).
func reportsRefusal(tbl *gateway.Table, want string) bool {
	for _, n := range tbl.Report {
		if n.NginxRefuses && strings.HasPrefix(want, fmt.Sprintf("%s:%d: ", filepath.Base(n.Pos.File), n.Pos.Line)) {
			return true
		}
	}
	return false
}

// TestMatchAgreesWithNginx is the differential test: real nginx serves
// each fixture with echo upstreams; for every request of the fixture,
// what Berth's Match predicts (server, location, status, upstream, URI,
// Host) must be what nginx did.
func TestMatchAgreesWithNginx(t *testing.T) {
	fixtures, err := nginxtest.Fixtures(fixturesDir)
	if err != nil {
		t.Fatal(err)
	}
	var passed, failed, configs int
	upstreamDecided, rangesDecided = 0, 0
	for _, f := range fixtures {
		in, err := nginxtest.Instantiate(t, f, nil)
		if err != nil {
			t.Fatal(err)
		}
		tbl, err := loadInstance(in)
		if err != nil {
			continue // invalid fixtures are TestAcceptsWhatNginxAccepts' business
		}
		ng, err := nginxtest.StartNginx(t, in)
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		configs++
		lim := gateway.NewLimiter() // the fixture's limit_req buckets, as nginx's
		for _, r := range f.Requests {
			diff := compareOne(in, ng, tbl, lim, r)
			switch {
			case diff != "":
				failed++
				t.Errorf("%s: %s\n%s", f.Name, r.Line, diff)
			default:
				passed++
			}
		}
		if err := ng.Stop(); err != nil {
			t.Errorf("%s: stopping nginx: %v", f.Name, err)
		}
	}
	t.Logf("differential: %d configs, %d requests compared", configs, passed+failed)
	t.Logf("%d of them checked only for going upstream: the upstream's answer sent them on", upstreamDecided)
	t.Logf("%d checked only for the file they serve: the range filter decides their status", rangesDecided)
	fmt.Printf("differential against nginx: %d passed, %d failed\n", passed, failed)
	if passed+failed < 150 {
		t.Errorf("only %d requests compared, want at least 150", passed+failed)
	}
}

// authorized resolves the auth_request subrequests a decision waits on
// with the answers the fixtures' auth services give unless asked
// otherwise: an echo upstream's 200, or what the auth location answers
// itself.
func authorized(d *gateway.Decision) *gateway.Decision {
	for i := 0; d.Auth != nil && i < 11; i++ {
		sub := d.Auth.Sub
		ans := gateway.AuthAnswer{Status: 404} // no handler, no file
		switch {
		case sub.Upstream != nil:
			ans.Status, ans.UpstreamStatus = 200, 200
		case sub.Status != 0:
			ans.Status = sub.Status
		case sub.File != "":
			ans.Status = sub.FileStatus
		}
		d = d.Auth.Continue(ans)
	}
	return d
}

// upstreamDecided counts the requests compareOne could check only for
// going upstream, and rangesDecided those for the file they serve, for
// the log: the coverage they do not give is visible.
var upstreamDecided, rangesDecided int

func hasHeader(r nginxtest.Request, name string) bool {
	_, ok := r.Header(name)
	return ok
}

// compareOne sends r to nginx and returns what differs from Berth's
// prediction, or "".
func compareOne(in *nginxtest.Instance, ng *nginxtest.Nginx, tbl *gateway.Table, lim *gateway.Limiter, r nginxtest.Request) string {
	resp, err := ng.Do(r)
	d := tbl.Match(berthRequest(in, r), gateway.MatchOptions{Prefix: in.RunDir})
	if d.Limit != nil {
		// The buckets count the request when nginx has answered it; a
		// delay is not waited out (the decision is the same after it).
		d = d.Limit.Continue(lim.Check(d.Limit, time.Now()))
	}
	if d.ConnLimit != nil {
		// One request at a time never meets a limit: nginx has
		// finished the last one (the gateway tests count them).
		d = d.ConnLimit.Continue(gateway.ConnVerdict{Label: "PASSED"})
	}
	if d.Auth != nil {
		// The auth service's answer decides; an echo answers 200
		// unless asked for something else, which only running shows.
		if _, asked := r.Header(echo.HeaderHeader); asked || r.UpstreamDecides() {
			upstreamDecided++
			return ""
		}
		d = authorized(d)
	}
	if d.Close {
		if err == nil && !resp.Closed {
			return fmt.Sprintf("  Berth closes the connection (return 444); nginx answered %d", resp.Status)
		}
		return ""
	}
	if err != nil {
		return "sending to nginx: " + err.Error()
	}
	var diffs []string
	differ := func(what, berth, nginx string) {
		if berth != nginx {
			diffs = append(diffs, fmt.Sprintf("  %s: Berth %q, nginx %q", what, berth, nginx))
		}
	}
	if d.Status == 400 {
		differ("status", "400", strconv.Itoa(resp.Status))
		return strings.Join(diffs, "\n")
	}
	if r.UpstreamDecides() && d.Upstream != nil {
		// The upstream's answer (X-Accel-Redirect, an error status
		// error_page takes) may send the request elsewhere, which only
		// running shows (the gateway suite compares those answers).
		// Berth sends it upstream; if nginx ended elsewhere, or
		// answered for the upstream, that is all that can be checked.
		// A request Berth answers itself is compared in full below.
		if resp.Header("X-Berth-Location") != where(in, d.Location) || resp.Header("X-Echo-Upstream") == "" {
			upstreamDecided++
			return ""
		}
	}
	differ("location", where(in, d.Location), resp.Header("X-Berth-Location"))
	if d.Server.Server != nil && resp.Header("X-Berth-Location") != "" {
		differ("server", relPos(in, d.Server.Server.Pos), resp.Header("X-Berth-Server"))
	}
	for _, ed := range d.OnUpstreamError {
		ed = authorized(ed)
		if where(in, ed.Location) != resp.Header("X-Berth-Location") {
			continue
		}
		if ed.Status == resp.Status && ed.Body == string(resp.Body) || ed.Upstream != nil && resp.Header("X-Echo-Upstream") != "" {
			return "" // the upstream failed at run time and error_page took over, as Berth decided it would
		}
	}
	if d.Status != 0 {
		differ("status", strconv.Itoa(d.Status), strconv.Itoa(resp.Status))
		if d.Redirect != "" || resp.Header("Location") != "" {
			differ("Location", d.Redirect, resp.Header("Location"))
		}
		if d.Body != "" && r.Method != "HEAD" {
			differ("body", d.Body, string(resp.Body))
		}
		return strings.Join(diffs, "\n")
	}
	switch {
	case d.File != "" && d.FileStatus == 200 && hasHeader(r, "Range"):
		// The range filter decides 200, 206 or 416 as the file is sent
		// (after gzip): the gateway suite compares those answers.
		rangesDecided++
		return strings.Join(diffs, "\n")
	case d.File != "":
		differ("status", strconv.Itoa(d.FileStatus), strconv.Itoa(resp.Status))
		return strings.Join(diffs, "\n")
	case d.Handler != nil && d.Handler.Kind == gateway.HandleStub:
		differ("status", "200", strconv.Itoa(resp.Status))
		return strings.Join(diffs, "\n")
	case d.Handler != nil && d.Upstream == nil: // fastcgi_pass and the like: not served yet
		differ("status", "502", strconv.Itoa(resp.Status))
		return strings.Join(diffs, "\n")
	case d.Upstream == nil || r.Method == "HEAD": // HEAD: the echo's report has no body
		return strings.Join(diffs, "\n")
	}
	if (resp.Status == 502 || resp.Status == 504) && len(diffs) == 0 {
		// The request went where Berth said; the upstream then failed
		// (down, refusing, or rejecting the request), which only running
		// it shows. The gateway suite compares those answers.
		return ""
	}
	var peers []string
	for _, p := range d.Upstream.Upstream.Servers {
		peers = append(peers, in.Names[p.Addr.String()])
	}
	if r.UpstreamFails() {
		// The upstream broke off its report: only its name, in the
		// response head, is whole.
		if up := resp.Header("X-Echo-Upstream"); !slices.Contains(peers, up) {
			diffs = append(diffs, fmt.Sprintf("  upstream: Berth %v, nginx %q", peers, up))
		}
		return strings.Join(diffs, "\n")
	}
	rec, err := echo.ParseReceived(resp.Body)
	if err != nil {
		diffs = append(diffs, fmt.Sprintf("  Berth predicts upstream %s; nginx answered %d %q", d.Upstream.Upstream.Name, resp.Status, truncate(resp.Body)))
		return strings.Join(diffs, "\n")
	}
	if d.OverrideStatus != 0 {
		differ("status", strconv.Itoa(d.OverrideStatus), strconv.Itoa(resp.Status))
	}
	if !slices.Contains(peers, rec.Upstream) {
		diffs = append(diffs, fmt.Sprintf("  upstream: Berth %v, nginx %q", peers, rec.Upstream))
	}
	if d.Handler.Kind == gateway.HandleUWSGI {
		for _, k := range []string{"PATH_INFO", "REQUEST_URI", "QUERY_STRING", "SCRIPT_NAME", "HTTP_HOST", "SERVER_NAME", "REQUEST_METHOD"} {
			want, _ := d.Upstream.Var(k)
			differ(k, want, recVar(rec, k))
		}
	} else {
		differ("method", d.Upstream.Method, rec.Method)
		differ("URI", d.Upstream.URI, rec.Target)
		differ("Host", d.Upstream.Host, recHeader(rec, "Host"))
	}
	return strings.Join(diffs, "\n")
}

// berthRequest is what nginx sees of r: the bytes ng.Do sends, on the
// socket it sends them to.
func berthRequest(in *nginxtest.Instance, r nginxtest.Request) gateway.Request {
	port := in.Ports[0].Local
	if r.Port != 0 {
		port, _ = in.LocalPort(r.Port)
	}
	addr := netip.MustParseAddr("127.0.0.1")
	if r.Addr != "" {
		addr = netip.MustParseAddr(strings.Trim(r.Addr, "[]"))
	}
	headers := r.Headers
	if _, ok := r.Header("Host"); !ok && !r.NoHost && r.Proto == "HTTP/1.1" {
		headers = append([][2]string{{"Host", "localhost"}}, headers...)
	}
	req := gateway.Request{Method: r.Method, Target: r.Target, Proto: r.Proto, Headers: headers,
		LocalAddr: addr, LocalPort: port, RemoteAddr: "127.0.0.1", RemotePort: 1}
	if te, _ := r.Header("Transfer-Encoding"); strings.EqualFold(te, "chunked") {
		// nginx reads a chunked body whole before deciding on it.
		n, ok := dechunkedLength(r.Body)
		req.ChunkedLength, req.ChunkedRead, req.ChunkedInvalid = n, ok, !ok
	}
	return req
}

func where(in *nginxtest.Instance, l *gateway.Location) string {
	if l == nil {
		return ""
	}
	return relPos(in, l.Pos)
}

func relPos(in *nginxtest.Instance, p nginx.Pos) string {
	rel, err := filepath.Rel(in.Dir, p.File)
	if err != nil {
		rel = p.File
	}
	return fmt.Sprintf("%s:%d", filepath.ToSlash(rel), p.Line)
}

func recVar(r *echo.Received, key string) string {
	for _, kv := range r.Vars {
		if kv[0] == key {
			return kv[1]
		}
	}
	return ""
}

func recHeader(r *echo.Received, name string) string {
	for _, kv := range r.Headers {
		if strings.EqualFold(kv[0], name) {
			return kv[1]
		}
	}
	return ""
}

func truncate(b []byte) string {
	if len(b) > 120 {
		return string(b[:120]) + "..."
	}
	return string(b)
}

// dechunkedLength is the size of a chunked body once decoded; ok is
// false when a chunk's size does not parse.
func dechunkedLength(body []byte) (n int64, ok bool) {
	rest := string(body)
	for {
		line, after, found := strings.Cut(rest, "\r\n")
		if !found {
			return n, true
		}
		size, err := strconv.ParseInt(strings.TrimSpace(strings.Split(line, ";")[0]), 16, 64)
		if err != nil {
			return n, false
		}
		if size == 0 || int64(len(after)) < size {
			return n, true
		}
		n += size
		rest = strings.TrimPrefix(after[size:], "\r\n")
	}
}
