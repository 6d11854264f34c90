package ui

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"image/color"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/berth-dev/berth/engine"
)

// Window is Berth's main window over one open stack at a time.
type Window struct {
	app  fyne.App
	win  fyne.Window
	host Host

	// Read and written on Fyne's thread only.
	stack    Stack
	infos    map[string]ServiceInfo
	snap     engine.Snapshot
	selected string

	services *serviceList
	detail   *detailPane
	merged   *logView
	routes   *routesPane
	status   *widget.Label
	tray     *fyne.MenuItem
	// Quitting: closing asks nothing, and the stack stops.
	quitting atomic.Bool
	// applied counts snapshots shown; tests wait on it.
	applied atomic.Uint64
	// shown is the last snapshot the window has drawn.
	shown atomic.Pointer[engine.Snapshot]

	stopLoop func() // stops the snapshot loop of the current stack

	// opening counts open's goroutines, which Close waits for. closed,
	// set by Close, keeps a stack that opens afterwards from being bound:
	// nothing would stop its loops. mu guards closed across that binding.
	opening sync.WaitGroup
	mu      sync.Mutex
	closed  bool
}

// NewWindow builds the window on a and opens the stack at path through
// host ("" for the host's default), showing progress while it opens.
func NewWindow(a fyne.App, host Host, path string) *Window {
	w := &Window{app: a, host: host, win: a.NewWindow("Berth")}
	settings := host.Settings()
	applyTheme(a, settings.Theme)
	w.services = newServiceList(
		func() []engine.ServiceState { return w.snap.Services },
		func(name string) ServiceInfo { return w.infos[name] },
		func() Stack { return w.stack }, w.showError)
	w.services.list.OnSelected = func(id widget.ListItemID) {
		if id < len(w.snap.Services) {
			w.selectService(w.snap.Services[id].Name)
		}
	}
	win := func() fyne.Window { return w.win }
	w.detail = newDetailPane(newLogView(win, settings.LogLines, false, serviceColour))
	w.merged = newLogView(win, settings.LogLines, true, serviceColour)
	w.routes = newRoutesPane(func() Stack { return w.stack })
	w.status = widget.NewLabel("")

	split := container.NewHSplit(w.services.list, w.detail.content)
	split.Offset = 0.6
	tabs := container.NewAppTabs(
		container.NewTabItemWithIcon("Services", theme.ListIcon(), split),
		container.NewTabItemWithIcon("All logs", theme.DocumentIcon(), w.merged.content),
		container.NewTabItemWithIcon("Routes", theme.NavigateNextIcon(), w.routes.content),
	)
	w.win.SetContent(container.NewBorder(w.toolbar(), w.status, nil, nil, tabs))
	w.win.SetMainMenu(w.mainMenu())
	w.win.Resize(fyne.NewSize(1280, 760))
	w.win.SetCloseIntercept(w.askOnClose)
	w.win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) {
		if len(uris) > 0 {
			w.openDropped(uris[0].Path())
		}
	})
	w.setupTray()
	w.open(path)
	return w
}

// Window is the Fyne window, for Show and the tests.
func (w *Window) Window() fyne.Window { return w.win }

func (w *Window) toolbar() fyne.CanvasObject {
	return container.NewHBox(
		widget.NewButtonWithIcon("Start all", theme.MediaPlayIcon(), w.withStack(Stack.StartAll)),
		widget.NewButtonWithIcon("Stop all", theme.MediaStopIcon(), w.withStack(Stack.StopAll)),
		widget.NewButtonWithIcon("Restart", theme.MediaReplayIcon(), w.withStack(Stack.RestartAll)),
		widget.NewSeparator(),
		widget.NewButtonWithIcon("Open stack…", theme.FolderOpenIcon(), w.openStackDialog),
		widget.NewButtonWithIcon("Import nginx config…", theme.DownloadIcon(), w.importDialog),
		widget.NewButtonWithIcon("Open gateway", theme.ComputerIcon(), w.openGateway),
	)
}

// withStack makes a command on the open stack; it does nothing while no
// stack is open.
func (w *Window) withStack(cmd func(Stack)) func() {
	return func() {
		if w.stack != nil {
			cmd(w.stack)
		}
	}
}

func (w *Window) mainMenu() *fyne.MainMenu {
	recent := fyne.NewMenuItem("Recent stacks", nil)
	for _, path := range w.host.Recent() {
		recent.ChildMenu = appendItem(recent.ChildMenu, fyne.NewMenuItem(path, func() { w.open(path) }))
	}
	if recent.ChildMenu == nil {
		recent.Disabled = true
	}
	file := fyne.NewMenu("File",
		fyne.NewMenuItem("Open stack…", w.openStackDialog),
		recent,
		fyne.NewMenuItem("Import nginx config…", w.importDialog),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Settings…", w.settingsDialog),
	)
	return fyne.NewMainMenu(file)
}

