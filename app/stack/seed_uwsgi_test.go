//go:build unix

package stack

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/fixtures/uwsgiapp"
)

// The seed fixture's commands work with the real uWSGI 2.0.21: each
// service, started as its Spec says (with ${BERTH_SOCKET} expanded as the
// engine will), answers a uwsgi request on its socket with its name.
func TestSeedRunsUnderUWSGI(t *testing.T) {
	if err := uwsgiapp.Check(); err != nil {
		t.Fatal(err)
	}
	run := t.TempDir()
	st := mustLoad(t, LoadOptions{WorkDir: filepath.Join(fixturesDir, "seed"), RuntimeDir: run})
	for _, sp := range st.Services {
		t.Run(sp.Name, func(t *testing.T) {
			t.Parallel()
			argv := make([]string, len(sp.Command))
			for i, w := range sp.Command {
				argv[i] = strings.ReplaceAll(w, "${BERTH_SOCKET}", sp.Socket)
			}
			cmd := exec.Command(argv[0], argv[1:]...)
			cmd.Dir = sp.Dir
			cmd.Env = append(os.Environ(), "BERTH_SOCKET="+sp.Socket)
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				// As the engine stops a service: the stop signal to
				// its first process (uWSGI's master stops its
				// workers), SIGKILL to the group after the grace.
				_ = syscall.Kill(cmd.Process.Pid, sp.StopSignal)
				done := make(chan error, 1)
				go func() { done <- cmd.Wait() }()
				select {
				case <-done:
				case <-time.After(sp.StopGrace):
					// The engine would kill it now: the stop signal
					// failed (a uWSGI without --die-on-term reloads).
					_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
					<-done
					t.Errorf("uwsgi did not stop on %v within the service's stop grace (%v); its output:\n%s", sp.StopSignal, sp.StopGrace, out.String())
				}
			})
			uri := "/api/" + sp.Name + "/users/42?x=1"
			body := uwsgiGet(t, sp.Socket, uri, &out)
			var got struct {
				Service    string `json:"service"`
				RequestURI string `json:"request_uri"`
			}
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("answer %q: %v", body, err)
			}
			if got.Service != sp.Name || got.RequestURI != uri {
				t.Errorf("answer = %+v, want service %s and %s", got, sp.Name, uri)
			}
		})
	}
}

// uwsgiGet sends one GET over the uwsgi protocol once the socket answers,
// and returns the response body.
func uwsgiGet(t *testing.T, socket, uri string, log *bytes.Buffer) []byte {
	t.Helper()
	var conn net.Conn
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("unix", socket)
		if err == nil {
			conn = c
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("socket %s never answered: %v\nuwsgi said:\n%s", socket, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
	defer conn.Close()
	path, query, _ := strings.Cut(uri, "?")
	var vars bytes.Buffer
	for _, kv := range [][2]string{
		{"REQUEST_METHOD", "GET"}, {"REQUEST_URI", uri}, {"PATH_INFO", path},
		{"QUERY_STRING", query}, {"SERVER_PROTOCOL", "HTTP/1.1"},
		{"SERVER_NAME", "localhost"}, {"SERVER_PORT", "80"}, {"HTTP_HOST", "localhost"},
	} {
		for _, s := range kv {
			_ = binary.Write(&vars, binary.LittleEndian, uint16(len(s)))
			vars.WriteString(s)
		}
	}
	head := []byte{0, 0, 0, 0}
	binary.LittleEndian.PutUint16(head[1:3], uint16(vars.Len()))
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write(append(head, vars.Bytes()...)); err != nil {
		t.Fatal(err)
	}
	resp, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	_, body, ok := bytes.Cut(resp, []byte("\r\n\r\n"))
	if !ok || !bytes.HasPrefix(resp, []byte("HTTP/1.1 200")) {
		t.Fatalf("response %q\nuwsgi said:\n%s", resp, log)
	}
	return body
}
