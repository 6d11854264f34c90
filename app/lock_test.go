package app

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// A second Berth on the same stack is refused and told the first one's
// pid; the lock is free again once released.
func TestOneBerthPerStack(t *testing.T) {
	dir := t.TempDir()
	if os.Getenv("BERTH_LOCK_CHILD") != "" {
		_, err := lockStack(os.Getenv("BERTH_LOCK_CHILD"))
		if err != nil {
			os.Stdout.WriteString(err.Error())
		}
		return
	}
	l, err := lockStack(dir)
	if err != nil {
		t.Fatal(err)
	}
	// flock is per open file description: ask from another process.
	cmd := exec.Command(os.Args[0], "-test.run=^TestOneBerthPerStack$")
	cmd.Env = append(os.Environ(), "BERTH_LOCK_CHILD="+dir)
	out, _ := cmd.Output()
	if !strings.Contains(string(out), ErrStackRunning.Error()) || !strings.Contains(string(out), "pid "+strconv.Itoa(os.Getpid())) {
		t.Errorf("second Berth said %q, want the first one's pid", out)
	}
	l.release()
	l2, err := lockStack(dir)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	l2.release()
}
