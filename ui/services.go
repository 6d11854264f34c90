package ui

import (
	"fmt"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/berth-dev/berth/engine"
)

// serviceColumns are the service list's column widths: badge, name over
// state (taking what is left), runtime, address, uptime over restarts,
// toggle.
var serviceColumns = columns{widths: []float32{14, -1, 105, 150, 80, 80}}

// flexMinWidth keeps the flexible column readable: a name and the
// first words of its state.
const flexMinWidth = 190

// columns lays a row's objects out left to right at fixed widths, one
// flexible (-1) column taking the rest, so the rows of a list align as a
// table's would.
type columns struct{ widths []float32 }

func (c columns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32
	for i, o := range objs {
		min := o.MinSize()
		switch {
		case i < len(c.widths) && c.widths[i] > 0:
			w += c.widths[i]
		case min.Width < flexMinWidth:
			w += flexMinWidth
		default:
			w += min.Width
		}
		w += theme.Padding()
		if min.Height > h {
			h = min.Height
		}
	}
	return fyne.NewSize(w, h)
}

func (c columns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	fixed := float32(0)
	for i := range objs {
		if i < len(c.widths) && c.widths[i] > 0 {
			fixed += c.widths[i]
		}
		fixed += theme.Padding()
	}
	x := float32(0)
	for i, o := range objs {
		w := size.Width - fixed
		if i < len(c.widths) && c.widths[i] > 0 {
			w = c.widths[i]
		}
		if w < 0 {
			w = 0
		}
		h := o.MinSize().Height
		o.Resize(fyne.NewSize(w, h))
		o.Move(fyne.NewPos(x, (size.Height-h)/2))
		x += w + theme.Padding()
	}
}

// serviceList is the window's list of services: badge, name, state in
// words, runtime, address, uptime, restarts and the on/off toggle.
type serviceList struct {
	// pending are toggles clicked whose effect has not shown yet: the row
	// says "Stopping…" or "Starting…" until the service leaves the state
	// it was in. Read and written on Fyne's thread.
	pending map[string]pendingToggle
	list    *widget.List
	rows    func() []engine.ServiceState
	infos   func(name string) ServiceInfo
	stack   func() Stack
	fail    func(error)
	now     func() time.Time
}

func newServiceList(rows func() []engine.ServiceState, infos func(string) ServiceInfo, stack func() Stack, fail func(error)) *serviceList {
	l := &serviceList{rows: rows, infos: infos, stack: stack, fail: fail, now: time.Now, pending: map[string]pendingToggle{}}
	l.list = widget.NewList(func() int { return len(l.rows()) }, l.newRow, l.updateRow)
	return l
}

func (l *serviceList) newRow() fyne.CanvasObject {
	badge := canvas.NewCircle(colourOff)
	name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.Truncation = fyne.TextTruncateEllipsis
	state := widget.NewLabel("")
	state.Truncation = fyne.TextTruncateEllipsis
	runtime := widget.NewSelect(nil, nil)
	addr := widget.NewLabel("")
	addr.Truncation = fyne.TextTruncateEllipsis
	up := widget.NewLabel("")
	restarts := widget.NewLabel("")
	toggle := widget.NewButton("Start", nil)
	badgeBox := container.New(layout.NewCenterLayout(), container.NewGridWrap(fyne.NewSize(12, 12), badge))
	return container.New(serviceColumns, badgeBox, tight(name, state), runtime, addr, tight(up, restarts), toggle)
}

// tight stacks two labels with no gap, a line over a line.
func tight(top, bottom *widget.Label) *fyne.Container {
	return container.New(layout.NewCustomPaddedVBoxLayout(-2*theme.Padding()), top, bottom)
}

// row cells, by position in the row container.
const (
	cellBadge = iota
	cellNameState
	cellRuntime
	cellAddress
	cellClock
	cellToggle
)

func (l *serviceList) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	rows := l.rows()
	if id >= len(rows) {
		return
	}
	st := rows[id]
	objs := o.(*fyne.Container).Objects
	badge := objs[cellBadge].(*fyne.Container).Objects[0].(*fyne.Container).Objects[0].(*canvas.Circle)
	badge.FillColor = badgeColour(st.State)
	badge.Refresh()
	nameState := objs[cellNameState].(*fyne.Container).Objects
	nameState[0].(*widget.Label).SetText(st.Name)
	words := badgeWords(st, l.now())
	p, busy := l.pending[st.Name]
	if busy && p.from != st.State {
		delete(l.pending, st.Name)
		busy = false
	}
	if busy {
		words = p.words
	}
	nameState[1].(*widget.Label).SetText(words)

	runtime := objs[cellRuntime].(*widget.Select)
	runtime.OnChanged = nil
	var kinds []string
	for _, k := range l.infos(st.Name).Runtimes {
		kinds = append(kinds, string(k))
	}
	runtime.Options = kinds
	runtime.SetSelected(string(st.Runtime))
	if len(kinds) < 2 {
		runtime.Disable()
	} else {
		runtime.Enable()
	}
	name := st.Name
	runtime.OnChanged = func(kind string) {
		if err := l.stack().SetRuntime(name, engine.RuntimeKind(kind)); err != nil {
			l.fail(err)
		}
	}

	objs[cellAddress].(*widget.Label).SetText(address(st))
	clock := objs[cellClock].(*fyne.Container).Objects
	clock[0].(*widget.Label).SetText(uptime(st, l.now()))
	clock[1].(*widget.Label).SetText(restartsText(st.Restarts))
	toggle := objs[cellToggle].(*widget.Button)
	if isOn(st.State) {
		toggle.SetText("Stop")
		toggle.SetIcon(theme.MediaStopIcon())
	} else {
		toggle.SetText("Start")
		toggle.SetIcon(theme.MediaPlayIcon())
	}
	if busy {
		toggle.Disable()
	} else {
		toggle.Enable()
	}
	from, on := st.State, isOn(st.State)
	toggle.OnTapped = func() {
		words := "Starting…"
		if on {
			words = "Stopping…"
		}
		l.pending[name] = pendingToggle{from: from, words: words}
		l.list.RefreshItem(id)
		if err := l.stack().Toggle(name); err != nil {
			delete(l.pending, name)
			l.list.RefreshItem(id)
			l.fail(err)
		}
	}
}

// pendingToggle is a toggle clicked in state from, shown as words until
// the service leaves that state.
type pendingToggle struct {
	from  engine.State
	words string
}

func restartsText(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return "1 restart"
	}
	return strconv.Itoa(n) + " restarts"
}

// serviceSummary is the stack's state in a few words, for the tray and
// the status bar: "4 of 4 healthy", "1 crashed, 3 healthy".
func serviceSummary(s engine.Snapshot) string {
	if len(s.Services) == 0 {
		return "no services"
	}
	counts := map[engine.State]int{}
	var order []engine.State
	for _, st := range s.Services {
		if counts[st.State] == 0 {
			order = append(order, st.State)
		}
		counts[st.State]++
	}
	if len(order) == 1 {
		return fmt.Sprintf("%d of %d %s", counts[order[0]], len(s.Services), order[0])
	}
	out := ""
	for i, state := range order {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%d %s", counts[state], state)
	}
	return out
}
