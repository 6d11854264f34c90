// Command berth runs a microservice stack on a laptop behind a gateway that
// routes exactly like the production nginx. With no arguments it opens the
// desktop app; subcommands run the same core headless.
package main

import (
	"os"

	"github.com/berth-dev/berth/app"
	"github.com/berth-dev/berth/engine/proc"
	"github.com/berth-dev/berth/ui/fyneenv"
)

func main() {
	fyneenv.Restore()
	// Berth re-executes itself as the guardian that kills every service
	// process group if Berth dies; that copy does only that.
	if proc.GuardianMain() {
		return
	}
	os.Exit(app.Main(os.Args[1:], os.Stdout, os.Stderr))
}
