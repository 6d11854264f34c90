//go:build unix

package proc

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// init turns this process into Berth's guardian, before any main or
// TestMain runs, when a Runtime re-executed it as one (startGuardian sets
// guardianEnv). The guardian is always the program that imports this
// package, so doing it here means no program can forget to: a test binary
// that forgot used to run its whole suite again in the guardian's place,
// and that copy's Runtimes started further copies.
func init() {
	if os.Getenv(guardianEnv) != "1" {
		return
	}
	runGuardian(os.Stdin)
	os.Exit(0)
}

// runGuardian reads Berth's pipe until Berth's end closes, then stops
// every group still alive.
func runGuardian(pipe io.Reader) {
	// Only the pipe's EOF ends the guardian (SIGKILL aside).
	signal.Ignore(syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGPIPE)
	w := newWatch()
	w.read(pipe)
	terminate(w.groups, []string{w.token}, w.grace)
}

// watch is what the guardian knows: the run's marker and the groups alive.
type watch struct {
	token  string
	grace  time.Duration
	groups map[int]syscall.Signal
}

func newWatch() *watch {
	return &watch{grace: defaultGuardianGrace, groups: map[int]syscall.Signal{}}
}

// read applies lines until Berth's end of the pipe closes.
func (w *watch) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		w.apply(sc.Text())
	}
}

// apply takes one line: "run TOKEN", "grace MS", "+ PGID SIGNAL" or
// "- PGID". Malformed lines are ignored: the guardian has nobody to tell.
func (w *watch) apply(line string) {
	var a, b int
	switch {
	case len(line) > 4 && line[:4] == "run ":
		w.token = line[4:]
	case scan(line, "grace %d", &a) && a > 0:
		w.grace = time.Duration(a) * time.Millisecond
	case scan(line, "+ %d %d", &a, &b) && a > 1:
		w.groups[a] = syscall.Signal(b)
	case scan(line, "- %d", &a):
		delete(w.groups, a)
	}
}

// scan reports whether line matches format with every value read.
func scan(line, format string, args ...any) bool {
	n, err := fmt.Sscanf(line, format, args...)
	return err == nil && n == len(args)
}
