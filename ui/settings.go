package ui

import (
	"fmt"
	"strconv"
	"strings"

	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// themes are the choices of the Theme setting.
var themes = []string{"system", "light", "dark"}

// fixedVariant is Fyne's theme held to one variant, light or dark,
// whatever the desktop prefers.
type fixedVariant struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (f fixedVariant) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return f.Theme.Color(n, f.variant)
}

func applyTheme(a fyne.App, name string) {
	switch name {
	case "light":
		a.Settings().SetTheme(fixedVariant{theme.DefaultTheme(), theme.VariantLight})
	case "dark":
		a.Settings().SetTheme(fixedVariant{theme.DefaultTheme(), theme.VariantDark})
	default:
		a.Settings().SetTheme(theme.DefaultTheme())
	}
}

// formatPorts writes a port mapping as "80:8080, 443:8443".
func formatPorts(m map[int]int) string { return joinByKey(m, "%d:%d", ", ") }

// parsePorts reads "80:8080, 443:8443" (commas or spaces between pairs);
// the host checks the numbers.
func parsePorts(s string) (map[int]int, error) {
	m := map[int]int{}
	for _, pair := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		from, to, ok := strings.Cut(pair, ":")
		f, err1 := strconv.Atoi(from)
		t, err2 := strconv.Atoi(to)
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%q is not a port mapping: write FROM:TO, as 80:8080", pair)
		}
		m[f] = t
	}
	return m, nil
}

func (w *Window) settingsDialog() {
	s := w.host.Settings()
	ports := widget.NewEntry()
	ports.SetText(formatPorts(s.GatewayPorts))
	ports.SetPlaceHolder("80:8080, 443:8443")
	lines := widget.NewEntry()
	lines.SetText(strconv.Itoa(s.LogLines))
	th := widget.NewSelect(themes, nil)
	th.SetSelected(s.Theme)
	if th.Selected == "" {
		th.SetSelected("system")
	}
	items := []*widget.FormItem{
		widget.NewFormItem("Gateway ports", ports),
		widget.NewFormItem("Log lines kept", lines),
		widget.NewFormItem("Theme", th),
	}
	dialog.ShowForm("Settings", "Save", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		m, err := parsePorts(ports.Text)
		if err != nil {
			w.showError(err)
			return
		}
		n, err := strconv.Atoi(strings.TrimSpace(lines.Text))
		if err != nil {
			w.showError(fmt.Errorf("log lines: %q is not a number", lines.Text))
			return
		}
		s := Settings{GatewayPorts: m, LogLines: n, Theme: th.Selected}
		if err := w.host.SaveSettings(s); err != nil {
			w.showError(err)
			return
		}
		applyTheme(w.app, s.Theme)
		dialog.ShowInformation("Settings saved", "Gateway ports and log lines apply when a stack next opens.", w.win)
	}, w.win)
}
