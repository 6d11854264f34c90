package ui

import (
	"context"
	"image/color"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/berth-dev/berth/engine"
)

// maxLogRefresh caps how often a log view redraws: lines arriving faster
// are shown in batches, so a service writing 100,000 lines a second costs
// the window at most this many list refreshes.
const maxLogRefresh = 30

// logView shows one service's log, or every service's merged with each
// service's colour. Lines reach it from a LogSource through a bounded
// pending batch; the batch is applied on Fyne's thread at most
// maxLogRefresh times a second.
type logView struct {
	win    func() fyne.Window
	merged bool
	model  *logModel

	list      *widget.List
	filter    *widget.Entry
	regex     *widget.Check
	stream    *widget.Select
	times     *widget.Check
	follow    *widget.Check
	pauseBtn  *widget.Button
	problem   *widget.Label
	content   fyne.CanvasObject
	selected  int
	paused    bool
	drawn     bool // the list has made its rows: it can scroll
	colourFor func(service string) color.Color

	mu       sync.Mutex // guards pending and applying
	pending  []engine.Line
	applying bool
	updates  atomic.Int64 // refreshes applied; the tests' measure

	src      LogSource
	stopPump func() // stops the goroutines feeding the view; nil when idle
}

func newLogView(win func() fyne.Window, max int, merged bool, colourFor func(string) color.Color) *logView {
	v := &logView{win: win, merged: merged, model: newLogModel(max), selected: -1, colourFor: colourFor}
	v.list = widget.NewList(
		func() int { return len(v.model.shown) },
		func() fyne.CanvasObject {
			v.drawn = true
			svc := canvas.NewText("", theme.Color(theme.ColorNamePrimary))
			svc.TextStyle.Monospace = true
			line := canvas.NewText("", theme.Color(theme.ColorNameForeground))
			line.TextStyle.Monospace = true
			return container.NewHBox(svc, line)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(v.model.shown) {
				return
			}
			l := v.model.shown[id]
			row := o.(*fyne.Container)
			svc, line := row.Objects[0].(*canvas.Text), row.Objects[1].(*canvas.Text)
			if v.merged {
				svc.Text = l.Service
				svc.Color = v.colourFor(l.Service)
				svc.Show()
			} else {
				svc.Hide()
			}
			line.Text = formatLine(l, v.times.Checked, false)
			line.Color = theme.Color(theme.ColorNameForeground)
			if l.Stream == engine.Stderr {
				line.Color = theme.Color(theme.ColorNameError)
			}
			svc.Refresh()
			line.Refresh()
		})
	v.list.OnSelected = func(id widget.ListItemID) { v.selected = id }
	v.list.OnUnselected = func(widget.ListItemID) { v.selected = -1 }

	v.filter = widget.NewEntry()
	v.filter.SetPlaceHolder("Filter (text, or a regex)")
	v.filter.OnChanged = func(string) { v.applyFilter() }
	v.regex = widget.NewCheck("Regex", func(bool) { v.applyFilter() })
	v.stream = widget.NewSelect([]string{"stdout and stderr", "stdout", "stderr"}, nil)
	v.stream.SetSelectedIndex(0)
	v.times = widget.NewCheck("Timestamps", func(bool) { v.list.Refresh() })
	v.follow = widget.NewCheck("Follow", nil)
	v.follow.SetChecked(true)
	v.follow.OnChanged = func(bool) { v.scrollToEnd() }
	v.pauseBtn = widget.NewButtonWithIcon("Pause", theme.MediaPauseIcon(), v.togglePause)
	v.problem = widget.NewLabel("")
	v.problem.Importance = widget.DangerImportance
	v.problem.Hide()
	v.stream.OnChanged = func(string) { v.applyFilter() }

	// Two rows, so the pane stays narrow enough to sit beside the list.
	filterRow := container.NewBorder(nil, nil, nil, container.NewHBox(v.regex, v.stream), v.filter)
	tools := container.NewHBox(v.times, v.follow, v.pauseBtn,
		widget.NewButtonWithIcon("Clear", theme.ContentClearIcon(), v.clear),
		widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), v.copySelection),
		widget.NewButtonWithIcon("Save…", theme.DocumentSaveIcon(), v.save))
	top := container.NewVBox(filterRow, tools, v.problem)
	v.content = container.NewBorder(top, nil, nil, nil, v.list)
	return v
}