func appendItem(m *fyne.Menu, item *fyne.MenuItem) *fyne.Menu {
	if m == nil {
		return fyne.NewMenu("", item)
	}
	m.Items = append(m.Items, item)
	return m
}

// bind shows st: its services, routes and logs, following its snapshots
// until the next bind or Close. Runs on Fyne's thread.
func (w *Window) bind(st Stack) {
	w.unbind()
	w.stack = st
	w.infos = map[string]ServiceInfo{}
	for _, info := range st.Services() {
		w.infos[info.Name] = info
	}
	w.snap = engine.Snapshot{}
	w.selected = ""
	w.status.SetText("") // the new stack's first snapshot is news
	lines := w.host.Settings().LogLines
	w.merged.model.setMax(lines)
	w.detail.logs.model.setMax(lines)
	w.win.SetTitle(st.Title() + " — Berth")
	w.routes.setRoutes(st.Routes())
	if src, err := st.Follow(500); err == nil {
		w.merged.attach(src)
	}
	w.detail.logs.detach()

	ctx, cancel := context.WithCancel(context.Background())
	snaps, unsubscribe := st.Subscribe()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer unsubscribe()
		w.follow(ctx, st, snaps)
	}()
	w.stopLoop = func() { cancel(); wg.Wait() }
}

// refreshEvery is how often the window redraws clocks and the gateway's
// figures when no snapshot comes.
var refreshEvery = time.Second

// follow is the one goroutine that reads the stack's snapshots; it hands
// each to Fyne's thread, and every refreshEvery refreshes the clocks and
// the gateway's figures.
func (w *Window) follow(ctx context.Context, st Stack, snaps <-chan engine.Snapshot) {
	tick := time.NewTicker(refreshEvery)
	defer tick.Stop()
	var last engine.Snapshot
	for {
		select {
		case <-ctx.Done():
			return
		case s := <-snaps:
			last = s
		case <-tick.C:
		}
		s, stats := last, st.RouteStats()
		fyne.Do(func() {
			if w.stack == st {
				w.apply(s, stats)
			}
		})
	}
}

// apply renders a snapshot. Runs on Fyne's thread.
func (w *Window) apply(s engine.Snapshot, stats map[string]RouteStat) {
	for _, n := range notices(w.snap, s) {
		w.app.SendNotification(fyne.NewNotification(n.title, n.body))
	}
	w.snap = s
	w.services.list.Refresh()
	if w.selected == "" && len(s.Services) > 0 {
		w.services.list.Select(0)
	}
	if st, ok := s.Service(w.selected); ok {
		w.detail.show(w.infos[w.selected], st, time.Now())
	}
	w.routes.refresh(stats, s)
	if summary := serviceSummary(s); summary != w.status.Text {
		w.status.SetText(summary)
		w.host.Showing(w.stack.Title(), summary)
		if w.tray != nil {
			w.tray.Label = w.stack.Title() + ": " + summary
			w.app.(desktop.App).SetSystemTrayMenu(w.trayMenu())
		}
	}
	w.shown.Store(&s)
	w.applied.Add(1)
}

// Shown is the last snapshot the window has drawn: what the user sees.
// Benchmarks time a click to its effect with it; safe from any goroutine.
func (w *Window) Shown() engine.Snapshot {
	if s := w.shown.Load(); s != nil {
		return *s
	}
	return engine.Snapshot{}
}

func (w *Window) selectService(name string) {
	if name == w.selected {
		return
	}
	w.selected = name
	if src, err := w.stack.Follow(500, name); err == nil {
		w.detail.logs.attach(src)
	} else {
		w.detail.logs.detach()
	}
	if st, ok := w.snap.Service(name); ok {
		w.detail.show(w.infos[name], st, time.Now())
	}
}

// setupTray adds the tray icon where the desktop has a tray. On Linux
// the tray is a D-Bus service: without a session bus (a bare X server, a
// CI machine) there is none, and Fyne's tray would fail on quit.
func (w *Window) setupTray() {
	d, ok := w.app.(desktop.App)
	if !ok || (runtime.GOOS == "linux" && os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "") {
		return
	}
	w.tray = fyne.NewMenuItem("Berth", nil)
	w.tray.Disabled = true
	d.SetSystemTrayMenu(w.trayMenu())
}

func (w *Window) trayMenu() *fyne.Menu {
	quit := fyne.NewMenuItem("Quit", w.Quit)
	quit.IsQuit = true
	return fyne.NewMenu("Berth", w.tray,
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Show window", func() { w.win.Show() }),
		fyne.NewMenuItem("Start all", w.withStack(Stack.StartAll)),
		fyne.NewMenuItem("Stop all", w.withStack(Stack.StopAll)),
		quit)
}

