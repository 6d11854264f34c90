package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	fyneapp "fyne.io/fyne/v2/app"
	"github.com/hashicorp/go-hclog"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/portcheck"
	"github.com/berth-dev/berth/gateway"
	"github.com/berth-dev/berth/ui"
)

// appID is the desktop app's identity (FyneApp.toml's ID), under which
// the desktop keeps its preferences and notifications.
const appID = "dev.berth.app"

// runDesktop is `berth` with no arguments and `berth open [PATH]`: the
// window on the stack at PATH, the last stack, or the built-in demo the
// first time. SIGINT/SIGTERM quit it like the Quit menu: every service
// stops, nothing is left running.
func runDesktop(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("open", e.stderr)
	var demoOnly bool
	fs.BoolVar(&demoOnly, "demo", false, "open the built-in demo stack")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		fmt.Fprintln(e.stderr, "berth open: give at most one stack file or folder")
		return errUsage
	}
	if err := haveDisplay(runtime.GOOS, os.Getenv); err != nil {
		return err
	}
	host, err := newDeskHost(e.log)
	if err != nil {
		return err
	}
	defer host.close()
	first := ""
	switch {
	case demoOnly:
		first = demoPath
	case len(pos) == 1:
		first, err = filepath.Abs(pos[0])
		if err != nil {
			return err
		}
	}
	a := fyneapp.NewWithID(appID)
	w := ui.NewWindow(a, host, first)
	defer w.Close()
	stop := context.AfterFunc(ctx, w.Quit)
	defer stop()
	w.Window().ShowAndRun()
	return nil
}

// haveDisplay says, on the systems where windows need an X11 or Wayland
// session, why there is none to open the window on.
func haveDisplay(goos string, getenv func(string) string) error {
	switch goos {
	case "darwin", "windows", "android", "ios":
		return nil
	}
	if getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		return errors.New("no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset): " +
			"run berth from a desktop session, or berth up for the same stack without a window")
	}
	return nil
}

// demoPath is the path Open takes to mean the built-in demo.
const demoPath = ui.DemoPath

// deskHost is the desktop app's side of ui.Host: it opens one session at
// a time and keeps the user's settings and recent stacks in Berth's
// config folder.
type deskHost struct {
	log  hclog.Logger
	file string // desktop.json

	mu    sync.Mutex // guards the fields below
	sess  *Session
	prefs deskPrefs
	// stopLog stops the goroutine that logs the open session's states.
	stopLog func()
}

// deskPrefs is what desktop.json holds.
type deskPrefs struct {
	Recent   []string    `json:"recent"`
	Settings ui.Settings `json:"settings"`
}

// maxRecent is how many stacks the Recent menu lists.
const maxRecent = 8

func newDeskHost(log hclog.Logger) (*deskHost, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return nil, fmt.Errorf("finding the config folder: %w", err)
	}
	h := &deskHost{log: log, file: filepath.Join(dir, "berth", "desktop.json")}
	h.prefs.Settings = ui.Settings{LogLines: 5000, Theme: "system"}
	data, err := os.ReadFile(h.file)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		if err := json.Unmarshal(data, &h.prefs); err != nil {
			log.Warn("ignoring unreadable desktop settings", "file", h.file, "error", err)
		}
	}
	return h, nil
}

// Open opens the stack at path ("" for the last one, or the demo the
// first time), after closing the open one, and starts all its services.
func (h *deskHost) Open(path string) (ui.Stack, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closeLocked()
	if path == "" {
		path = demoPath
		for _, p := range h.prefs.Recent {
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
		}
	}
	opts := OpenOptions{Log: h.log, Events: func(msg string) { h.log.Info(msg) },
		GatewayPorts: h.prefs.Settings.GatewayPorts, Demo: path == demoPath}
	if path != demoPath {
		if fi, err := os.Stat(path); err == nil && fi.IsDir() {
			opts.Load.WorkDir = path
		} else {
			opts.Load.Files = []string{path}
		}
	}
	sess, err := Open(context.Background(), opts)
	if err != nil {
		h.log.Error("cannot open the stack", "path", path, "error", err)
		return nil, portOffer(err, opts.GatewayPorts)
	}
	h.sess = sess
	h.stopLog = logStates(sess.Controller(), h.log.Named("stack"))
	for _, u := range sess.URLs() {
		h.log.Info("gateway: " + u)
	}
	sess.Controller().StartAll()
	if path != demoPath {
		h.remember(path)
	}
	return newDeskStack(sess), nil
}

// portOffer turns a gateway port held by another program into the offer
// of the next free port.
func portOffer(err error, explicit map[int]int) error {
	var inUse *portcheck.InUseError
	if !errors.As(err, &inUse) || inUse.Port == 0 {
		return err
	}
	free := inUse.Port + 1
	for ; free < 65535; free++ {
		if portcheck.CheckPort(free) == nil {
			break
		}
	}
	return &ui.PortTakenError{Err: err, Prod: prodPort(inUse.Port, explicit), Free: free}
}

