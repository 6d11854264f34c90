package app

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/app/stack"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/fixtures/nginxtest"
	"github.com/berth-dev/berth/fixtures/uwsgiapp"
	"github.com/berth-dev/berth/gateway"
	"github.com/hashicorp/go-hclog"
)

// seedDjango is the seed for real: four Django projects under Debian's
// uWSGI behind the seed's nginx config.
const seedDjango = "../fixtures/seed-django"

// djangoReport is what each of the seed-django services answers: its name
// and how nginx (or Berth) mapped the request, from the WSGI environ.
type djangoReport struct {
	Name        string `json:"name"`
	PathInfo    string `json:"PATH_INFO"`
	RequestURI  string `json:"REQUEST_URI"`
	QueryString string `json:"QUERY_STRING"`
	ScriptName  string `json:"SCRIPT_NAME"`
}

// checkDjango fails the test when the seed-django services cannot run.
func checkDjango(t *testing.T) {
	t.Helper()
	if err := uwsgiapp.Check(); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("/usr/bin/python3", "-c", "import django").CombinedOutput(); err != nil {
		t.Fatalf("Django is missing: `make test` installs it (Debian package python3-django): %v\n%s", err, out)
	}
}

// `berth up` on fixtures/seed-django, and real nginx on the same config in
// front of the same uWSGI services: each request of the fixture reaches the
// same Django service with the same PATH_INFO, REQUEST_URI, QUERY_STRING
// and SCRIPT_NAME through both, or gets the same status from both.
func TestSeedDjangoUpAgreesWithNginx(t *testing.T) {
	checkDjango(t)
	bin := buildBerth(t)
	compose, err := filepath.Abs(filepath.Join(seedDjango, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	port := nginxtest.FreePort()
	cmd := exec.Command(bin, "up", "-f", compose)
	cmd.Dir = filepath.Dir(compose)
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+cache, fmt.Sprintf("SEED_DJANGO_PORT=%d", port))
	upUntilHealthy(t, cmd, 4)

	// Real nginx runs the same config, its sockets pointed at the ones
	// Berth runs the services on: the same uWSGI processes answer both.
	f, err := nginxtest.LoadFixture(filepath.Join(seedDjango, "nginx"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := nginxtest.Instantiate(t, f, nil)
	if err != nil {
		t.Fatal(err)
	}
	conf, err := os.ReadFile(in.Entry)
	if err != nil {
		t.Fatal(err)
	}
	text := string(conf)
	for i := 1; i <= 4; i++ {
		sock := filepath.Join(cache, "berth", "run", stackID(compose), fmt.Sprintf("service%d.sock", i))
		if _, err := os.Stat(sock); err != nil {
			t.Fatalf("service%d's socket: %v", i, err)
		}
		prod := fmt.Sprintf("unix:///opt/www/service%d/uwsgi.sock", i)
		if !strings.Contains(text, prod) {
			t.Fatalf("%s does not name %s", in.Entry, prod)
		}
		text = strings.ReplaceAll(text, prod, "unix:"+sock)
	}
	if err := os.WriteFile(in.Entry, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	ng, err := nginxtest.StartNginx(t, in)
	if err != nil {
		t.Fatal(err)
	}

	berth := fmt.Sprintf("127.0.0.1:%d", port)
	agree, differ, django := 0, 0, 0
	for _, r := range f.Requests {
		want, err := ng.Do(r)
		if err != nil {
			t.Fatalf("%s: nginx: %v", r.Line, err)
		}
		got, err := nginxtest.Send(berth, r.Raw("localhost"))
		if err != nil {
			t.Fatalf("%s: berth: %v", r.Line, err)
		}
		diff, reached := compareDjango(r.Method, want, got)
		if diff != "" {
			differ++
			t.Errorf("%s: %s", r.Line, diff)
			continue
		}
		agree++
		if reached {
			django++
		}
	}
	t.Logf("seed-django through berth up and nginx: %d agree, %d differ (%d of them reached Django)", agree, differ, django)
	if django < len(f.Requests)/2 {
		t.Errorf("only %d of %d requests reached Django: the comparison proves little", django, len(f.Requests))
	}
}

// compareDjango compares nginx's answer with Berth's: the status, and for
// a Django answer the service and the environ it reports. reached says
// Django answered.
func compareDjango(method string, want, got *nginxtest.Response) (diff string, reached bool) {
	if want.Status != got.Status {
		return fmt.Sprintf("status %d from nginx, %d from berth", want.Status, got.Status), false
	}
	if want.Status != 200 || method == "HEAD" {
		return "", false
	}
	var w, g djangoReport
	if err := json.Unmarshal(want.Body, &w); err != nil || w.Name == "" {
		return fmt.Sprintf("nginx's answer is not a Django report: %q", want.Body), false
	}
	if err := json.Unmarshal(got.Body, &g); err != nil || g.Name == "" {
		return fmt.Sprintf("berth's answer is not a Django report: %q", got.Body), false
	}
	if w != g {
		return fmt.Sprintf("nginx gave %+v, berth %+v", w, g), false
	}
	return "", true
}

// upUntilHealthy starts cmd (a `berth up`) and returns once it has
// reported n services healthy; the rest of its output is drained, and it
// is interrupted and waited for when the test ends.
func upUntilHealthy(t *testing.T, cmd *exec.Cmd, n int) {
	t.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	// Berth's own log (one line per request) goes to a file, shown when
	// the stack does not come up.
	logFile := filepath.Join(t.TempDir(), "berth.log")
	errOut, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	defer errOut.Close() // the child has its own copy
	cmd.Stderr = errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	drained := make(chan struct{})
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		stuck := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
		defer stuck.Stop()
		<-drained
		cmd.Wait()
	})
	sc := bufio.NewScanner(out)
	var lines []string
	healthy := 0
	stuck := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() })
	defer stuck.Stop()
	for healthy < n && sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.Contains(sc.Text(), ": healthy") {
			healthy++
		}
	}
	go func() { // ends when berth exits and closes its output
		defer close(drained)
		for sc.Scan() {
		}
	}()
	if healthy < n {
		log, _ := os.ReadFile(logFile)
		t.Fatalf("berth up ended with %d of %d services healthy:\n%s\n%s", healthy, n, strings.Join(lines, "\n"), log)
	}
}

