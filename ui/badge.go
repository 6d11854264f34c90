package ui

import (
	"cmp"
	"fmt"
	"image/color"
	"net"
	"strconv"
	"time"

	"github.com/berth-dev/berth/engine"
)

// The badge colours follow the traffic-light convention Docker Desktop
// and Tilt users know: green serving, amber on its way, red in trouble,
// grey off.
var (
	colourOff     = color.NRGBA{R: 0x8a, G: 0x8f, B: 0x98, A: 0xff}
	colourBusy    = color.NRGBA{R: 0xe8, G: 0xa3, B: 0x17, A: 0xff}
	colourGood    = color.NRGBA{R: 0x2e, G: 0xa0, B: 0x43, A: 0xff}
	colourRunning = color.NRGBA{R: 0x3b, G: 0x82, B: 0xf6, A: 0xff}
	colourBad     = color.NRGBA{R: 0xd9, G: 0x3f, B: 0x3f, A: 0xff}
)

// badgeColour is the colour of a state's badge.
func badgeColour(s engine.State) color.Color {
	switch s {
	case engine.Healthy:
		return colourGood
	case engine.Running:
		return colourRunning
	case engine.Preparing, engine.Waiting, engine.Starting:
		return colourBusy
	case engine.Unhealthy, engine.Crashed, engine.Failed:
		return colourBad
	case engine.Exited:
		return colourOff
	default:
		return colourOff
	}
}

// badgeWords are the words beside a service's badge: the state, and what
// the user needs with it (progress, exit code, when the next restart is).
func badgeWords(st engine.ServiceState, now time.Time) string {
	switch st.State {
	case engine.Preparing:
		if st.Progress >= 0 && st.Progress <= 1 && st.Detail != "" {
			return fmt.Sprintf("Preparing %d%%: %s", int(st.Progress*100), st.Detail)
		}
		return withDetail("Preparing", st.Detail)
	case engine.Waiting:
		return withDetail("Waiting", st.Detail)
	case engine.Starting:
		return withDetail("Starting", st.Detail)
	case engine.Running:
		return "Running"
	case engine.Healthy:
		return "Healthy"
	case engine.Unhealthy:
		return withDetail("Unhealthy", st.Detail)
	case engine.Exited:
		return fmt.Sprintf("Exited (code %d)", st.ExitCode)
	case engine.Crashed:
		if wait := st.RestartAt.Sub(now); wait > 0 {
			return fmt.Sprintf("Crashed, restarting in %s", roundDuration(wait))
		}
		return withDetail("Crashed", st.Detail)
	case engine.Failed:
		return withDetail("Failed", st.Detail)
	case engine.Stopped:
		return withDetail("Stopped", st.Detail)
	}
	return string(st.State)
}

func withDetail(word, detail string) string {
	if detail == "" {
		return word
	}
	return word + ": " + detail
}

// isOn says whether a service's toggle shows on: it runs or is on its way.
func isOn(s engine.State) bool {
	switch s {
	case engine.Stopped, engine.Exited, engine.Failed, "":
		return false
	}
	return true
}

// uptime is how long a running service has been up, "" when it is not.
func uptime(st engine.ServiceState, now time.Time) string {
	switch st.State {
	case engine.Running, engine.Healthy, engine.Unhealthy:
		if st.Since.IsZero() {
			return ""
		}
		return roundDuration(now.Sub(st.Since))
	}
	return ""
}

// roundDuration shows a duration the way a person reads a clock: 42s,
// 3m05s, 2h04m.
func roundDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return "0s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	default:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
}

// address is where a service serves now: its port is on st.Host, the
// remote Docker engine's host for a container there, else on loopback.
func address(st engine.ServiceState) string {
	switch {
	case st.Socket != "":
		return "unix:" + st.Socket
	case st.Port != 0:
		return net.JoinHostPort(cmp.Or(st.Host, "127.0.0.1"), strconv.Itoa(st.Port))
	}
	return ""
}
