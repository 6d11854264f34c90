package ui

import (
	"errors"
	"image/color"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"go.uber.org/goleak"

	"github.com/berth-dev/berth/engine"
)

// Fyne's test driver starts goroutines as its packages initialise, which
// live as long as the process: IgnoreCurrent leaves those out. The
// window's clock is slowed so that only the snapshots a test publishes
// redraw it.
func TestMain(m *testing.M) {
	refreshEvery = time.Hour
	goleak.VerifyTestMain(m, goleak.IgnoreCurrent())
}

// openWindow opens the window on a fake stack and waits until it shows
// the stack's first snapshot.
func openWindow(t *testing.T, f *fakeStack) *Window {
	t.Helper()
	a := test.NewTempApp(t)
	w := NewWindow(a, &fakeHost{stack: f, settings: Settings{LogLines: 1000, Theme: "light"}}, "")
	t.Cleanup(w.Close)
	waitApplied(t, w, 1) // before touching it: the window opens the stack on a goroutine
	w.win.Resize(fyne.NewSize(1280, 760))
	return w
}

// A stack that finishes opening after the window closed is not shown:
// Close waits for the open, and nothing follows the stack afterwards.
func TestCloseWhileOpening(t *testing.T) {
	h := &fakeHost{stack: newFakeStack("service1"), settings: Settings{LogLines: 1000}, gate: make(chan struct{})}
	w := NewWindow(test.NewTempApp(t), h, "")
	release := time.AfterFunc(50*time.Millisecond, func() { close(h.gate) })
	defer release.Stop()
	w.Close()
	if h.opened.Load() != 1 {
		t.Fatal("Close returned before the stack it was opening did")
	}
	time.Sleep(100 * time.Millisecond) // a bound stack shows its first snapshot at once; nothing to wait on
	if n := w.applied.Load(); n != 0 {
		t.Errorf("the closed window showed %d snapshots of a stack opened after Close", n)
	}
}

// A window whose stack did not open has its commands do nothing rather
// than reach for the missing stack.
func TestCommandsWithNoStackOpen(t *testing.T) {
	w := NewWindow(test.NewTempApp(t), &fakeHost{err: errors.New("no stack file here"), settings: Settings{LogLines: 1000}}, "")
	t.Cleanup(w.Close)
	w.opening.Wait()
	for _, label := range []string{"Start all", "Stop all", "Restart", "Open gateway"} {
		test.Tap(findButton(t, w.win.Content(), label))
	}
	w.routes.url.SetText("http://localhost/api/")
	w.routes.match()
	if w.routes.answer.Text != "" {
		t.Errorf("with no stack the match box answered %q", w.routes.answer.Text)
	}
}

