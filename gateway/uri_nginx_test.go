package gateway

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/fixtures/nginxtest"
)

// These tests send raw request bytes to Debian's real nginx and check that it
// agrees with the tables in uri_test.go, host_test.go and escape_test.go and
// with the Go functions, so the tables cannot drift from nginx.

// nginxTestMSIEUA makes nginx set r->headers_in.msie, which msie_refresh needs.
const nginxTestMSIEUA = "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)"

// nginxTestRedirectLiterals are rewrite replacements with no captures; nginx passes
// them through NGX_UNESCAPE_REDIRECT before sending them as Location.
var nginxTestRedirectLiterals = []string{
	"/lit/%41%2f%20%7e%3Fb%41%zz",
	"/lit/a%25b%22c%26d%7F%C3%A9",
	"/lit/%4z%zz%%41",
	"/lit/q?x=%41%20",
	"/lit/%2e%2E/%3f%3F",
	"/lit/%60%5B%5d%7B%7d%3C%3e",
}

type nginxUnderTest struct {
	merge, keep, esc int // ports: merge_slashes on, off, escape experiments
}

func TestAgainstRealNginx(t *testing.T) {
	ng := startRealNginx(t)

	t.Run("uri", func(t *testing.T) {
		for _, c := range uriCases {
			port := ng.merge
			if c.keepSlashes {
				port = ng.keep
			}
			resp := nginxRawRequest(t, port, c.target, "h.test", "")
			gs, gu, ga, gh := uriGoAnswer(c.target, c.keepSlashes, "h.test", DefaultNginxVersion)
			ws, wu, wa, wh := c.want()
			got := fmt.Sprintf("%d uri=%q args=%q host=%q", resp.status, resp.body, resp.header["X-Args"], resp.header["X-Host"])
			if resp.status != 200 {
				got = fmt.Sprintf("%d", resp.status)
			}
			goSays := fmt.Sprintf("%d uri=%q args=%q host=%q", gs, gu, ga, gh)
			if gs != 200 {
				goSays = fmt.Sprintf("%d", gs)
			}
			table := fmt.Sprintf("%d uri=%q args=%q host=%q", ws, wu, wa, wh)
			if ws != 200 {
				table = fmt.Sprintf("%d", ws)
			}
			if got != goSays || got != table {
				t.Errorf("%s: target %q keepSlashes=%v\n nginx: %s\n    go: %s\n table: %s", c.id, c.target, c.keepSlashes, got, goSays, table)
			}
		}
		t.Logf("%d raw request-targets checked", len(uriCases))
	})

	// Random targets built from the tokens the parsers care about, so
	// combinations nobody thought of are compared too. Fixed seed: a
	// failure is reproducible.
	t.Run("random uri", func(t *testing.T) {
		tokens := []string{"/", "/", "//", ".", "..", "/.", "/..", "%2e", "%2E", "%2f", "%2F",
			"%25", "%3F", "%3f", "%23", "%2B", "%20", "?", "#", "a", "b", "+", "%00", "%zz",
			"%4", "%", "\xc3\xa9", "%C3", ";", "~", "%7E", "%0A", "\x01"}
		rng := rand.New(rand.NewPCG(1, 22))
		const n = 1500
		for i := 0; i < n; i++ {
			var b strings.Builder
			b.WriteString("/")
			for k := rng.IntN(8); k >= 0; k-- {
				b.WriteString(tokens[rng.IntN(len(tokens))])
			}
			target := b.String()
			keep := i%2 == 1
			port := ng.merge
			if keep {
				port = ng.keep
			}
			resp := nginxRawRequest(t, port, target, "h.test", "")
			gs, gu, ga, _ := uriGoAnswer(target, keep, "h.test", DefaultNginxVersion)
			if resp.status != gs || (gs == 200 && (resp.body != gu || resp.header["X-Args"] != ga)) {
				t.Errorf("target %q keepSlashes=%v: nginx %d uri=%q args=%q; go %d uri=%q args=%q",
					target, keep, resp.status, resp.body, resp.header["X-Args"], gs, gu, ga)
			}
		}
		t.Logf("%d random request-targets checked", n)
	})

	t.Run("random host", func(t *testing.T) {
		tokens := []string{"a", "B", ".", "..", ":", "8", "0", "[", "]", "_", "-", "/", "\\", "%", "@", "\t", " ", "\xc3\x89", "~", "!"}
		rng := rand.New(rand.NewPCG(2, 22))
		const n = 500
		for i := 0; i < n; i++ {
			var b strings.Builder
			for k := rng.IntN(6); k >= 0; k-- {
				b.WriteString(tokens[rng.IntN(len(tokens))])
			}
			h := strings.TrimSpace(b.String()) // nginx trims header values
			resp := nginxRawRequest(t, ng.merge, "/", h, "")
			got := resp.header["X-Host"]
			if resp.status != 200 {
				got = "!"
			}
			goSays, err := NormalizeHost(h, DefaultNginxVersion)
			if err != nil {
				goSays = "!"
			}
			if got != goSays {
				t.Errorf("Host %q: nginx %q (status %d), go %q", h, got, resp.status, goSays)
			}
		}
		t.Logf("%d random Host values checked", n)
	})

	t.Run("host", func(t *testing.T) {
		for _, c := range hostCases {
			resp := nginxRawRequest(t, ng.merge, "/", c.in, "")
			got := resp.header["X-Host"]
			if resp.status != 200 {
				got = "!"
			}
			goSays, err := NormalizeHost(c.in, DefaultNginxVersion)
			if err != nil {
				goSays = "!"
			}
			if got != goSays || got != c.legacy {
				t.Errorf("%s: Host %q: nginx %q (status %d), go %q, table %q", c.id, c.in, got, resp.status, goSays, c.legacy)
			}
		}
		// A bad Host header is 400 even when the request line names the host.
		if resp := nginxRawRequest(t, ng.merge, "http://ok.test/", "a..b", ""); resp.status != 400 {
			t.Errorf("absolute-form with bad Host header: nginx %d, want 400", resp.status)
		}
		t.Logf("%d Host values checked", len(hostCases)+1)
	})

	// Every byte 0x01-0xFF, decoded from %XX into $uri, then escaped by
	// nginx at five call sites.
	t.Run("escape", func(t *testing.T) {
		for b := 1; b < 256; b++ {
			mid := string([]byte{'a', byte(b), 'b'})
			enc := fmt.Sprintf("a%%%02Xb", b)

			// proxy_pass http://up/x/ in location /s/ (NGX_ESCAPE_URI).
			resp := nginxRawRequest(t, ng.esc, "/s/"+enc, "h.test", "")
			if want := "GET /x/" + EscapeURI(mid, EscapeKindURI) + " HTTP/1.0"; resp.body != want {
				t.Errorf("proxy_pass byte %#02x: upstream got %q, want %q", b, resp.body, want)
			}
			// rewrite capture into args (NGX_ESCAPE_ARGS).
			resp = nginxRawRequest(t, ng.esc, "/r/"+enc, "h.test", "")
			if want := "a=" + EscapeURI(mid, EscapeKindArgs); resp.body != want {
				t.Errorf("rewrite args byte %#02x: $args %q, want %q", b, resp.body, want)
			}
			// rewrite redirect (ARGS, then NGX_UNESCAPE_REDIRECT).
			resp = nginxRawRequest(t, ng.esc, "/r4/"+enc, "h.test", "")
			if want := "/new/" + UnescapeURI(EscapeURI(mid, EscapeKindArgs), UnescapeKindRedirect); resp.header["Location"] != want {
				t.Errorf("rewrite redirect byte %#02x: Location %q, want %q", b, resp.header["Location"], want)
			}
			// msie_refresh (NGX_ESCAPE_REFRESH).
			resp = nginxRawRequest(t, ng.esc, "/mr/"+enc, "h.test", nginxTestMSIEUA)
			want := `<html><head><meta http-equiv="Refresh" content="0; URL=` +
				EscapeURI("http://x.test/mr/"+mid, EscapeKindRefresh) + "\"></head><body></body></html>\r\n"
			if resp.body != want {
				t.Errorf("msie_refresh byte %#02x: body %q, want %q", b, resp.body, want)
			}
			// SSI echo encoding="url" (NGX_ESCAPE_HTML).
			resp = nginxRawRequest(t, ng.esc, "/ssi/"+enc, "h.test", "")
			if want := EscapeURI("/ssi/"+mid, EscapeKindHTML); resp.body != want {
				t.Errorf("ssi byte %#02x: body %q, want %q", b, resp.body, want)
			}
		}
	})

	t.Run("autoindex", func(t *testing.T) {
		// autoindex links (NGX_ESCAPE_URI_COMPONENT) to files named a<byte>b.
		resp := nginxRawRequest(t, ng.esc, "/ai/", "h.test", "")
		var got []string
		for rest := resp.body; ; {
			i := strings.Index(rest, `<a href="`)
			if i < 0 {
				break
			}
			rest = rest[i+len(`<a href="`):]
			j := strings.Index(rest, `">`)
			if j < 0 {
				break
			}
			got = append(got, rest[:j])
			rest = rest[j:]
		}
		want := []string{"../"}
		for _, name := range nginxTestAutoindexNames() {
			want = append(want, EscapeURI(name, EscapeKindURIComponent))
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("autoindex hrefs differ:\n nginx %q\n    go %q", got, want)
		}
	})

	t.Run("redirect literals", func(t *testing.T) {
		for i, lit := range nginxTestRedirectLiterals {
			resp := nginxRawRequest(t, ng.esc, fmt.Sprintf("/u%d", i), "h.test", "")
			if want := UnescapeURI(lit, UnescapeKindRedirect); resp.header["Location"] != want {
				t.Errorf("rewrite %q permanent: Location %q, want %q", lit, resp.header["Location"], want)
			}
		}
	})

	// §11.3 P2/P13 rows: proxy_pass with a URI part, end to end.
	t.Run("proxy_pass rows", func(t *testing.T) {
		rows := []struct{ id, target, want string }{
			{"P2#2", "/s/%7Efoo/../bar//baz?a=%20", "/x/bar/baz?a=%20"},
			{"P2#3", "/s/a%20b", "/x/a%20b"},
			{"P2#4", "/s/a%2Fb", "/x/a/b"},
			{"P2#5", "/s/a%3Fb", "/x/a%3Fb"},
			{"P2#6", "/s/a%2525", "/x/a%2525"},
			{"P2#7", "/s/%C3%A9", "/x/%C3%A9"},
			{"P2#8", "/s/caf\xc3\xa9", "/x/caf\xc3\xa9"},
			{"P13#1", "/s/a+b%2B", "/x/a+b+"},
		}
		for _, r := range rows {
			tg, err := ParseRequestTarget(r.target)
			if err != nil {
				t.Fatalf("%s: %v", r.id, err)
			}
			n, err := tg.Normalize(true)
			if err != nil {
				t.Fatalf("%s: %v", r.id, err)
			}
			rest := n.URI[len("/s/"):]
			if n.QuotedURI {
				rest = EscapeURI(rest, EscapeKindURI)
			}
			goSays := "/x/" + rest
			if n.Args != "" {
				goSays += "?" + n.Args
			}
			resp := nginxRawRequest(t, ng.esc, r.target, "h.test", "")
			if got := strings.TrimSuffix(strings.TrimPrefix(resp.body, "GET "), " HTTP/1.0"); got != r.want || goSays != r.want {
				t.Errorf("%s %q: nginx sent %q, go builds %q, reference says %q", r.id, r.target, got, goSays, r.want)
			}
		}
	})
}

