package demo

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/fixtures"
	"github.com/berth-dev/berth/fixtures/nginxtest"
)

// TestBehindRealNginx runs Debian's nginx with the demo's own
// service.conf, only its listen port and socket paths moved to temp
// locations, in front of four demo services: each /api/serviceN/ path
// reaches serviceN with what nginx passes (PATH_INFO decoded,
// REQUEST_URI raw, QUERY_STRING), and each counter goes up by one.
func TestBehindRealNginx(t *testing.T) {
	bin, err := nginxtest.Binary()
	if err != nil {
		t.Fatalf("%v (`make test` installs nginx)", err)
	}
	demoDir := filepath.Join(t.TempDir(), "demo")
	if err := WriteStack(demoDir); err != nil {
		t.Fatal(err)
	}
	run := t.TempDir()
	port := nginxtest.FreePort()
	conf := templateConf(t, demoDir, run, port)

	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(func() { cancel(); wg.Wait() })
	for i := 1; i <= 4; i++ {
		name := fmt.Sprintf("service%d", i)
		sock := filepath.Join(run, name+".sock")
		wg.Go(func() {
			if err := Serve(ctx, name, sock, io.Discard); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		})
		waitAccepting(t, name+"'s socket", sock)
	}
	startNginx(t, bin, run, conf, port)

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	get := func(target string) (int, string, Reply) {
		t.Helper()
		resp, err := client.Get(base + target)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 {
			return resp.StatusCode, string(body), Reply{}
		}
		return resp.StatusCode, resp.Header.Get("Content-Type"), decode(t, body)
	}

	want := Reply{Service: "service3", Path: "/api/service3/x", RequestURI: "/api/service3/x", Count: 1}
	if status, ctype, got := get("/api/service3/x"); status != 200 || got != want {
		t.Fatalf("GET /api/service3/x: %d %s %+v\nwant %+v", status, ctype, got, want)
	}
	checked := 1
	for round := 1; round <= 2; round++ {
		for i := 1; i <= 4; i++ {
			name := fmt.Sprintf("service%d", i)
			target := fmt.Sprintf("/api/%s/a%%20b/../c?x=%d&y=%%20", name, round)
			count := int64(round)
			if i == 3 {
				count++ // the first request above
			}
			want := Reply{Service: name, Path: "/api/" + name + "/c", RequestURI: target, Query: fmt.Sprintf("x=%d&y=%%20", round), Count: count}
			status, ctype, got := get(target)
			if status != 200 || ctype != "application/json" || got != want {
				t.Errorf("GET %s: %d %s %+v\nwant %+v", target, status, ctype, got, want)
			}
			checked++
		}
	}
	if status, _, _ := get("/api/service5/"); status != 404 {
		t.Errorf("GET /api/service5/: %d, want nginx's 404", status)
	}
	t.Logf("%d requests through nginx answered as expected", checked)
}

// templateConf writes the demo's service.conf with `listen 80` on
// 127.0.0.1:port, the /opt/www sockets in run and the /etc/nginx include
// from the demo's own copy, inside a main file for a foreground nginx.
// Each replaced string must be found, so a changed demo config fails here
// rather than silently testing something else.
func templateConf(t *testing.T, demoDir, run string, port int) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(demoDir, "nginx", "conf.d", "service.conf"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	replace := func(old, new string, n int) {
		if got := strings.Count(text, old); got != n {
			t.Fatalf("service.conf has %q %d times, want %d", old, got, n)
		}
		text = strings.ReplaceAll(text, old, new)
	}
	replace("listen 80;", fmt.Sprintf("listen 127.0.0.1:%d;", port), 1)
	for i := 1; i <= 4; i++ {
		replace(fmt.Sprintf("unix:///opt/www/service%d/uwsgi.sock", i), "unix:"+filepath.Join(run, fmt.Sprintf("service%d.sock", i)), 1)
	}
	replace("include /etc/nginx/uwsgi_params;", "include "+filepath.Join(demoDir, "nginx", "uwsgi_params")+";", 4)
	snippet := filepath.Join(run, "service.conf")
	if err := os.WriteFile(snippet, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	main := fmt.Sprintf(`daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events {}
http {
    access_log off;
    default_type application/octet-stream;
    client_body_temp_path %[1]s/tmp;
    proxy_temp_path %[1]s/tmp;
    fastcgi_temp_path %[1]s/tmp;
    uwsgi_temp_path %[1]s/tmp;
    scgi_temp_path %[1]s/tmp;
    include %[2]s;
}
`, run, snippet)
	mainPath := filepath.Join(run, "nginx.conf")
	if err := os.WriteFile(mainPath, []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	return mainPath
}

// startNginx runs nginx in the foreground as one process until the test
// ends, and waits until it accepts on port.
func startNginx(t *testing.T, bin, run, conf string, port int) {
	t.Helper()
	var out fixtures.LockedBuffer
	cmd := exec.Command(bin, "-p", run+"/", "-e", filepath.Join(run, "error.log"), "-c", conf)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting nginx: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(run, "error.log"))
			t.Fatalf("nginx exited:\n%s%s", &out, log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx not listening on %s after 10s:\n%s", addr, &out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
