package app

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/ui"
)

// BenchmarkToggleClickToShown times a click on a service's toggle until
// the window has drawn its effect (the service leaving or reaching
// Running), on a stack of four real processes; the window is Fyne's
// software-rendered test window. Each iteration is one click.
func BenchmarkToggleClickToShown(b *testing.B) {
	h := newTestHost(b)
	a := test.NewApp()
	defer a.Quit()
	dir := b.TempDir()
	compose := "services:\n"
	for i := 1; i <= 4; i++ {
		compose += fmt.Sprintf("  service%d:\n    command: [sleep, \"3600\"]\n", i)
	}
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
		b.Fatal(err)
	}
	w := ui.NewWindow(a, h, dir)
	defer w.Close()
	waitShown(b, w, func(s engine.Snapshot) bool { return countState(s, engine.Running) == 4 })

	var total, worst time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		button := toggleOf(b, w, "service1")
		on := button.Text == "Stop"
		began := time.Now()
		test.Tap(button)
		waitShown(b, w, func(s engine.Snapshot) bool {
			st, _ := s.Service("service1")
			if on {
				return st.State == engine.Stopped
			}
			return st.State == engine.Running
		})
		took := time.Since(began)
		total += took
		worst = max(worst, took)
		b.StopTimer()
		// Let the service settle before the next click.
		waitShown(b, w, func(s engine.Snapshot) bool {
			st, _ := s.Service("service1")
			return st.State == engine.Stopped || st.State == engine.Running
		})
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/click")
	b.ReportMetric(float64(worst.Microseconds())/1000, "max-ms/click")
}

func countState(s engine.Snapshot, state engine.State) int {
	n := 0
	for _, st := range s.Services {
		if st.State == state {
			n++
		}
	}
	return n
}

func waitShown(b *testing.B, w *ui.Window, ok func(engine.Snapshot) bool) {
	b.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok(w.Shown()) {
		if time.Now().After(deadline) {
			var states []string
			for _, st := range w.Shown().Services {
				states = append(states, st.Name+" "+string(st.State)+" "+st.Detail)
			}
			b.Fatalf("the window never showed it; it shows %q", states)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// toggleOf finds a service's toggle in the window: the button on the
// service's row of the list.
func toggleOf(b *testing.B, w *ui.Window, service string) *widget.Button {
	b.Helper()
	var row fyne.CanvasObject
	for _, o := range test.LaidOutObjects(w.Window().Content()) {
		if l, ok := o.(*widget.Label); ok && l.Text == service {
			row = l
		}
		if btn, ok := o.(*widget.Button); ok && row != nil && (btn.Text == "Stop" || btn.Text == "Start") {
			return btn
		}
	}
	b.Fatalf("no toggle for %s", service)
	return nil
}
