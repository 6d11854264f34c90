package app

import (
	"context"

	"github.com/berth-dev/berth/engine"
)

// Controller is the one interface the command line and the desktop app
// drive a stack with: commands go in, snapshots and log lines come out.
// The engine's Supervisor implements it; neither surface reaches past it
// to processes, containers or the gateway.
type Controller interface {
	engine.Commander
	// Subscribe gives the current snapshot at once, then every newer one;
	// a reader that falls behind gets the newest, never a queue.
	Subscribe() (<-chan engine.Snapshot, func())
	Snapshot() engine.Snapshot
	// Logs returns the buffered lines of the services (all when none are
	// named), merged in time order; Follow gives new ones as they come.
	Logs(services ...string) []engine.Line
	Follow(tail int, services ...string) (*engine.Follower, error)
}

var _ Controller = (*engine.Supervisor)(nil)

// follower is what Controller.Follow returns, for code that only reads.
type follower interface {
	Next(ctx context.Context) ([]engine.Line, error)
}

var _ follower = (*engine.Follower)(nil)