// attach makes the view show src, replacing what it showed. The view
// owns the goroutines it starts here until detach.
func (v *logView) attach(src LogSource) {
	v.detach()
	v.src = src
	v.model.clear()
	v.mu.Lock()
	v.pending = nil
	v.mu.Unlock()
	v.list.Refresh()
	v.resume()
}

// resume starts feeding the view from its source again.
func (v *logView) resume() {
	if v.stopPump != nil || v.src == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); v.read(ctx, v.src) }()
	go func() { defer wg.Done(); v.flush(ctx) }()
	v.stopPump = func() { cancel(); wg.Wait() }
}

// detach stops feeding the view; lines already read stay pending.
func (v *logView) detach() {
	if v.stopPump != nil {
		v.stopPump()
		v.stopPump = nil
	}
}

// read moves lines from the source into the pending batch, keeping at
// most the model's size: older lines would leave the view anyway.
func (v *logView) read(ctx context.Context, src LogSource) {
	for {
		lines, err := src.Next(ctx)
		if err != nil {
			return
		}
		v.mu.Lock()
		v.pending = append(v.pending, lines...)
		if over := len(v.pending) - v.model.max; over > 0 {
			v.pending = v.pending[over:]
		}
		v.mu.Unlock()
	}
}

// flush hands the pending batch to Fyne's thread at most maxLogRefresh
// times a second, and never while the previous batch is still queued.
func (v *logView) flush(ctx context.Context) {
	tick := time.NewTicker(time.Second / maxLogRefresh)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		v.mu.Lock()
		if len(v.pending) == 0 || v.applying {
			v.mu.Unlock()
			continue
		}
		v.applying = true
		v.mu.Unlock()
		fyne.Do(v.apply)
	}
}

// apply runs on Fyne's thread: it takes the pending batch into the model
// and redraws, unless paused (then the batch waits, bounded).
func (v *logView) apply() {
	v.mu.Lock()
	v.applying = false
	if v.paused {
		v.mu.Unlock()
		return
	}
	batch := v.pending
	v.pending = nil
	v.mu.Unlock()
	v.model.add(batch)
	v.updates.Add(1)
	v.list.Refresh()
	v.scrollToEnd()
}

// scrollToEnd keeps the newest line in view while following. Fyne's
// list can only scroll once it has been drawn (it makes its rows then).
func (v *logView) scrollToEnd() {
	if v.follow.Checked && v.drawn {
		v.list.ScrollToBottom()
	}
}

func (v *logView) togglePause() {
	v.mu.Lock()
	v.paused = !v.paused
	paused := v.paused
	v.mu.Unlock()
	if paused {
		v.pauseBtn.SetText("Resume")
		v.pauseBtn.SetIcon(theme.MediaPlayIcon())
	} else {
		v.pauseBtn.SetText("Pause")
		v.pauseBtn.SetIcon(theme.MediaPauseIcon())
	}
}

func (v *logView) applyFilter() {
	streams := map[int]engine.Stream{1: engine.Stdout, 2: engine.Stderr}
	f, err := newLogFilter(v.filter.Text, v.regex.Checked, streams[v.stream.SelectedIndex()])
	if err != nil {
		v.problem.SetText(err.Error())
		v.problem.Show()
		return
	}
	v.problem.Hide()
	v.model.setFilter(f)
	v.list.UnselectAll()
	v.list.Refresh()
	v.scrollToEnd()
}

func (v *logView) clear() {
	v.model.clear()
	v.list.UnselectAll()
	v.list.Refresh()
}

// copySelection copies the selected line, or every shown line when none
// is selected.
func (v *logView) copySelection() {
	lines := v.model.shown
	if v.selected >= 0 && v.selected < len(lines) {
		lines = lines[v.selected : v.selected+1]
	}
	fyne.CurrentApp().Clipboard().SetContent(logText(lines, v.times.Checked, v.merged))
}

// save writes the shown lines to a file the user picks.
func (v *logView) save() {
	text := logText(v.model.shown, v.times.Checked, v.merged)
	dialog.ShowFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(err, v.win())
			return
		}
		if w == nil {
			return
		}
		defer w.Close()
		if _, err := w.Write([]byte(text)); err != nil {
			dialog.ShowError(err, v.win())
		}
	}, v.win())
}
