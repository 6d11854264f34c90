package ui

import (
	"context"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/berth-dev/berth/engine"
)

// fakeStack is a Stack that records the commands it is sent and
// publishes the snapshots a test gives it.
type fakeStack struct {
	title  string
	infos  []ServiceInfo
	routes Routes
	stats  map[string]RouteStat

	mu       sync.Mutex
	commands []string
	subs     []chan engine.Snapshot
	last     engine.Snapshot
	logs     *fakeLogs
}

func newFakeStack(names ...string) *fakeStack {
	f := &fakeStack{title: "demo", logs: newFakeLogs()}
	for _, n := range names {
		f.infos = append(f.infos, ServiceInfo{Name: n, Command: "berth demo-service " + n,
			Runtimes: []engine.RuntimeKind{engine.Process, engine.Container}})
	}
	return f
}

func (f *fakeStack) record(cmd string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.commands = append(f.commands, cmd)
}

func (f *fakeStack) recorded() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.commands...)
}

func (f *fakeStack) Title() string                    { return f.title }
func (f *fakeStack) Services() []ServiceInfo          { return f.infos }
func (f *fakeStack) Start(s string) error             { f.record("start " + s); return nil }
func (f *fakeStack) Stop(s string) error              { f.record("stop " + s); return nil }
func (f *fakeStack) Restart(s string) error           { f.record("restart " + s); return nil }
func (f *fakeStack) Toggle(s string) error            { f.record("toggle " + s); return nil }
func (f *fakeStack) StartAll()                        { f.record("start all") }
func (f *fakeStack) StopAll()                         { f.record("stop all") }
func (f *fakeStack) RestartAll()                      { f.record("restart all") }
func (f *fakeStack) Routes() Routes                   { return f.routes }
func (f *fakeStack) Match(url string) string          { return "match " + url }
func (f *fakeStack) GatewayURL() string               { return "http://127.0.0.1:8080/" }
func (f *fakeStack) RouteStats() map[string]RouteStat { return f.stats }

func (f *fakeStack) SetRuntime(s string, k engine.RuntimeKind) error {
	f.record("runtime " + s + " " + string(k))
	return nil
}

func (f *fakeStack) Subscribe() (<-chan engine.Snapshot, func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan engine.Snapshot, 1)
	ch <- f.last
	f.subs = append(f.subs, ch)
	return ch, func() {}
}

// publish sends a snapshot to every subscriber, as the engine does:
// the newest replaces one not yet read.
func (f *fakeStack) publish(s engine.Snapshot) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = s
	for _, ch := range f.subs {
		select {
		case <-ch:
		default:
		}
		ch <- s
	}
}

func (f *fakeStack) Follow(int, ...string) (LogSource, error) { return f.logs, nil }

// fakeLogs is a LogSource fed by the test.
type fakeLogs struct{ ch chan []engine.Line }

func newFakeLogs() *fakeLogs { return &fakeLogs{ch: make(chan []engine.Line, 64)} }

func (l *fakeLogs) Next(ctx context.Context) ([]engine.Line, error) {
	select {
	case lines := <-l.ch:
		return lines, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// fakeHost opens one fake stack, once gate (when set) is closed, or
// fails with err.
type fakeHost struct {
	stack    *fakeStack
	err      error
	settings Settings
	gate     chan struct{}
	opened   atomic.Int32 // Opens that returned
}

func (h *fakeHost) Open(string) (Stack, error) {
	if h.gate != nil {
		<-h.gate
	}
	defer h.opened.Add(1)
	if h.err != nil {
		return nil, h.err
	}
	return h.stack, nil
}

func (h *fakeHost) Import(conf string) (string, error)   { return conf + ".yaml", nil }
func (h *fakeHost) StackFor(path string) (string, error) { return path, nil }
func (h *fakeHost) Showing(string, string)               {}
func (h *fakeHost) Recent() []string                     { return []string{"/home/dev/shop/compose.yaml"} }
func (h *fakeHost) Settings() Settings                   { return h.settings }
func (h *fakeHost) SaveSettings(s Settings) error        { h.settings = s; return nil }
func (h *fakeHost) UsePort(prod, local int) error {
	ports := maps.Clone(h.settings.GatewayPorts)
	if ports == nil {
		ports = map[int]int{}
	}
	ports[prod] = local
	h.settings.GatewayPorts = ports
	return nil
}

// lines makes n stdout lines of a service, numbered from first.
func lines(service string, first, n int, text func(i int) string) []engine.Line {
	out := make([]engine.Line, n)
	at := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	for i := range out {
		out[i] = engine.Line{Seq: uint64(first + i), At: at, Service: service, Stream: engine.Stdout, Text: text(first + i)}
	}
	return out
}
