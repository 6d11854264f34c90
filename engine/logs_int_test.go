package engine_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine"
)

// TestLogFloodKeepsOthersLines: one service writes 300,000 lines as fast
// as it can; another's few lines stay, the flood's buffer holds its last
// LogLines, a follower that did not read meanwhile is told how many it
// missed, and memory stays bounded.
func TestLogFloodKeepsOthersLines(t *testing.T) {
	const flood = 300_000
	chatty := svc("chatty", "-say", "first", "-flood", "300000")
	chatty.LogLines = 1000
	s := newStack(t, []engine.Spec{chatty, svc("quiet", "-say", "q1|q2|q3", "-say-err", "oops")}, engine.Options{})
	f, err := s.Follow(0, "chatty")
	must(t, err)
	s.StartAll()
	s.waitLog("quiet", "oops")
	s.waitLog("chatty", "flood line 299999")

	lines := s.Logs("chatty")
	if len(lines) != 1000 || lines[0].Text != "flood line 299000" || lines[999].Text != "flood line 299999" {
		t.Errorf("chatty holds %d lines, %q .. %q", len(lines), lines[0].Text, lines[len(lines)-1].Text)
	}
	if last := lines[999]; last.Seq != flood+1 || last.Service != "chatty" || last.Stream != engine.Stdout || last.At.IsZero() {
		t.Errorf("last line %+v", last)
	}
	quiet := map[engine.Stream][]string{}
	for _, l := range s.Logs("quiet") {
		quiet[l.Stream] = append(quiet[l.Stream], l.Text)
	}
	if out, errs := strings.Join(quiet[engine.Stdout], " "), strings.Join(quiet[engine.Stderr], " "); out != "q1 q2 q3" || errs != "oops" {
		t.Errorf("quiet holds %q on stdout, %q on stderr", out, errs)
	}

	got, err := f.Next(t.Context())
	must(t, err)
	if got[0].Skipped != flood+1-1000 || got[1].Text != "flood line 299000" || len(got) != 1001 {
		t.Errorf("follower: %d lines, first %+v", len(got), got[0])
	}

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if ms.HeapAlloc > 40<<20 {
		t.Errorf("heap %d MiB after the flood", ms.HeapAlloc>>20)
	}
}

func TestLastPartialLineAtExit(t *testing.T) {
	s := newStack(t, []engine.Spec{svc("p", "-say", "whole", "-partial", "no newline", "-exit", "0")}, engine.Options{})
	s.StartAll()
	s.waitState("p", engine.Exited)
	if got := logText(s.Supervisor, "p"); got != "whole\nno newline\n" {
		t.Errorf("logs %q", got)
	}
}

func TestMergedLogs(t *testing.T) {
	s := newStack(t, []engine.Spec{svc("a", "-say", "a1|a2"), svc("b", "-say", "b1")}, engine.Options{})
	s.StartAll()
	s.waitLog("a", "a2")
	s.waitLog("b", "b1")
	var got []string
	for _, l := range s.Logs() {
		got = append(got, l.Service+":"+l.Text)
	}
	if len(got) != 3 {
		t.Errorf("merged %v", got)
	}
	if _, err := s.Follow(0, "nope"); err == nil {
		t.Error("following an unknown service: no error")
	}
}
