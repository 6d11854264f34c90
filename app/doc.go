// Package app is the application: it loads stacks and nginx configs, owns
// the Controller the desktop app and the command line share, and runs the
// subcommands. It decides nothing about routing or processes itself; that
// is the gateway's and the engine's.
package app
