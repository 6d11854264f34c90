package ui

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/berth-dev/berth/engine"
)

// routeHeaders are the route table's columns.
var routeHeaders = []string{"Server", "Location", "At", "Service", "State", "Hits", "Statuses", "p50", "p99"}

var routeWidths = []float32{170, 170, 150, 100, 90, 60, 150, 70, 70}

// routeCells is the route table's text: one row per route, with its
// service's state and the gateway's figures.
func routeCells(r Routes, stats map[string]RouteStat, snap engine.Snapshot) [][]string {
	cells := make([][]string, 0, len(r.Rows))
	for _, row := range r.Rows {
		state := ""
		if row.Service != "" {
			if st, ok := snap.Service(row.Service); ok {
				state = string(st.State)
			}
		}
		service := row.Service
		if service == "" {
			service = row.Target
		}
		s := stats[row.At]
		cells = append(cells, []string{row.Server, row.Location, filepath.Base(row.At), service, state,
			fmt.Sprint(s.Hits), statusCounts(s.Statuses), latency(s.P50, s.Hits), latency(s.P99, s.Hits)})
	}
	return cells
}

// statusCounts reads "200×12 503×2", by status.
func statusCounts(m map[int]uint64) string { return joinByKey(m, "%d×%d", " ") }

// joinByKey formats each entry of m with format (key, value), in key
// order, joined by sep.
func joinByKey[V any](m map[int]V, format, sep string) string {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf(format, k, m[k]))
	}
	return strings.Join(parts, sep)
}

func latency(d time.Duration, hits uint64) string {
	if hits == 0 {
		return ""
	}
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000)
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

// recentText lists a route's last requests, newest first.
func recentText(reqs []Request) string {
	if len(reqs) == 0 {
		return "No requests yet."
	}
	var b strings.Builder
	for i := len(reqs) - 1; i >= 0; i-- {
		r := reqs[i]
		fmt.Fprintf(&b, "%s  %-6s %3d  %-8s %s", r.At.Format("15:04:05"), r.Method, r.Status, latency(r.Duration, 1), r.URI)
		if r.Upstream != "" {
			fmt.Fprintf(&b, "  → %s", r.Upstream)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// routesPane is the Routes tab: the table, a route's last requests, the
// URL box and the import report.
type routesPane struct {
	stack    func() Stack
	routes   Routes
	cells    [][]string
	stats    map[string]RouteStat
	selected int
	table    *widget.Table
	recent   *widget.Label
	url      *widget.Entry
	answer   *widget.Label
	report   *widget.Label
	content  fyne.CanvasObject
}

func newRoutesPane(stack func() Stack) *routesPane {
	p := &routesPane{stack: stack, selected: -1}
	p.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(p.cells), len(routeHeaders) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row < len(p.cells) {
				o.(*widget.Label).SetText(p.cells[id.Row][id.Col])
			}
		})
	p.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	p.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		l := o.(*widget.Label)
		switch {
		case id.Row < 0 && id.Col >= 0:
			l.SetText(routeHeaders[id.Col])
		case id.Col < 0 && id.Row >= 0:
			l.SetText(fmt.Sprint(id.Row + 1))
		default:
			l.SetText("")
		}
	}
	for i, w := range routeWidths {
		p.table.SetColumnWidth(i, w)
	}
	p.table.OnSelected = func(id widget.TableCellID) {
		p.selected = id.Row
		p.showRecent()
	}
	p.recent = widget.NewLabel("Select a route to see its last requests.")
	p.recent.TextStyle.Monospace = true
	p.url = widget.NewEntry()
	p.url.SetPlaceHolder("http://localhost/api/service1/ : which route takes it?")
	p.answer = widget.NewLabel("")
	p.answer.TextStyle.Monospace = true
	p.url.OnSubmitted = func(string) { p.match() }
	p.report = widget.NewLabel("")
	p.report.TextStyle.Monospace = true
	p.report.Wrapping = fyne.TextWrapWord

	matchBox := container.NewBorder(nil, nil, widget.NewLabel("URL"), widget.NewButton("Match", p.match), p.url)
	lower := container.NewAppTabs(
		container.NewTabItem("Last requests", container.NewScroll(p.recent)),
		container.NewTabItem("Which route?", container.NewBorder(matchBox, nil, nil, nil, container.NewScroll(p.answer))),
		container.NewTabItem("Import report", container.NewScroll(p.report)),
	)
	split := container.NewVSplit(p.table, lower)
	split.Offset = 0.55
	p.content = split
	return p
}

// setRoutes shows a stack's routes and its import report.
func (p *routesPane) setRoutes(r Routes) {
	p.routes = r
	p.selected = -1
	switch {
	case r.Config == "":
		p.report.SetText("This stack has no gateway: add x-berth.gateway.nginx to the stack file to import an nginx config.")
	case len(r.Report) == 0:
		p.report.SetText("The import found nothing to report.")
	default:
		p.report.SetText(strings.Join(r.Report, "\n"))
	}
}

// refresh redraws the table with the newest figures and states.
func (p *routesPane) refresh(stats map[string]RouteStat, snap engine.Snapshot) {
	p.stats = stats
	p.cells = routeCells(p.routes, stats, snap)
	p.table.Refresh()
	p.showRecent()
}

func (p *routesPane) showRecent() {
	if p.selected < 0 || p.selected >= len(p.routes.Rows) {
		return
	}
	p.recent.SetText(recentText(p.stats[p.routes.Rows[p.selected].At].Recent))
}

// match answers the URL box; it does nothing while no stack is open.
func (p *routesPane) match() {
	url, st := strings.TrimSpace(p.url.Text), p.stack()
	if url == "" || st == nil {
		return
	}
	p.answer.SetText(st.Match(url))
}
