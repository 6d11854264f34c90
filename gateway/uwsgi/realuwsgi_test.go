package uwsgi

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	uwsgiBin     = "/usr/bin/uwsgi"
	uwsgiPython3 = "/usr/lib/uwsgi/plugins/python3_plugin.so"
)

// environApp answers with its environ (string values) as JSON, plus the
// request body's length; /teapot answers a 418 with headers in a set order.
const environApp = `import json

def application(environ, start_response):
    body = environ["wsgi.input"].read()
    if environ.get("PATH_INFO") == "/teapot":
        start_response("418 I'm a teapot", [("X-Zed", "z"), ("x-alpha", "a"), ("Content-Length", "0")])
        return [b""]
    env = {k: v for k, v in environ.items() if isinstance(v, str)}
    env["BODY"] = body.decode("latin-1")
    out = json.dumps(env).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(out)))])
    return [out]
`

// nginxVars is what nginx 1.22.1 sends with Debian's uwsgi_params for
// target, then the client headers as HTTP_* vars in arrival order.
func nginxVars(method, target, body string, headers ...[2]string) []Var {
	path, query, _ := strings.Cut(target, "?")
	cl := ""
	if body != "" {
		cl = fmt.Sprint(len(body))
	}
	vars := []Var{
		{"QUERY_STRING", query},
		{"REQUEST_METHOD", method},
		{"CONTENT_TYPE", ""},
		{"CONTENT_LENGTH", cl},
		{"REQUEST_URI", target},
		{"PATH_INFO", path},
		{"DOCUMENT_ROOT", "/usr/share/nginx/html"},
		{"SERVER_PROTOCOL", "HTTP/1.1"},
		{"REQUEST_SCHEME", "http"},
		{"REMOTE_ADDR", "127.0.0.1"},
		{"REMOTE_PORT", "40000"},
		{"SERVER_PORT", "19080"},
		{"SERVER_NAME", "localhost"},
		{"HTTP_HOST", "localhost"},
	}
	params := len(vars)
headers:
	for _, h := range headers {
		key := "HTTP_" + strings.ToUpper(strings.ReplaceAll(h[0], "-", "_"))
		for _, p := range vars[:params] {
			if strings.EqualFold(p.Key, key) {
				continue headers // a param of that name hides the header
			}
		}
		vars = append(vars, Var{key, h[1]})
	}
	return vars
}

func TestAgainstRealUWSGI(t *testing.T) {
	sock := startUWSGI(t)

	t.Run("environ", func(t *testing.T) {
		vars := nginxVars("GET", "/api/x?a=1&b=%20", "",
			[2]string{"Host", "LocalHost:19080"}, [2]string{"X-Foo", "1"}, [2]string{"X-Foo", "2"},
			[2]string{"Cookie", "a=1"}, [2]string{"Cookie", "b=2"}, [2]string{"Connection", "close"})
		head, body := roundTrip(t, sock, vars, "")
		if head.Proto != "HTTP/1.1" || head.Status != 200 || head.StatusLine != "200 OK" {
			t.Fatalf("head = %+v", head)
		}
		var env map[string]string
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatalf("app answered %q: %v", body, err)
		}
		for k, want := range map[string]string{
			"PATH_INFO":       "/api/x",
			"QUERY_STRING":    "a=1&b=%20",
			"REQUEST_URI":     "/api/x?a=1&b=%20",
			"REQUEST_METHOD":  "GET",
			"SERVER_PROTOCOL": "HTTP/1.1",
			"HTTP_HOST":       "localhost", // the param; the Host header is not sent
			"HTTP_X_FOO":      "2",         // the last duplicate wins
			"HTTP_COOKIE":     "b=2",
			"HTTP_CONNECTION": "close",
			"CONTENT_LENGTH":  "",
			"BODY":            "",
		} {
			if env[k] != want {
				t.Errorf("environ[%s] = %q, want %q", k, env[k], want)
			}
		}
	})

	t.Run("body", func(t *testing.T) {
		body := "hello\x00world"
		head, got := roundTrip(t, sock, nginxVars("POST", "/post", body), body)
		var env map[string]string
		if err := json.Unmarshal(got, &env); err != nil {
			t.Fatalf("%+v %q: %v", head, got, err)
		}
		if env["BODY"] != body || env["CONTENT_LENGTH"] != fmt.Sprint(len(body)) {
			t.Errorf("app got body %q, CONTENT_LENGTH %q", env["BODY"], env["CONTENT_LENGTH"])
		}
	})

	t.Run("status and header order", func(t *testing.T) {
		head, _ := roundTrip(t, sock, nginxVars("GET", "/teapot", ""), "")
		want := &ResponseHead{Proto: "HTTP/1.1", Status: 418, StatusLine: "418 I'm a teapot",
			Headers: []Header{{"X-Zed", "z"}, {"x-alpha", "a"}, {"Content-Length", "0"}}}
		if !reflect.DeepEqual(head, want) {
			t.Errorf("head\n got %+v\nwant %+v", head, want)
		}
	})
}

// roundTrip sends one packet and body to uWSGI and reads the answer as
// nginx would: the head, then the body up to its length.
func roundTrip(t *testing.T, sock string, vars []Var, body string) (*ResponseHead, []byte) {
	t.Helper()
	pkt, err := AppendPacket(nil, 0, 0, vars)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(append(pkt, body...)); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	head, err := ReadResponseHead(r)
	if err != nil {
		t.Fatalf("ReadResponseHead: %v", err)
	}
	var got []byte
	method, _ := Packet{Vars: vars}.Lookup("REQUEST_METHOD")
	if n := head.BodyLength(method); n >= 0 {
		got = make([]byte, n)
		_, err = io.ReadFull(r, got)
	} else {
		got, err = io.ReadAll(r)
	}
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return head, got
}

// startUWSGI runs Debian's uWSGI with the python3 plugin and environApp on a
// unix socket in a temp dir, and stops it when the test ends.
func startUWSGI(t *testing.T) string {
	t.Helper()
	for _, f := range []string{uwsgiBin, uwsgiPython3} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("uWSGI with its python3 plugin is needed (run make test, it installs uwsgi): %v", err)
		}
	}
	dir := t.TempDir()
	app := filepath.Join(dir, "app.py")
	if err := os.WriteFile(app, []byte(environApp), 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "app.sock")
	cmd := exec.Command(uwsgiBin, "--plugin", "python3", "--socket", sock,
		"--wsgi-file", app, "--processes", "1", "--die-on-term", "--disable-logging")
	out := startLogged(t, cmd, filepath.Join(dir, "uwsgi.log"))
	waitForSocket(t, sock, out)
	return sock
}
