//go:build unix

package proc

import (
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
