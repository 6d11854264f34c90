package demo

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Command is the berth subcommand that runs the demo service.
const Command = "demo-service"

// Main runs `berth demo-service --name NAME [--socket PATH | --listen
// ADDR]` until SIGINT or SIGTERM and returns the exit code: 0 after a clean
// stop, 1 when serving fails, 2 for a wrong command line. Without --socket
// or --listen it serves where Berth says: on $BERTH_SOCKET, else on
// :$PORT. Request lines go to stdout, errors to stderr.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(Command, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: berth %s --name NAME [--socket PATH | --listen ADDR]\n\n", Command)
		fmt.Fprintln(stderr, "Serve the built-in demo's uwsgi service: every request is answered with")
		fmt.Fprintln(stderr, "JSON naming the service, the path and query received, and a counter.")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	name := fs.String("name", "", "service `NAME` to answer with (required)")
	socket := fs.String("socket", "", "unix socket `PATH` to serve on (default $BERTH_SOCKET)")
	listen := fs.String("listen", "", "TCP `ADDR` to serve on (default :$PORT when BERTH_SOCKET is unset)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	network, addr, err := where(*name, *socket, *listen, fs.NArg())
	if err != nil {
		fmt.Fprintf(stderr, "berth %s: %v\n", Command, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if network == "unix" {
		err = Serve(ctx, *name, addr, stdout)
	} else {
		err = ServeTCP(ctx, *name, addr, stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "berth %s: %v\n", Command, err)
		return 1
	}
	return 0
}

// where checks the command line and says what to listen on: the flags,
// else $BERTH_SOCKET, else :$PORT, as Berth sets them for a service.
func where(name, socket, listen string, extra int) (network, addr string, err error) {
	switch {
	case extra > 0:
		return "", "", errors.New("unexpected arguments after the flags")
	case name == "":
		return "", "", errors.New("--name is required")
	case socket != "" && listen != "":
		return "", "", errors.New("give --socket or --listen, not both")
	case socket != "":
		return "unix", socket, nil
	case listen != "":
		return "tcp", listen, nil
	}
	if s := os.Getenv("BERTH_SOCKET"); s != "" {
		return "unix", s, nil
	}
	if p := os.Getenv("PORT"); p != "" {
		return "tcp", ":" + p, nil
	}
	return "", "", errors.New("nowhere to listen: give --socket or --listen, or set BERTH_SOCKET or PORT")
}