// The seed-django stack opened in the app: each route reaches its Django
// service; service2 toggled off answers the 503 page while the others
// answer; toggled on again, it answers.
func TestSeedDjangoToggle(t *testing.T) {
	checkDjango(t)
	t.Setenv("SEED_DJANGO_PORT", fmt.Sprint(nginxtest.FreePort()))
	servesAndToggles(t, filepath.Join(seedDjango, "compose.yaml"), func(svc string) []string {
		return []string{`"name": "` + svc + `"`, `"PATH_INFO": "/api/` + svc + `/users/42"`, `"QUERY_STRING": "x=1"`}
	})
}

// The session's route figures count what went through each location.
func TestSeedDjangoRouteStats(t *testing.T) {
	checkDjango(t)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("SEED_DJANGO_PORT", fmt.Sprint(nginxtest.FreePort()))
	sess, err := Open(t.Context(), OpenOptions{Log: hclog.NewNullLogger(),
		Load: stack.LoadOptions{Files: []string{filepath.Join(seedDjango, "compose.yaml")}}})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	ctl := sess.Controller()
	ctl.StartAll()
	waitFor(t, ctl, func(s engine.Snapshot) bool {
		st, _ := s.Service("service3")
		return st.State == engine.Healthy
	})
	base := "http://" + sess.gw.g.Listeners()[0].Addr
	for _, p := range []string{"/api/service3/a", "/api/service3/b?x=1", "/api/service3"} {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	var got *gateway.LocationStats
	for _, st := range sess.RouteStats() {
		if st.Location == "/api/service3/" {
			got = &st
		}
	}
	if got == nil {
		t.Fatalf("no figures for /api/service3/ among %+v", sess.RouteStats())
	}
	// http.Get follows the 301 of /api/service3 to /api/service3/: 4 hits.
	if got.Hits != 4 || got.Statuses[200] != 3 || got.Statuses[301] != 1 || len(got.Recent) != 4 || got.P99 <= 0 {
		t.Errorf("/api/service3/: %+v", *got)
	}
	if r := got.Recent[0]; r.URI != "/api/service3/a" || r.Status != 200 || !strings.HasPrefix(r.Upstream, "unix:") || !strings.HasSuffix(r.Upstream, "service3.sock") {
		t.Errorf("first request: %+v", r)
	}
	if !strings.HasSuffix(got.LocationPos.String(), "service.conf:30") {
		t.Errorf("location at %s, want service.conf:30", got.LocationPos)
	}
}