// waitApplied waits (on the window's own count, not on time) until the
// window has shown n snapshots.
func waitApplied(t *testing.T, w *Window, n uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for w.applied.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("the window showed %d snapshots, want %d", w.applied.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// everyState is a snapshot with one service in each of the engine's
// states, with the details each state shows.
func everyState() engine.Snapshot {
	var s engine.Snapshot
	for _, st := range engine.States {
		ss := engine.ServiceState{Name: string(st), Runtime: engine.Process, State: st}
		switch st {
		case engine.Preparing:
			ss.Runtime, ss.Progress, ss.Detail = engine.Container, 0.4, "pulling postgres:16: 12 MB of 30 MB"
		case engine.Waiting:
			ss.Detail = "waiting for db (healthy)"
		case engine.Running, engine.Healthy:
			ss.Port = 8001
		case engine.Unhealthy:
			ss.Port, ss.Detail, ss.Restarts = 8002, "http /health: HTTP 503 Service Unavailable", 2
		case engine.Exited:
			ss.ExitCode = 3
		case engine.Crashed:
			ss.ExitCode, ss.Detail, ss.Restarts = 1, "exit code 1", 1
		case engine.Failed:
			ss.Detail = "port 8000 is taken by nginx (pid 12)"
		}
		s.Services = append(s.Services, ss)
	}
	s.Version = 1
	return s
}

func stateNames() []string {
	var names []string
	for _, st := range engine.States {
		names = append(names, string(st))
	}
	return names
}

func TestEveryStateHasItsBadgeAndWords(t *testing.T) {
	f := newFakeStack(stateNames()...)
	w := openWindow(t, f)
	f.publish(everyState())
	waitApplied(t, w, 2)

	want := map[engine.State]string{
		engine.Stopped:   "Stopped",
		engine.Preparing: "Preparing 40%: pulling postgres:16: 12 MB of 30 MB",
		engine.Waiting:   "Waiting: waiting for db (healthy)",
		engine.Starting:  "Starting",
		engine.Running:   "Running",
		engine.Healthy:   "Healthy",
		engine.Unhealthy: "Unhealthy: http /health: HTTP 503 Service Unavailable",
		engine.Exited:    "Exited (code 3)",
		engine.Crashed:   "Crashed: exit code 1",
		engine.Failed:    "Failed: port 8000 is taken by nginx (pid 12)",
	}
	rows := serviceRows(w)
	if len(rows) != len(engine.States) {
		t.Fatalf("the list shows %d rows, want one per state (%d)", len(rows), len(engine.States))
	}
	colours := map[color.Color]bool{}
	for i, st := range engine.States {
		r := rows[i]
		if r.name != string(st) || r.words != want[st] {
			t.Errorf("row %d reads %q %q, want %q %q", i, r.name, r.words, st, want[st])
		}
		if r.badge != badgeColour(st) {
			t.Errorf("%s: badge %v, want %v", st, r.badge, badgeColour(st))
		}
		colours[r.badge] = true
		if on := r.toggle == "Stop"; on != isOn(st) {
			t.Errorf("%s: toggle reads %q", st, r.toggle)
		}
	}
	if len(colours) < 4 {
		t.Errorf("the states use %d badge colours; grey, amber, blue, green and red tell them apart", len(colours))
	}
	test.AssertObjectRendersToMarkup(t, "services.xml", w.win.Content())
}

// row is what one row of the service list shows.
type row struct {
	badge               color.Color
	name, words, toggle string
	runtime             *widget.Select
	button              *widget.Button
}

// serviceRows reads the rows the service list has drawn, in order.
func serviceRows(w *Window) []row {
	var rows []row
	for _, o := range test.LaidOutObjects(w.services.list) {
		c, ok := o.(*fyne.Container)
		if !ok || len(c.Objects) != cellToggle+1 {
			continue
		}
		if _, ok := c.Layout.(columns); !ok || !c.Visible() {
			continue
		}
		badge := c.Objects[cellBadge].(*fyne.Container).Objects[0].(*fyne.Container).Objects[0].(*canvas.Circle)
		nameState := c.Objects[cellNameState].(*fyne.Container).Objects
		toggle := c.Objects[cellToggle].(*widget.Button)
		rows = append(rows, row{badge: badge.FillColor, name: nameState[0].(*widget.Label).Text,
			words: nameState[1].(*widget.Label).Text, runtime: c.Objects[cellRuntime].(*widget.Select),
			toggle: toggle.Text, button: toggle})
	}
	return rows
}

func TestToggleAndRuntimeGoToTheController(t *testing.T) {
	f := newFakeStack("service1", "service2")
	w := openWindow(t, f)
	f.publish(engine.Snapshot{Version: 1, Services: []engine.ServiceState{
		{Name: "service1", Runtime: engine.Process, State: engine.Healthy},
		{Name: "service2", Runtime: engine.Process, State: engine.Stopped},
	}})
	waitApplied(t, w, 2)
	rows := serviceRows(w)
	test.Tap(rows[1].button)
	test.Tap(rows[0].button)
	rows[0].runtime.SetSelected(string(engine.Container))
	want := []string{"toggle service2", "toggle service1", "runtime service1 container"}
	if got := f.recorded(); strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("the controller was sent %q, want %q", got, want)
	}
	// The click shows at once, until the engine's word comes.
	rows = serviceRows(w)
	if rows[0].words != "Stopping…" || rows[1].words != "Starting…" || !rows[0].button.Disabled() {
		t.Errorf("after the clicks the rows read %q and %q (toggle disabled: %v)", rows[0].words, rows[1].words, rows[0].button.Disabled())
	}
	f.publish(engine.Snapshot{Version: 2, Services: []engine.ServiceState{
		{Name: "service1", Runtime: engine.Process, State: engine.Stopped},
		{Name: "service2", Runtime: engine.Process, State: engine.Starting},
	}})
	waitApplied(t, w, 3)
	rows = serviceRows(w)
	if rows[0].words != "Stopped" || rows[1].words != "Starting" || rows[0].button.Disabled() {
		t.Errorf("once the engine answered the rows read %q and %q (toggle disabled: %v)", rows[0].words, rows[1].words, rows[0].button.Disabled())
	}
}

func TestToolbarCommands(t *testing.T) {
	f := newFakeStack("service1")
	w := openWindow(t, f)
	for _, label := range []string{"Start all", "Stop all", "Restart"} {
		test.Tap(findButton(t, w.win.Content(), label))
	}
	if got, want := strings.Join(f.recorded(), "; "), "start all; stop all; restart all"; got != want {
		t.Errorf("the toolbar sent %q, want %q", got, want)
	}
}

func findButton(t *testing.T, root fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	for _, o := range test.LaidOutObjects(root) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	t.Fatalf("no button %q", text)
	return nil
}

func TestRouteTableShowsRoutesAndReport(t *testing.T) {
	f := newFakeStack("service1", "service2")
	f.routes = Routes{Config: "/srv/shop/nginx/service.conf",
		Rows: []RouteRow{
			{Server: "localhost :80", Location: "/api/service1/", At: "/srv/shop/nginx/service.conf:12", Service: "service1", Target: "uwsgi_pass django1"},
			{Server: "localhost :80", Location: "/api/service2/", At: "/srv/shop/nginx/service.conf:20", Service: "service2", Target: "uwsgi_pass django2"},
			{Server: "localhost :80", Location: "= /health", At: "/srv/shop/nginx/service.conf:28", Target: "return"},
		},
		Report: []string{
			"service.conf:5: warning: fastcgi_pass is not served yet: requests answer 502",
			"service.conf:40: info: upstream payments is outside the stack",
		}}
	f.stats = map[string]RouteStat{"/srv/shop/nginx/service.conf:12": {Hits: 14, Statuses: map[int]uint64{200: 12, 503: 2},
		P50: 1200 * time.Microsecond, P99: 8 * time.Millisecond,
		Recent: []Request{{At: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC), Method: "GET", URI: "/api/service1/users/42", Status: 200, Upstream: "unix:/run/s1.sock", Duration: 1200 * time.Microsecond}}}}
	w := openWindow(t, f)
	f.publish(engine.Snapshot{Version: 1, Services: []engine.ServiceState{
		{Name: "service1", State: engine.Healthy}, {Name: "service2", State: engine.Stopped}}})
	waitApplied(t, w, 2)

	p := w.routes
	for _, note := range f.routes.Report {
		if !strings.Contains(p.report.Text, note) {
			t.Errorf("the import report lacks %q; it reads:\n%s", note, p.report.Text)
		}
	}
	cells := p.cells
	if len(cells) != 3 {
		t.Fatalf("the table has %d rows, want 3", len(cells))
	}
	if got := strings.Join(cells[0], " | "); got != "localhost :80 | /api/service1/ | service.conf:12 | service1 | healthy | 14 | 200×12 503×2 | 1.2ms | 8.0ms" {
		t.Errorf("row 1 reads %q", got)
	}
	if got := cells[1][4]; got != "stopped" {
		t.Errorf("service2's route shows state %q, want stopped", got)
	}
	tabs(w).SelectIndex(2)
	p.table.Select(widget.TableCellID{Row: 0, Col: 0})
	if !strings.Contains(p.recent.Text, "GET    200  1.2ms    /api/service1/users/42  → unix:/run/s1.sock") {
		t.Errorf("the last requests read:\n%s", p.recent.Text)
	}
	test.Type(p.url, "http://localhost/api/service2/x")
	p.match()
	if p.answer.Text != "match http://localhost/api/service2/x" {
		t.Errorf("the match box answered %q", p.answer.Text)
	}
	tabs(w).SelectIndex(2)
	test.AssertObjectRendersToMarkup(t, "routes.xml", w.win.Content())
}

