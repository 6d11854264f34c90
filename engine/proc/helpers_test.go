package proc_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/proc"
)

// markerEnv is the variable the orphan tests give a service's processes,
// each test with its own value.
const markerEnv = "PROC_TEST_MARK"

// fixture is the script of a fixtures/procs program.
func fixture(name string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "fixtures", "procs", name, "run.sh")
}

func newRuntime(t *testing.T) *proc.Runtime {
	t.Helper()
	rt, err := proc.New(proc.Options{Project: "test", StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := rt.Close(); err != nil {
			t.Error(err)
		}
	})
	return rt
}

// capture is an engine Output stream that tests can wait on. It never
// blocks the writer for long, as the engine's log buffers don't.
type capture struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	notify chan struct{}
}

func newCapture() *capture { return &capture{notify: make(chan struct{}, 1)} }

func (c *capture) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.buf.Write(p)
	c.mu.Unlock()
	select {
	case c.notify <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (c *capture) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

// waitFor waits until the output holds s; one waiter at a time.
func (c *capture) waitFor(s string, timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for !strings.Contains(c.String(), s) {
		select {
		case <-c.notify:
		case <-t.C:
			return fmt.Errorf("no %q in output after %v: %q", s, timeout, c.String())
		}
	}
	return nil
}

// marked lists the live processes whose environment holds
// markerEnv=value, as "PID COMM".
func marked(value string) []string {
	want := []byte(markerEnv + "=" + value)
	var out []string
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		env, err := os.ReadFile(d + "/environ")
		if err != nil {
			continue
		}
		for _, kv := range bytes.Split(env, []byte{0}) {
			if bytes.Equal(kv, want) {
				comm, _ := os.ReadFile(d + "/comm")
				out = append(out, filepath.Base(d)+" "+strings.TrimSpace(string(comm)))
				break
			}
		}
	}
	return out
}

// waitNoneMarked polls /proc every 50ms up to 2s for the marked processes
// to be gone, and fails with the survivors.
func waitNoneMarked(t *testing.T, value string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		left := marked(value)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes still running 2s later: %v", left)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// uniqueMark is a marker value no other test uses.
func uniqueMark(t *testing.T) string {
	return strconv.Itoa(os.Getpid()) + "-" + strings.ReplaceAll(t.Name(), "/", "-") + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
}

// skipWithoutProc skips the tests that read processes' environments and
// groups from /proc outside Linux. On Linux a missing /proc fails them.
func skipWithoutProc(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc, which only Linux has here")
	}
}
