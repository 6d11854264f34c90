package app

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/berth-dev/berth/app/stack"
	"github.com/berth-dev/berth/engine"
)

// runUp is `berth up`: start the stack headless, print each service's log
// lines and state changes, and on Ctrl-C stop everything in order (a
// second Ctrl-C ends Berth at once; its guardian then kills what runs).
func runUp(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("up", e.stderr)
	var files, profiles multiFlag
	var project string
	fs.Var(&files, "f", "Compose `FILE` (repeatable; default: compose.yaml in this folder or above)")
	fs.Var(&profiles, "profile", "enable a Compose `PROFILE` (repeatable)")
	fs.StringVar(&project, "p", "", "project `NAME` (default: as Compose names it)")
	services, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	var out *upPrinter
	events := func(msg string) {
		if out != nil {
			out.note(msg)
		}
	}
	sess, err := Open(ctx, OpenOptions{Log: e.log, Events: events,
		Load: stack.LoadOptions{Files: files, Profiles: profiles, ProjectName: project}})
	if err != nil {
		return err
	}
	ctl := sess.Controller()
	out = newUpPrinter(e.stdout, isTerminal(e.stdout), sess.Stack.Services)

	printing, stopPrinting := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	snaps, unsubscribe := ctl.Subscribe()
	wg.Add(2)
	go func() { defer wg.Done(); out.states(printing, snaps) }()
	fol, err := ctl.Follow(0)
	if err != nil {
		stopPrinting()
		unsubscribe()
		wg.Wait()
		sess.Close()
		return err
	}
	go func() { defer wg.Done(); out.logs(printing, fol) }()

	for _, u := range sess.URLs() {
		out.note("gateway: " + u)
	}
	if len(services) == 0 {
		ctl.StartAll()
	}
	for _, name := range services {
		if err := ctl.Start(name); err != nil {
			fmt.Fprintf(e.stderr, "berth up: %v\n", err)
		}
	}
	<-ctx.Done()
	out.note("stopping the stack (Ctrl-C again to end Berth at once)")
	again := make(chan os.Signal, 1)
	signal.Notify(again, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(again)
	closed := make(chan error, 1)
	go func() { closed <- sess.Close() }()
	select {
	case err = <-closed:
	case <-again:
		out.note("ending at once")
		e.exit(130)
	}
	stopPrinting()
	unsubscribe()
	wg.Wait()
	if err != nil && err != context.Canceled {
		return err
	}
	out.note("stopped")
	return nil
}

// upPrinter writes `service | line` for logs and `berth | ...` for state
// changes, with a stable colour per service on a terminal.
type upPrinter struct {
	mu     sync.Mutex // one line at a time
	w      io.Writer
	colour bool
	width  int
}

func newUpPrinter(w io.Writer, colour bool, specs []engine.Spec) *upPrinter {
	p := &upPrinter{w: w, colour: colour, width: len("berth")}
	for _, s := range specs {
		p.width = max(p.width, len(s.Name))
	}
	return p
}

// colours are the ANSI foreground colours services take turns with.
var colours = []string{"36", "33", "32", "35", "34", "96", "93", "92", "95", "94"}

// colourOf is a service's colour: from its name, so it stays the same
// from run to run.
func colourOf(name string) string {
	h := fnv.New32a()
	h.Write([]byte(name))
	return colours[h.Sum32()%uint32(len(colours))]
}

func (p *upPrinter) line(who, text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	prefix := fmt.Sprintf("%-*s |", p.width, who)
	if p.colour {
		prefix = "\x1b[" + colourOf(who) + "m" + prefix + "\x1b[0m"
	}
	fmt.Fprintf(p.w, "%s %s\n", prefix, text)
}

func (p *upPrinter) note(text string) { p.line("berth", text) }

// states prints a line whenever a service's state or detail changes.
func (p *upPrinter) states(ctx context.Context, snaps <-chan engine.Snapshot) {
	eachChange(ctx, snaps, printKey, func(st engine.ServiceState) { p.note(st.Name + ": " + stateText(st)) })
}

// printKey is what a state line is printed for: the state in words, but
// a pull's progress only in tenths, not for every megabyte.
func printKey(st engine.ServiceState) string {
	if st.State == engine.Preparing && st.Progress >= 0 {
		return fmt.Sprintf("preparing %d/10", int(st.Progress*10))
	}
	return stateText(st)
}

// eachChange calls f for each service whose key (its state in words)
// differs from what it was in the snapshot before, until ctx ends.
func eachChange(ctx context.Context, snaps <-chan engine.Snapshot, key func(engine.ServiceState) string, f func(engine.ServiceState)) {
	last := map[string]string{}
	for {
		select {
		case <-ctx.Done():
			return
		case s := <-snaps:
			for _, st := range s.Services {
				if k := key(st); last[st.Name] != k {
					last[st.Name] = k
					f(st)
				}
			}
		}
	}
}

// stateText is a service state in words: the state, then its detail.
func stateText(st engine.ServiceState) string {
	text := string(st.State)
	if st.Detail != "" {
		text += " (" + st.Detail + ")"
	}
	return text
}

// logs prints service output as it arrives.
func (p *upPrinter) logs(ctx context.Context, f *engine.Follower) {
	for {
		lines, err := f.Next(ctx)
		if err != nil {
			return
		}
		for _, l := range lines {
			if l.Skipped > 0 {
				p.line(l.Service, fmt.Sprintf("... %d lines skipped (printing fell behind) ...", l.Skipped))
				continue
			}
			p.line(l.Service, strings.TrimRight(l.Text, "\r"))
		}
	}
}

// isTerminal reports whether w is a terminal (for colours).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