// nginxTestAutoindexNames are the file names served by /ai/: "a", one byte, "b", for
// every byte a Linux file name may hold.
func nginxTestAutoindexNames() []string {
	var names []string
	for b := 1; b < 256; b++ {
		if b == '/' {
			continue
		}
		names = append(names, string([]byte{'a', byte(b), 'b'}))
	}
	return names
}

// startRealNginx runs /usr/sbin/nginx in the foreground with a generated
// config under a temp prefix, plus an upstream that echoes the request line.
// Both stop when the test ends.
func startRealNginx(t *testing.T) nginxUnderTest {
	t.Helper()
	nginxTestBinary, err := nginxtest.Binary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// Workers may run as another user; let them read the prefix.
	for p := dir; p != filepath.Dir(p) && strings.HasPrefix(p, os.TempDir()) && p != os.TempDir(); p = filepath.Dir(p) {
		_ = os.Chmod(p, 0o755)
	}
	nginxTestMkdir(t, filepath.Join(dir, "ssi"))
	nginxTestWrite(t, filepath.Join(dir, "ssi", "ssi.html"), `<!--# echo var="u" encoding="url" -->`)
	nginxTestMkdir(t, filepath.Join(dir, "ai"))
	for _, name := range nginxTestAutoindexNames() {
		nginxTestWrite(t, filepath.Join(dir, "ai", name), "")
	}

	up := startRequestLineEcho(t)
	ng := nginxUnderTest{merge: nginxTestFreePort(t), keep: nginxTestFreePort(t), esc: nginxTestFreePort(t)}

	var lits strings.Builder
	for i, lit := range nginxTestRedirectLiterals {
		fmt.Fprintf(&lits, "        location = /u%d { absolute_redirect off; rewrite ^ \"%s\" permanent; }\n", i, lit)
	}
	echo := `location / { add_header X-Args "$args"; add_header X-Host "$host"; return 200 "$uri"; }`
	conf := fmt.Sprintf(`daemon off;
worker_processes 1;
error_log stderr;
pid %[1]s/nginx.pid;
user root;
events { worker_connections 64; }
http {
    access_log off;
    default_type text/plain;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    server {
        listen 127.0.0.1:%[2]d;
        server_name h.test;
        %[5]s
    }
    server {
        listen 127.0.0.1:%[3]d;
        server_name h.test;
        merge_slashes off;
        %[5]s
    }
    server {
        listen 127.0.0.1:%[4]d;
        server_name h.test;
        location /s/ { proxy_pass http://127.0.0.1:%[6]d/x/; }
        location /r/ { rewrite "(?s)^/r/(.*)$" /dst?a=$1? last; }
        location = /dst { return 200 "$args"; }
        location /r4/ { absolute_redirect off; rewrite "(?s)^/r4/(.*)$" /new/$1 permanent; }
        location /mr/ { msie_refresh on; return 302 "http://x.test$uri"; }
        location /ssi/ { set $u $uri; ssi on; default_type text/html; root %[1]s/ssi; try_files /ssi.html =404; }
        location /ai/ { alias %[1]s/ai/; autoindex on; }
%[7]s    }
}
`, dir, ng.merge, ng.keep, ng.esc, echo, up, lits.String())
	confPath := filepath.Join(dir, "nginx.conf")
	nginxTestWrite(t, confPath, conf)

	var stderr bytes.Buffer
	cmd := exec.Command(nginxTestBinary, "-p", dir, "-c", confPath, "-e", "stderr")
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting nginx: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // our own process group
			<-exited
		}
	})

	deadline := time.Now().Add(10 * time.Second)
	for _, port := range []int{ng.merge, ng.keep, ng.esc} {
		for {
			c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
			if err == nil {
				c.Close()
				break
			}
			select {
			case err := <-exited:
				t.Fatalf("nginx exited: %v\n%s", err, stderr.String())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("nginx not listening on %d: %v\n%s", port, err, stderr.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return ng
}

// startRequestLineEcho answers every request with its request line as the
// body. The listener closes when the test ends, which ends the accept loop;
// each connection handler ends after one request or a 5 s deadline.
func startRequestLineEcho(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("upstream listen: %v", err)
	}
	acceptEach(t, ln, func(c net.Conn) {
		go func() {
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			br := bufio.NewReader(c)
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			for {
				h, err := br.ReadString('\n')
				if err != nil || h == "\r\n" {
					break
				}
			}
			line = strings.TrimSuffix(line, "\r\n")
			fmt.Fprintf(c, "HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(line), line)
		}()
	})
	return ln.Addr().(*net.TCPAddr).Port
}

type nginxRawResponse struct {
	status int
	header map[string]string // last value per name, as sent
	body   string
}

// nginxRawRequest sends one GET with the target and Host exactly as given and
// reads the whole response (nginx closes the connection).
func nginxRawRequest(t *testing.T, port int, target, host, userAgent string) nginxRawResponse {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 5*time.Second)
	if err != nil {
		t.Fatalf("dial nginx: %v", err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	req := "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n"
	if userAgent != "" {
		req += "User-Agent: " + userAgent + "\r\n"
	}
	req += "Connection: close\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatalf("write %q: %v", target, err)
	}
	raw, err := io.ReadAll(c)
	if err != nil && len(raw) == 0 {
		t.Fatalf("read response to %q: %v", target, err)
	}
	head, body, ok := strings.Cut(string(raw), "\r\n\r\n")
	if !ok {
		t.Fatalf("no header end in response to %q: %q", target, raw)
	}
	lines := strings.Split(head, "\r\n")
	fields := strings.Fields(lines[0])
	if len(fields) < 2 {
		t.Fatalf("bad status line %q", lines[0])
	}
	status, err := strconv.Atoi(fields[1])
	if err != nil {
		t.Fatalf("bad status line %q", lines[0])
	}
	resp := nginxRawResponse{status: status, header: map[string]string{}, body: body}
	for _, l := range lines[1:] {
		if k, v, ok := strings.Cut(l, ": "); ok {
			resp.header[k] = v
		}
	}
	if resp.header["Transfer-Encoding"] == "chunked" {
		resp.body, err = nginxDechunk(body)
		if err != nil {
			t.Fatalf("response to %q: %v", target, err)
		}
	}
	return resp
}

// nginxDechunk joins the chunks of a chunked body (SSI output is chunked).
func nginxDechunk(s string) (string, error) {
	var out strings.Builder
	for {
		sizeLine, rest, ok := strings.Cut(s, "\r\n")
		if !ok {
			return "", fmt.Errorf("chunked body without size line: %q", s)
		}
		size, err := strconv.ParseInt(strings.TrimSpace(sizeLine), 16, 64)
		if err != nil || size < 0 || int64(len(rest)) < size+2 {
			return "", fmt.Errorf("bad chunk size %q", sizeLine)
		}
		if size == 0 {
			return out.String(), nil
		}
		out.WriteString(rest[:size])
		s = rest[size+2:]
	}
}

func nginxTestFreePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func nginxTestMkdir(t *testing.T, p string) {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
}

func nginxTestWrite(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
