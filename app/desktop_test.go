package app

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/fixtures/xvfb"
)

// startXvfb starts a private X server for the test and returns its
// DISPLAY. Xvfb missing fails the test: make test installs it.
func startXvfb(t *testing.T) string {
	t.Helper()
	x, err := xvfb.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(x.Stop)
	return x.Display
}

// shownLine is the app's log of what its window shows.
var shownLine = regexp.MustCompile(`window shows: stack=berth-demo services="4 of 4 healthy"`)

// The real-window test: berth on the demo stack under Xvfb. Wait
// (on the app's own log of what the window shows) until the window shows
// the four services healthy,
// screenshot the screen into the test's output folder, check the window
// is there with the stack's title and the picture is not blank; then
// SIGTERM, and no process of the stack may remain.
func TestDesktopWindowOnTheDemo(t *testing.T) {
	bin := buildBerth(t)
	display := startXvfb(t)
	buf := make([]byte, 8)
	rand.Read(buf)
	marker := "BERTH_DESKTOP_TEST=" + hex.EncodeToString(buf)

	cmd := exec.Command(bin, "open", "--demo")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "DISPLAY="+display, marker,
		"XDG_CONFIG_HOME="+t.TempDir(), "XDG_CACHE_HOME="+t.TempDir())
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	killer := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() })
	defer killer.Stop()

	// Wait until the window has drawn the four services healthy.
	shown := false
	sc := bufio.NewScanner(stderr)
	var log strings.Builder
	for !shown && sc.Scan() {
		log.WriteString(sc.Text() + "\n")
		shown = shownLine.MatchString(sc.Text())
	}
	tail := make(chan string, 1)
	go func() {
		var rest strings.Builder
		for sc.Scan() {
			rest.WriteString(sc.Text() + "\n")
		}
		tail <- rest.String()
		exited <- cmd.Wait()
	}()
	if !shown {
		t.Fatalf("the window never showed the four services healthy; berth said:\n%s", log.String())
	}

	const title = "berth-demo — Berth"
	if !waitForWindow(display, title, 20*time.Second) {
		out, _ := exec.Command("xwininfo", "-display", display, "-root", "-tree").CombinedOutput()
		t.Fatalf("no window titled %q; the screen holds:\n%s", title, out)
	}
	shot := filepath.Join(t.ArtifactDir(), "berth-demo.png")
	colours := screenshot(t, display, shot)
	t.Logf("screenshot: %s (%d colours)", shot, colours)
	if colours <= 50 {
		t.Errorf("the screenshot has %d colours: the window looks blank", colours)
	}

	if n := demoServices(marked(marker)); n != 4 {
		t.Errorf("%d demo services run, want 4", n)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case rest := <-tail:
		if err := <-exited; err != nil {
			t.Errorf("berth ended with %v after SIGTERM; it said:\n%s", err, rest)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("berth did not end within 30 s of SIGTERM")
	}
	if left := marked(marker); len(left) > 0 {
		for _, pid := range left {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		t.Fatalf("processes of the stack outlived berth: %v", left)
	}
}

// waitForWindow polls the X server's window tree for a title.
func waitForWindow(display, title string, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		out, _ := exec.Command("xwininfo", "-display", display, "-root", "-tree").Output()
		if strings.Contains(string(out), `"`+title+`"`) {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// screenshot saves the X screen as a PNG and counts its colours. The
// window draws a moment after it maps, so it retries a blank picture.
func screenshot(t *testing.T, display, path string) int {
	t.Helper()
	colours := 0
	for try := 0; try < 50 && colours <= 50; try++ {
		if out, err := exec.Command("import", "-display", display, "-window", "root", path).CombinedOutput(); err != nil {
			t.Fatalf("import (imagemagick): %v\n%s", err, out)
		}
		out, err := exec.Command("identify", "-format", "%k", path).Output()
		if err != nil {
			t.Fatalf("identify: %v", err)
		}
		colours, _ = strconv.Atoi(strings.TrimSpace(string(out)))
		if colours <= 50 {
			time.Sleep(200 * time.Millisecond)
		}
	}
	return colours
}

// demoServices counts the demo services among pids.
func demoServices(pids []int) int {
	n := 0
	for _, pid := range pids {
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if strings.Contains(string(cmdline), "demo-service") {
			n++
		}
	}
	return n
}
