//go:build unix

package proc

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
)

// guardianEnv tells a re-executed Berth to run as the guardian.
const guardianEnv = "BERTH_GUARDIAN"

// guardian is Berth's side of the guardian: a child process reading the
// list of live groups from a pipe whose write end only Berth holds.
type guardian struct {
	cmd *exec.Cmd
	log hclog.Logger

	mu     sync.Mutex // guards the fields that follow
	w      *os.File
	broken bool // a write failed: the guardian is gone
}

// startGuardian re-executes exe as the guardian. It runs in its own
// process group, so a terminal's Ctrl-C or a kill of Berth's group does
// not reach it, and without Pdeathsig: it must outlive Berth to clean up.
func startGuardian(exe, token string, grace time.Duration, log hclog.Logger) (*guardian, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := &exec.Cmd{
		Path:        exe,
		Args:        []string{"berth-guardian"},
		Env:         append(os.Environ(), guardianEnv+"=1"),
		Dir:         "/",
		Stdin:       r,
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true},
	}
	err = cmd.Start()
	r.Close()
	if err != nil {
		w.Close()
		return nil, err
	}
	g := &guardian{cmd: cmd, log: log, w: w}
	g.send(fmt.Sprintf("run %s\ngrace %d\n", token, grace.Milliseconds()))
	return g, nil
}

// hold tells the guardian about a new group and the signal that stops it.
func (g *guardian) hold(pgid int, sig syscall.Signal) {
	g.send(fmt.Sprintf("+ %d %d\n", pgid, int(sig)))
}

// release tells the guardian a group has ended.
func (g *guardian) release(pgid int) { g.send(fmt.Sprintf("- %d\n", pgid)) }

// send writes whole lines in one write, so they never interleave.
func (g *guardian) send(lines string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.broken || g.w == nil {
		return
	}
	if _, err := g.w.WriteString(lines); err != nil {
		g.broken = true
		g.log.Warn("the guardian is gone: processes may outlive Berth if it dies", "error", err)
	}
}

func (g *guardian) pid() int { return g.cmd.Process.Pid }

// close dismisses the guardian once Berth has cleaned up itself: it is
// killed rather than told, so Close never waits for it to start up.
func (g *guardian) close() error {
	g.mu.Lock()
	w := g.w
	g.w = nil
	g.mu.Unlock()
	if w == nil {
		return nil
	}
	kerr := g.cmd.Process.Kill()
	w.Close()
	g.cmd.Wait() // killed: its status says so and nothing else
	if kerr != nil && !errors.Is(kerr, os.ErrProcessDone) {
		return kerr
	}
	return nil
}
