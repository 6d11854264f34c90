// Command berth runs a microservice stack on a laptop behind a gateway that
// routes exactly like the production nginx. With no arguments it opens the
// desktop app; subcommands run the same core headless.
package main

import (
	"os"

	"github.com/berth-dev/berth/app"
	"github.com/berth-dev/berth/ui/fyneenv"
)

func main() {
	fyneenv.Restore()
	os.Exit(app.Main(os.Args[1:], os.Stdout, os.Stderr))
}
