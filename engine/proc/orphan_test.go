//go:build linux

package proc_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/proc"
)

// driver is a running berthlike whose service is the family fixture.
type driver struct {
	cmd      *exec.Cmd
	stdin    io.WriteCloser
	stderr   *bytes.Buffer
	pid      int // berthlike
	service  int // the family's first process
	guardian int
}

// startDriver starts berthlike on the family fixture, every process
// carrying markerEnv=mark, and waits until the whole family is in place.
func startDriver(t *testing.T, state, mark string, escape bool) *driver {
	t.Helper()
	bin, err := berthlike()
	if err != nil {
		t.Fatal(err)
	}
	wait, family := "stubborn ready,nested ready,family ready", []string{"sh", fixture("family")}
	if escape {
		wait, family = wait+",escaped ready", append(family, "escape")
	}
	args := append([]string{"-state", state, "-project", "orphan", "-env", markerEnv + "=" + mark, "-wait", wait, "--"}, family...)
	d := &driver{cmd: exec.Command(bin, args...), stderr: &bytes.Buffer{}}
	d.cmd.Stderr = d.stderr
	if d.stdin, err = d.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := d.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d.pid = d.cmd.Process.Pid
	line := make(chan string, 1)
	go func() { // ends with the first line or when berthlike dies
		l, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- l
	}()
	select {
	case l := <-line:
		if _, err := fmt.Sscanf(l, "ready %d %d", &d.service, &d.guardian); err != nil {
			d.cmd.Process.Kill()
			d.cmd.Wait()
			t.Fatalf("berthlike said %q: %v; stderr: %s", l, err, d.stderr)
		}
	case <-time.After(30 * time.Second):
		d.cmd.Process.Kill()
		<-line
		d.cmd.Wait()
		t.Fatalf("berthlike not ready; stderr: %s", d.stderr)
	}
	return d
}

// kill SIGKILLs berthlike and reaps it.
func (d *driver) kill(t *testing.T) {
	t.Helper()
	if err := syscall.Kill(d.pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	d.cmd.Wait()
}

// The acceptance test: Berth killed with SIGKILL leaves no process
// behind, neither the grandchild that ignores SIGTERM nor the one that
// left the process group.
func TestNothingOutlivesBerthKilled(t *testing.T) {
	skipWithoutProc(t)
	t.Parallel()
	mark := uniqueMark(t)
	d := startDriver(t, t.TempDir(), mark, true)
	before := marked(mark)
	if len(before) < 5 { // five shells, and their sleeps most of the time
		d.kill(t)
		t.Fatalf("only %d marked processes before the kill: %v", len(before), before)
	}
	d.kill(t)
	begin := time.Now()
	waitNoneMarked(t, mark)
	t.Logf("%d processes gone %v after SIGKILL", len(before), time.Since(begin).Round(time.Millisecond))
}

// A Berth killed together with its guardian leaves processes behind; the
// next start with the same state folder reaps them from the record.
func TestLeftoversReapedFromRecord(t *testing.T) {
	skipWithoutProc(t)
	t.Parallel()
	mark := uniqueMark(t)
	state := t.TempDir()
	d := startDriver(t, state, mark, true)
	if err := syscall.Kill(d.guardian, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitGone(t, d.guardian)
	d.kill(t)
	if left := marked(mark); len(left) < 3 {
		t.Fatalf("expected survivors without a guardian, found %v", left)
	}
	rt, err := proc.New(proc.Options{Project: "orphan", StateDir: state, GuardianGrace: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	waitNoneMarked(t, mark)
}

// A recorded group that does not carry the recorded marker is a stranger
// that took the same number: it is left alone.
func TestRecordedStrangerLeftAlone(t *testing.T) {
	skipWithoutProc(t)
	t.Parallel()
	state := t.TempDir()
	stranger := exec.Command("sleep", "30")
	stranger.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := stranger.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stranger.Process.Kill()
		stranger.Wait()
	}()
	pgid := stranger.Process.Pid
	record := fmt.Sprintf("run 0123abcd\n%d 0123abcd\n", pgid)
	if err := os.WriteFile(state+"/pgids", []byte(record), 0o600); err != nil {
		t.Fatal(err)
	}
	rt, err := proc.New(proc.Options{Project: "orphan", StateDir: state, GuardianGrace: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	if st := procState(pgid); st == "" || st == "Z" {
		t.Fatalf("the stranger was killed (state %q)", st)
	}
}

// procState is a process's state letter, "" once it is gone.
func procState(pid int) string {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	i := bytes.LastIndexByte(data, ')')
	if f := strings.Fields(string(data[i+1:])); len(f) > 0 {
		return f[0]
	}
	return ""
}

// waitGone waits for a process to be gone or a zombie.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if st := procState(pid); st == "" || st == "Z" {
			return
		}
	}
	t.Fatalf("process %d still running", pid)
}
