package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/berth-dev/berth/app/demo"
	"github.com/berth-dev/berth/app/logwriter"
	"github.com/hashicorp/go-hclog"
)

// command is one subcommand of berth.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a subcommand may touch: its output streams and the app log.
type env struct {
	stdout, stderr io.Writer
	log            hclog.Logger
	// exit ends Berth at once (a second Ctrl-C); Main's caller decides
	// what that means.
	exit func(code int)
}

var commands = []command{
	{"open", "open the desktop app on a stack (a file or folder; default the last one, or the demo)", runDesktop},
	{"routes", "print the route table of an nginx config and its import report", runRoutes},
	{"match", "show which server and location take a URL, and what the upstream receives", runMatch},
	{"gateway", "serve an nginx config as nginx would, until Ctrl-C", runGateway},
	{"up", "run a stack headless: start its services, print their logs, Ctrl-C stops all", runUp},
	{"import", "write a stack file from a production nginx config", runImport},
}

// Main runs berth with the given arguments and returns the exit code. Only
// main decides to exit.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == demo.Command {
		// A demo service: its own signals and exit code.
		return demo.Main(args[1:], stdout, stderr)
	}
	// Berth's log is batched (the gateway logs every request); the
	// services' output on stdout still comes after the lines before it.
	stdout, errw := logwriter.Pair(stdout, stderr)
	defer errw.Close()
	log := hclog.New(&hclog.LoggerOptions{Name: "berth", Output: errw, Level: hclog.Info})
	exit := func(code int) {
		errw.Close()
		os.Exit(code)
	}
	e := &env{stdout: stdout, stderr: errw, log: log, exit: exit}
	if len(args) == 0 {
		// Double-clicked, or run bare: the desktop app.
		args = []string{"open"}
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(errw)
		return 0
	}
	for _, c := range commands {
		if c.name == args[0] {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if err := c.run(ctx, e, args[1:]); err != nil {
				if err != errUsage {
					fmt.Fprintf(errw, "berth %s: %v\n", c.name, err)
				}
				return exitCode(err)
			}
			return 0
		}
	}
	fmt.Fprintf(errw, "berth: unknown command %q\n\n", args[0])
	usage(errw)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: berth COMMAND [flags]")
	fmt.Fprintln(w)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'berth COMMAND -h' for a command's flags.")
}
