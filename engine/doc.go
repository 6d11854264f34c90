// Package engine runs the services of a stack: one supervising goroutine per
// service, dependency order, health probes, restarts and per-service logs,
// published as immutable state snapshots. It never imports the UI toolkit.
package engine