// askOnClose asks whether closing the window stops the stack or keeps it
// running in the tray.
func (w *Window) askOnClose() {
	if w.quitting.Load() || w.tray == nil {
		w.Quit()
		return
	}
	d := dialog.NewCustomConfirm("Close Berth?", "Stop the stack", "Keep running in the tray",
		widget.NewLabel("The stack's services are running."), func(stop bool) {
			if stop {
				w.Quit()
			} else {
				w.win.Hide()
			}
		}, w.win)
	d.Show()
}

// Quit ends the app; whoever runs it then closes the stack. Safe from any
// goroutine.
func (w *Window) Quit() {
	w.quitting.Store(true)
	fyne.Do(func() { w.app.Quit() })
}

// unbind stops following the open stack: its snapshot loop and logs.
func (w *Window) unbind() {
	if w.stopLoop != nil {
		w.stopLoop()
		w.stopLoop = nil
	}
	w.merged.detach()
	w.detail.logs.detach()
}

// Close stops the window's goroutines, waiting for a stack still opening.
func (w *Window) Close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.opening.Wait()
	w.unbind()
}

func (w *Window) showError(err error) { dialog.ShowError(err, w.win) }

func (w *Window) openStackDialog() { w.pickFile(w.open) }

// pickFile asks for a file and hands its path to then.
func (w *Window) pickFile(then func(path string)) {
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			w.showError(err)
			return
		}
		if r == nil {
			return
		}
		r.Close()
		then(r.URI().Path())
	}, w.win)
}

// open replaces the open stack with the one at path, with a progress
// indication while the old one stops and the new one loads. A gateway
// port held by another program is named, and the next free one offered.
func (w *Window) open(path string) {
	name := filepath.Base(path)
	switch path {
	case "":
		name = "the stack"
	case DemoPath:
		name = "the demo stack"
	}
	bar := widget.NewProgressBarInfinite()
	wait := dialog.NewCustomWithoutButtons("Opening "+name+"…", bar, w.win)
	wait.Show()
	w.unbind()
	w.opening.Add(1)
	go func() {
		defer w.opening.Done()
		st, err := w.host.Open(path)
		fyne.Do(func() {
			bar.Stop() // a hidden bar animates on, redrawing the window
			wait.Hide()
			w.mu.Lock()
			defer w.mu.Unlock()
			if w.closed {
				return // the host closes the stack
			}
			var taken *PortTakenError
			switch {
			case errors.As(err, &taken):
				w.offerPort(path, taken)
			case err != nil:
				w.showError(err)
			default:
				w.bind(st)
				w.win.SetMainMenu(w.mainMenu())
			}
		})
	}()
}

// offerPort names the program holding a gateway port and offers the next
// free one, kept in the settings for next time.
func (w *Window) offerPort(path string, taken *PortTakenError) {
	msg := fmt.Sprintf("%v\n\nServe nginx's port %d on local port %d instead?", taken.Err, taken.Prod, taken.Free)
	dialog.ShowConfirm("A gateway port is taken", msg, func(yes bool) {
		if !yes {
			return
		}
		if err := w.host.UsePort(taken.Prod, taken.Free); err != nil {
			w.showError(err)
			return
		}
		w.open(path)
	}, w.win)
}

func (w *Window) importDialog() { w.pickFile(w.openVia(w.host.Import)) }

// openDropped opens what the host makes of a dropped file or folder.
func (w *Window) openDropped(path string) { w.openVia(w.host.StackFor)(path) }

// openVia opens the stack that find gives for a path, or says why not.
func (w *Window) openVia(find func(string) (string, error)) func(string) {
	return func(path string) {
		stack, err := find(path)
		if err != nil {
			w.showError(err)
			return
		}
		w.open(stack)
	}
}

func (w *Window) openGateway() {
	if w.stack == nil {
		return
	}
	raw := w.stack.GatewayURL()
	if raw == "" {
		w.showError(fmt.Errorf("this stack has no gateway: add x-berth.gateway.nginx to its stack file"))
		return
	}
	u, err := url.Parse(raw)
	if err != nil {
		w.showError(err)
		return
	}
	if err := w.app.OpenURL(u); err != nil {
		w.showError(err)
	}
}

// serviceColour gives each service a stable colour in the merged log.
func serviceColour(service string) color.Color {
	palette := []color.NRGBA{
		{0x1f, 0x77, 0xb4, 0xff}, {0xff, 0x7f, 0x0e, 0xff}, {0x2c, 0xa0, 0x2c, 0xff}, {0xd6, 0x27, 0x28, 0xff},
		{0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff}, {0xe3, 0x77, 0xc2, 0xff}, {0x17, 0xbe, 0xcf, 0xff},
	}
	h := fnv.New32a()
	h.Write([]byte(service))
	return palette[h.Sum32()%uint32(len(palette))]
}
