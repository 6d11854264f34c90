package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/berth-dev/berth/engine"
)

// detailPane shows the selected service: its state with pull or build
// progress, and tabs for its logs, health and details.
type detailPane struct {
	title    *widget.Label
	state    *widget.Label
	progress *widget.ProgressBar
	busy     *widget.ProgressBarInfinite
	logs     *logView
	health   *widget.Label
	details  *widget.Label
	tabs     *container.AppTabs
	content  fyne.CanvasObject
}

func newDetailPane(logs *logView) *detailPane {
	d := &detailPane{
		title:    widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		state:    widget.NewLabel(""),
		progress: widget.NewProgressBar(),
		busy:     widget.NewProgressBarInfinite(),
		logs:     logs,
		health:   widget.NewLabel(""),
		details:  widget.NewLabel(""),
	}
	d.state.Wrapping = fyne.TextWrapWord
	d.health.Wrapping = fyne.TextWrapWord
	d.health.TextStyle.Monospace = true
	d.details.TextStyle.Monospace = true
	d.progress.Hide()
	d.busy.Hide()
	d.busy.Stop()
	d.tabs = container.NewAppTabs(
		container.NewTabItem("Logs", logs.content),
		container.NewTabItem("Health", container.NewVScroll(d.health)),
		container.NewTabItem("Details", container.NewScroll(d.details)),
	)
	head := container.NewVBox(d.title, d.state, d.progress, d.busy)
	d.content = container.NewBorder(head, nil, nil, nil, d.tabs)
	return d
}

// show renders the service's current state.
func (d *detailPane) show(info ServiceInfo, st engine.ServiceState, now time.Time) {
	d.title.SetText(info.Name)
	d.state.SetText(badgeWords(st, now))
	switch {
	case st.State == engine.Preparing && st.Progress >= 0:
		d.busy.Stop()
		d.busy.Hide()
		d.progress.SetValue(st.Progress)
		d.progress.Show()
	case st.State == engine.Preparing:
		d.progress.Hide()
		d.busy.Show()
		d.busy.Start()
	default:
		d.progress.Hide()
		d.busy.Stop()
		d.busy.Hide()
	}
	d.health.SetText(healthText(info, st))
	d.details.SetText(detailsText(info, st))
}

// healthText is the Health tab: the checks, their last results with
// output, and why the service is unhealthy when it is.
func healthText(info ServiceInfo, st engine.ServiceState) string {
	var b strings.Builder
	if len(info.Checks) == 0 {
		b.WriteString("No health checks: the service counts as up once it runs.\n")
	} else {
		b.WriteString("Checks\n")
		for _, c := range info.Checks {
			fmt.Fprintf(&b, "  • %s\n", c)
		}
	}
	if st.State == engine.Unhealthy || st.State == engine.Failed || st.State == engine.Crashed {
		why := st.Detail
		if why == "" {
			if r, ok := lastFailure(st.Health); ok {
				why = fmt.Sprintf("%s failed: %s", r.Probe, firstLine(r.Output))
			}
		}
		if why != "" {
			fmt.Fprintf(&b, "\nWhy %s: %s\n", st.State, why)
		}
	}
	if len(st.Health) > 0 {
		b.WriteString("\nLast results (newest first)\n")
		for i := len(st.Health) - 1; i >= 0; i-- {
			r := st.Health[i]
			verdict := "ok  "
			if !r.OK {
				verdict = "FAIL"
			}
			fmt.Fprintf(&b, "  %s  %s  %s", r.At.Format("15:04:05"), verdict, r.Probe)
			if out := strings.TrimSpace(r.Output); out != "" {
				fmt.Fprintf(&b, "\n      %s", strings.ReplaceAll(out, "\n", "\n      "))
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func lastFailure(rs []engine.ProbeResult) (engine.ProbeResult, bool) {
	for i := len(rs) - 1; i >= 0; i-- {
		if !rs[i].OK {
			return rs[i], true
		}
	}
	return engine.ProbeResult{}, false
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// detailsText is the Details tab: how the service runs and what it is
// given.
func detailsText(info ServiceInfo, st engine.ServiceState) string {
	var b strings.Builder
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%-11s %s\n", k, v)
		}
	}
	row("Runtime", string(st.Runtime))
	row("Command", info.Command)
	row("Image", info.Image)
	row("Address", address(st))
	if st.Pid > 0 {
		row("Pid", fmt.Sprint(st.Pid))
	}
	row("Ports", strings.Join(info.Ports, ", "))
	row("Socket", info.Socket)
	row("Depends on", strings.Join(info.DependsOn, ", "))
	if len(info.Env) > 0 {
		b.WriteString("\nEnvironment\n")
		for _, e := range info.Env {
			fmt.Fprintf(&b, "  %s=%s\n", e.Name, e.Value)
		}
	}
	return b.String()
}
