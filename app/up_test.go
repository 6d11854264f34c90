package app

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildBerth builds the berth binary once per test run: the tests that
// run it share it (TestMain removes it).
func buildBerth(t *testing.T) string {
	t.Helper()
	bin, err := berthBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// berthDir holds the binary berthBinary built, "" until then.
var berthDir string

var berthBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "berth-test-")
	if err != nil {
		return "", err
	}
	berthDir = dir
	bin := filepath.Join(dir, "berth")
	if out, err := exec.Command("go", "build", "-o", bin, "..").CombinedOutput(); err != nil {
		return "", fmt.Errorf("building berth: %v\n%s", err, out)
	}
	return bin, nil
})

// The orphan test: `berth up` on a stack whose services spawn
// grandchildren (one ignores SIGTERM, one leaves its process group), every
// process carrying a marker; Berth is killed with SIGKILL; within 2 s no
// process with the marker may remain.
func TestUpLeavesNothingWhenKilled(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc") // never skipped in CI, which runs on Linux
	}
	bin := buildBerth(t)
	family, err := filepath.Abs("../fixtures/procs/family/run.sh")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	rand.Read(buf)
	marker := "BERTH_ORPHAN_TEST=" + hex.EncodeToString(buf)
	dir := t.TempDir()
	compose := fmt.Sprintf(`services:
  family:
    command: ["sh", %q, "escape"]
    environment: [%q]
  stubborn:
    command: ["sh", "-c", "trap '' TERM; echo stubborn up; while :; do sleep 1; done"]
    environment: [%q]
`, family, marker, marker)
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "up")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until every descendant said it is in place.
	want := []string{"family ready", "stubborn ready", "nested ready", "escaped ready", "stubborn up"}
	seen := map[string]bool{}
	sc := bufio.NewScanner(out)
	deadline := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
	for len(seen) < len(want) && sc.Scan() {
		for _, w := range want {
			if strings.HasSuffix(sc.Text(), "| "+w) {
				seen[w] = true
			}
		}
	}
	deadline.Stop()
	if len(seen) < len(want) {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the services never all started: saw %v", seen)
	}
	if n := len(marked(marker)); n < len(want) {
		t.Fatalf("only %d marked processes before the kill; the test would prove nothing", n)
	}
	go func() {
		for sc.Scan() { // keep draining until berth dies
		}
	}()
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	var left []int
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if left = marked(marker); len(left) == 0 {
			return
		}
	}
	for _, pid := range left {
		syscall.Kill(pid, syscall.SIGKILL) // clean up after the failure
	}
	t.Fatalf("processes outlived a SIGKILLed berth: %v", left)
}

// marked lists the pids whose environment holds marker.
func marked(marker string) []int {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		var pid int
		if _, err := fmt.Sscanf(e.Name(), "%d", &pid); err != nil {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil {
			continue
		}
		if bytes.Contains(env, []byte(marker+"\x00")) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// Ctrl-C stops the stack in order and exits 0; while it runs, a second
// `berth up` on the same stack is refused and told where it runs.
func TestUpStopsOnInterruptAndRunsOnce(t *testing.T) {
	bin := buildBerth(t)
	dir := t.TempDir()
	compose := `services:
  db:
    command: ["sh", "-c", "echo db up; exec sleep 600"]
  web:
    command: ["sh", "-c", "echo web up; exec sleep 600"]
    depends_on: [db]
`
	os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644)
	cache := t.TempDir()
	cmd := exec.Command(bin, "up")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+cache)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(out)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.HasSuffix(sc.Text(), "web | web up") || strings.Contains(sc.Text(), "| web up") {
			break
		}
	}
	second := exec.Command(bin, "up")
	second.Dir = dir
	second.Env = cmd.Env
	msg, err := second.CombinedOutput()
	if err == nil || !strings.Contains(string(msg), fmt.Sprintf("already running in another Berth (pid %d)", cmd.Process.Pid)) {
		t.Errorf("second berth up: %v\n%s", err, msg)
	}
	cmd.Process.Signal(os.Interrupt)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("berth up after Ctrl-C: %v\n%s", err, strings.Join(lines, "\n"))
	}
	text := strings.Join(lines, "\n")
	if i := strings.Index(text, "stopping the stack"); i >= 0 {
		text = text[i:] // the order of the stop, not the states at start
	}
	webStopped := strings.Index(text, "web: stopped")
	dbStopped := strings.Index(text, "db: stopped")
	if webStopped < 0 || dbStopped < 0 || dbStopped < webStopped {
		t.Errorf("want web stopped before db (it depends on db):\n%s", text)
	}
}

// With no stack file, `berth up` runs the built-in demo: the seed's four
// services behind the seed's nginx config, served at 127.0.0.1:8080.
func TestUpRunsTheDemoInAnEmptyFolder(t *testing.T) {
	bin := buildBerth(t)
	cmd := exec.Command(bin, "up")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+t.TempDir())
	upUntilHealthy(t, cmd, 4)
	for i := 1; i <= 4; i++ {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:8080/api/service%d/x?y=1", i))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := fmt.Sprintf(`"service":"service%d","path":"/api/service%d/x"`, i, i)
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("service%d: %d %s", i, resp.StatusCode, body)
		}
	}
}
