package ui

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/berth-dev/berth/engine"
)

// newTestLogView is a log view on a fake source, in a test app.
func newTestLogView(t *testing.T, max int) (*logView, *fakeLogs) {
	t.Helper()
	a := test.NewTempApp(t)
	win := a.NewWindow("logs")
	v := newLogView(func() fyne.Window { return win }, max, false, serviceColour)
	win.SetContent(v.content)
	win.Resize(fyne.NewSize(900, 500))
	src := newFakeLogs()
	v.attach(src)
	t.Cleanup(v.detach)
	return v, src
}

// waitShown waits until the view has taken in n lines in all.
func waitShown(t *testing.T, v *logView, last uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		v.detach() // stop the pump to read the model without racing it
		if n := len(v.model.all); n > 0 && v.model.all[n-1].Seq >= last {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the view never showed line %d", last)
		}
		v.resume()
		time.Sleep(2 * time.Second / maxLogRefresh) // a flush or two

	}
}

func TestLogFilterTextAndRegex(t *testing.T) {
	v, src := newTestLogView(t, 1000)
	texts := []string{"GET /api/service1/ 200", "GET /api/service2/ 500 ERROR upstream", "POST /api/service3/ 201",
		"warning: slow query", "GET /api/service1/users 404", "Error: connection refused"}
	src.ch <- lines("service1", 1, len(texts), func(i int) string { return texts[i-1] })
	stderr := lines("service1", len(texts)+1, 1, func(int) string { return "traceback on stderr" })
	stderr[0].Stream = engine.Stderr
	src.ch <- stderr
	waitShown(t, v, uint64(len(texts)+1))

	shown := func() string {
		var out []string
		for _, l := range v.model.shown {
			out = append(out, l.Text)
		}
		return strings.Join(out, " | ")
	}
	test.Type(v.filter, "error")
	if got, want := shown(), "GET /api/service2/ 500 ERROR upstream | Error: connection refused"; got != want {
		t.Errorf("text filter 'error' shows %q, want %q (case-insensitive)", got, want)
	}
	v.filter.SetText(`^GET /api/service[12]/`)
	if got := shown(); got != "" {
		t.Errorf("a regex taken as text matched %q", got)
	}
	v.regex.SetChecked(true)
	if got, want := shown(), "GET /api/service1/ 200 | GET /api/service2/ 500 ERROR upstream | GET /api/service1/users 404"; got != want {
		t.Errorf("regex filter shows %q, want %q", got, want)
	}
	v.filter.SetText(`(unclosed`)
	if !v.problem.Visible() || !strings.Contains(v.problem.Text, "not a regular expression") {
		t.Errorf("a bad regex says %q (visible %v)", v.problem.Text, v.problem.Visible())
	}
	if got := len(v.model.shown); got != 3 {
		t.Errorf("a bad regex changed what is shown: %d lines", got)
	}
	v.filter.SetText("")
	v.stream.SetSelected("stderr")
	if got := shown(); got != "traceback on stderr" {
		t.Errorf("the stderr view shows %q", got)
	}
	v.clear()
	if len(v.model.shown) != 0 || len(v.model.all) != 0 {
		t.Error("Clear left lines")
	}
}

// TestLogFloodIsBatched feeds 100,000 lines a second for a second: the
// view redraws at most maxLogRefresh times a second, keeps only its
// bounded number of lines, and ends on the newest line.
func TestLogFloodIsBatched(t *testing.T) {
	const perSecond, max = 100_000, 2000
	v, src := newTestLogView(t, max)
	began := time.Now()
	sent := 0
	tick := time.NewTicker(10 * time.Millisecond)
	for time.Since(began) < time.Second {
		<-tick.C
		n := perSecond / 100
		src.ch <- lines("flood", sent+1, n, func(i int) string { return fmt.Sprintf("line %d of the flood", i) })
		sent += n
	}
	tick.Stop()
	waitShown(t, v, uint64(sent))
	elapsed := time.Since(began)
	updates := v.updates.Load()
	limit := int64(math.Ceil(elapsed.Seconds()*maxLogRefresh)) + 1
	t.Logf("%d lines in %s: %d redraws (limit %d), %d lines kept", sent, elapsed.Round(time.Millisecond), updates, limit, len(v.model.all))
	if updates > limit {
		t.Errorf("%d redraws in %s; at most %d a second", updates, elapsed, maxLogRefresh)
	}
	if updates < 2 {
		t.Errorf("%d redraws: the view did not follow the flood", updates)
	}
	if len(v.model.all) > max || len(v.model.shown) > max {
		t.Errorf("the view keeps %d lines (%d shown), more than its %d", len(v.model.all), len(v.model.shown), max)
	}
	if c := cap(v.model.all); c > 3*max {
		t.Errorf("the view's buffer grew to %d lines for a bound of %d", c, max)
	}
	if last := v.model.shown[len(v.model.shown)-1].Text; last != fmt.Sprintf("line %d of the flood", sent) {
		t.Errorf("the last line shown is %q", last)
	}
}

func TestLogPauseHoldsTheView(t *testing.T) {
	v, src := newTestLogView(t, 100)
	src.ch <- lines("s", 1, 3, func(i int) string { return fmt.Sprint("before ", i) })
	waitShown(t, v, 3)
	v.togglePause()
	v.resume()
	src.ch <- lines("s", 4, 500, func(i int) string { return fmt.Sprint("during ", i) })
	time.Sleep(100 * time.Millisecond) // a paused view must not change; nothing to wait on
	v.detach()
	if n := len(v.model.all); n != 3 {
		t.Fatalf("a paused view took lines: %d", n)
	}
	v.togglePause()
	v.resume()
	waitShown(t, v, 503)
	if n := len(v.model.all); n != 100 {
		t.Errorf("after resuming the view holds %d lines, want its bound, 100", n)
	}
}
