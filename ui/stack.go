package ui

import (
	"context"
	"time"

	"github.com/berth-dev/berth/engine"
)

// Stack is one open stack as the window sees it: what to show, and the
// commands it sends. The app package implements it over a running
// session; the tests use a fake. The window never reaches past it.
type Stack interface {
	// Title names the stack for the window's title bar.
	Title() string
	// Services describe the stack's services in stack order: what the
	// Details pane shows. They do not change while the stack is open.
	Services() []ServiceInfo

	// The engine's commands, and RestartAll: restart what runs.
	engine.Commander
	RestartAll()

	// Subscribe gives the current snapshot at once, then every newer one;
	// a reader that falls behind gets the newest.
	Subscribe() (<-chan engine.Snapshot, func())
	// Follow gives the last tail buffered lines of the services (all when
	// none are named), then new ones as they come.
	Follow(tail int, services ...string) (LogSource, error)

	// Routes are the imported nginx routes and the import report; empty
	// when the stack has no gateway.
	Routes() Routes
	// RouteStats are the gateway's live figures, by RouteRow.At.
	RouteStats() map[string]RouteStat
	// Match says, as `berth match` does, which route takes a URL.
	Match(url string) string
	// GatewayURL is the local URL of the first server block, "" when the
	// stack has no gateway.
	GatewayURL() string
}

// DemoPath is the path that opens the built-in demo stack.
const DemoPath = "berth:demo"

// Host is what the window asks of the application around it: opening
// another stack, importing an nginx config, and the settings it keeps.
type Host interface {
	// Open closes the current stack and opens the one at path (a Compose
	// file or a folder holding one, DemoPath for the built-in demo, ""
	// for the last one), starting its services.
	Open(path string) (Stack, error)
	// Showing is told what the window shows of the stack whenever that
	// changes ("4 of 4 healthy"), for the app's own log.
	Showing(title, summary string)
	// Import writes a stack file for an nginx config (beside it, never
	// over an existing file) and returns the stack file's path.
	Import(nginxConf string) (string, error)
	// StackFor says what to open for a file or folder dropped on the
	// window: a stack as it is; an nginx config is imported first.
	StackFor(dropped string) (string, error)
	// Recent lists stacks opened before, newest first.
	Recent() []string
	Settings() Settings
	// SaveSettings checks the settings and keeps them; an error says
	// which value is wrong and why.
	SaveSettings(Settings) error
	// UsePort serves an nginx listen port on a local port from now on:
	// the offer made when the port a stack wanted was taken.
	UsePort(prod, local int) error
}

// Settings are the user's choices that outlive a run.
type Settings struct {
	// GatewayPorts maps a config's listen port to the local port served,
	// over the stack file's own mapping; applied when a stack opens.
	GatewayPorts map[int]int
	// LogLines is how many lines each log view keeps.
	LogLines int
	// Theme is "system", "light" or "dark".
	Theme string
}

// LogSource yields log lines as they come; Next blocks until there are
// some or ctx ends.
type LogSource interface {
	Next(ctx context.Context) ([]engine.Line, error)
}

// ServiceInfo is what the Details pane shows about a service.
type ServiceInfo struct {
	Name string
	// Run is the command line (process) or the image (container).
	Command string
	Image   string
	// Env is the service's environment, with values that look like
	// secrets already masked.
	Env       []EnvVar
	Ports     []string
	Socket    string
	DependsOn []string
	// Checks describe the health checks, one line each.
	Checks []string
	// Runtimes are the ways this service can run (process, container).
	Runtimes []engine.RuntimeKind
}

// EnvVar is one environment variable as shown.
type EnvVar struct{ Name, Value string }

// Routes are the gateway's routes as a table, and the import report.
type Routes struct {
	Config string // the nginx config's path
	Rows   []RouteRow
	Report []string // "file:line: warning: ...", one per note
}

// RouteRow is one location of one server.
type RouteRow struct {
	Server   string // "example.com :80"
	Location string // "/api/service1/"
	At       string // "service.conf:12": the location's file:line
	Service  string // the service it reaches, "" for none
	Target   string // "uwsgi_pass django1", "return 301", "static"
}

// RouteStat is the gateway's figures for one route.
type RouteStat struct {
	Hits     uint64
	Statuses map[int]uint64
	P50, P99 time.Duration
	Recent   []Request // newest last
}

// Request is one request the gateway served.
type Request struct {
	At       time.Time
	Method   string
	URI      string
	Status   int
	Upstream string
	Duration time.Duration
}

// PortTakenError is what Host.Open returns when a gateway port is held by
// another program: the window names the holder and offers Free instead.
type PortTakenError struct {
	Err  error // says which port and who holds it
	Prod int   // the config's listen port
	Free int   // the next free local port
}

func (e *PortTakenError) Error() string { return e.Err.Error() }
func (e *PortTakenError) Unwrap() error { return e.Err }