func TestDetailsAndHealth(t *testing.T) {
	f := newFakeStack("api")
	f.infos[0].Env = []EnvVar{{"DATABASE_PASSWORD", "••••••"}, {"DEBUG", "1"}}
	f.infos[0].Checks = []string{"probe: HTTP GET /health (every 2s)"}
	f.infos[0].DependsOn = []string{"db (service_healthy)"}
	w := openWindow(t, f)
	at := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	f.publish(engine.Snapshot{Version: 1, Services: []engine.ServiceState{{Name: "api", Runtime: engine.Process,
		State: engine.Unhealthy, Port: 8000, Health: []engine.ProbeResult{
			{At: at, Probe: "http /health", OK: true, Output: "HTTP 200 OK"},
			{At: at.Add(2 * time.Second), Probe: "http /health", OK: false, Output: "HTTP 503 Service Unavailable\ndatabase is down"},
		}}}})
	waitApplied(t, w, 2)
	health := w.detail.health.Text
	for _, want := range []string{"probe: HTTP GET /health (every 2s)", "Why unhealthy: http /health failed: HTTP 503 Service Unavailable",
		"09:00:02  FAIL  http /health\n      HTTP 503 Service Unavailable\n      database is down", "09:00:00  ok    http /health"} {
		if !strings.Contains(health, want) {
			t.Errorf("the Health tab lacks %q; it reads:\n%s", want, health)
		}
	}
	details := w.detail.details.Text
	for _, want := range []string{"Command     berth demo-service api", "DATABASE_PASSWORD=••••••", "Depends on  db (service_healthy)", "Address     127.0.0.1:8000"} {
		if !strings.Contains(details, want) {
			t.Errorf("the Details tab lacks %q; it reads:\n%s", want, details)
		}
	}
}