// prodPort is the config's listen port that is served on local: the
// explicit mapping's, else the one the default mapping sends there.
func prodPort(local int, explicit map[int]int) int {
	for from, to := range explicit {
		if to == local {
			return from
		}
	}
	for p := 1; p < 1024; p++ {
		if gateway.DefaultPortMap(p) == local {
			return p
		}
	}
	return local
}

// logStates logs each service's state changes until the returned func is
// called: the app's own log says what the window shows.
func logStates(ctl Controller, log hclog.Logger) func() {
	snaps, unsubscribe := ctl.Subscribe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer unsubscribe()
		eachChange(ctx, snaps, func(st engine.ServiceState) string { return string(st.State) }, func(st engine.ServiceState) {
			log.Info("service state", "service", st.Name, "state", st.State, "detail", st.Detail)
		})
	}()
	return func() { cancel(); <-done }
}

// Showing logs what the window shows, so the app's log tells it too.
func (h *deskHost) Showing(title, summary string) {
	h.log.Info("window shows", "stack", title, "services", summary)
}

// Import writes compose.yaml beside an nginx config, as `berth import`
// does, taking the config's paths as Debian's nginx would.
func (h *deskHost) Import(conf string) (string, error) {
	out := filepath.Join(filepath.Dir(conf), "compose.yaml")
	if err := writeImport(configFlags{file: conf, prodPrefix: "/etc/nginx"}, out); err != nil {
		return "", err
	}
	return out, nil
}

// StackFor imports a dropped nginx config (a .conf file); anything else
// is a stack file or a folder holding one, opened as it is.
func (h *deskHost) StackFor(dropped string) (string, error) {
	if strings.HasSuffix(dropped, ".conf") {
		return h.Import(dropped)
	}
	return dropped, nil
}

func (h *deskHost) Recent() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.prefs.Recent...)
}

func (h *deskHost) Settings() ui.Settings {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.prefs.Settings
}

// minLogLines is the fewest lines a log view may keep: fewer would not
// fill the view.
const minLogLines = 100

func (h *deskHost) SaveSettings(s ui.Settings) error {
	if err := checkSettings(s); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.prefs.Settings = s
	return h.saveLocked()
}

// checkSettings says what is wrong with settings the user gave, if
// anything.
func checkSettings(s ui.Settings) error {
	for _, from := range slices.Sorted(maps.Keys(s.GatewayPorts)) {
		if to := s.GatewayPorts[from]; from < 1 || from > 65535 || to < 1 || to > 65535 {
			return fmt.Errorf("gateway ports: %d:%d is not a port mapping: ports run from 1 to 65535", from, to)
		}
	}
	if s.LogLines < minLogLines {
		return fmt.Errorf("log lines: give a number of at least %d", minLogLines)
	}
	switch s.Theme {
	case "", "system", "light", "dark":
	default:
		return fmt.Errorf("theme: %q is not system, light or dark", s.Theme)
	}
	return nil
}

// UsePort keeps the offered local port for an nginx listen port.
func (h *deskHost) UsePort(prod, local int) error {
	if err := checkSettings(ui.Settings{GatewayPorts: map[int]int{prod: local}, LogLines: minLogLines}); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	ports := maps.Clone(h.prefs.Settings.GatewayPorts)
	if ports == nil {
		ports = map[int]int{}
	}
	ports[prod] = local
	h.prefs.Settings.GatewayPorts = ports
	return h.saveLocked()
}

// remember puts path first in the recent list.
func (h *deskHost) remember(path string) {
	h.prefs.Recent = addRecent(h.prefs.Recent, path, maxRecent)
	if err := h.saveLocked(); err != nil {
		h.log.Warn("cannot save the recent stacks", "file", h.file, "error", err)
	}
}

// addRecent puts path first, without duplicates, keeping at most max.
func addRecent(list []string, path string, max int) []string {
	out := []string{path}
	for _, p := range list {
		if p != path && len(out) < max {
			out = append(out, p)
		}
	}
	return out
}

func (h *deskHost) saveLocked() error {
	data, err := json.MarshalIndent(h.prefs, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(h.file), 0o755); err != nil {
		return err
	}
	tmp := h.file + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, h.file)
}

// closeLocked stops the open session's services and releases it.
func (h *deskHost) closeLocked() {
	if h.stopLog != nil {
		h.stopLog()
		h.stopLog = nil
	}
	if h.sess != nil {
		if err := h.sess.Close(); err != nil {
			h.log.Warn("closing the stack", "error", err)
		}
		h.sess = nil
	}
}

// close stops whatever runs: the window has gone.
func (h *deskHost) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closeLocked()
}

var _ ui.Host = (*deskHost)(nil)
