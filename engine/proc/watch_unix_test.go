//go:build unix

package proc

import (
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestGuardianWatch(t *testing.T) {
	w := newWatch()
	w.read(strings.NewReader(strings.Join([]string{
		"run 0011aabb",
		"grace 250",
		"+ 100 15",
		"+ 200 2",
		"+ 300 15",
		"- 200",
		"+ 1 9",    // never group 1
		"+ 400",    // no signal: ignored
		"grace -5", // ignored
		"garbage",  // ignored
		"- 999",    // unknown: nothing happens
		"+ 300 10", // the newest signal wins
	}, "\n")))
	if w.token != "0011aabb" || w.grace != 250*time.Millisecond {
		t.Errorf("token %q grace %v", w.token, w.grace)
	}
	want := map[int]syscall.Signal{100: syscall.SIGTERM, 300: syscall.Signal(10)}
	if !reflect.DeepEqual(w.groups, want) {
		t.Errorf("groups %v, want %v", w.groups, want)
	}
}

// Any program that imports this package plays the guardian when started
// as one, before its own main: this test binary, started as a guardian
// with this very test selected, must not run it (a copy that did would
// run the suite again, start Runtimes, and their guardians would too).
func TestGuardianNeverRunsTheProgram(t *testing.T) {
	if os.Getenv(guardianEnv) == "1" {
		fmt.Println("the test ran inside the guardian")
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestGuardianNeverRunsTheProgram$", "-test.v")
	cmd.Env = append(os.Environ(), guardianEnv+"=1")
	cmd.Stdin = strings.NewReader("run 00ff\n") // then EOF: Berth is gone
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) != 0 {
		t.Fatalf("started as the guardian, the test binary said %q (%v), want nothing and exit 0", out, err)
	}
}