func TestProgressBarWhilePreparing(t *testing.T) {
	f := newFakeStack("db")
	w := openWindow(t, f)
	f.publish(engine.Snapshot{Version: 1, Services: []engine.ServiceState{{Name: "db", Runtime: engine.Container,
		State: engine.Preparing, Progress: 0.25, Detail: "pulling postgres:16: 10 MB of 40 MB"}}})
	waitApplied(t, w, 2)
	if !w.detail.progress.Visible() || w.detail.progress.Value != 0.25 {
		t.Errorf("progress bar visible=%v value=%v, want a bar at 0.25", w.detail.progress.Visible(), w.detail.progress.Value)
	}
	f.publish(engine.Snapshot{Version: 2, Services: []engine.ServiceState{{Name: "db", Runtime: engine.Container, State: engine.Healthy}}})
	waitApplied(t, w, 3)
	if w.detail.progress.Visible() {
		t.Error("the progress bar stays once the service runs")
	}
}

func TestMergedLogsMarkup(t *testing.T) {
	f := newFakeStack("service1", "service2")
	w := openWindow(t, f)
	w.merged.detach()
	w.merged.model.add(append(lines("service1", 1, 3, func(i int) string { return "GET /api/service1/ 200" }),
		lines("service2", 1, 2, func(i int) string { return "POST /api/service2/ 201" })...))
	w.merged.list.Refresh()
	tabs(w).SelectIndex(1)
	test.AssertObjectRendersToMarkup(t, "logs.xml", w.win.Content())
}

// tabs are the window's top tabs: Services, All logs, Routes.
func tabs(w *Window) *container.AppTabs {
	return w.win.Content().(*fyne.Container).Objects[0].(*container.AppTabs)
}
