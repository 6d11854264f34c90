package ui

import (
	"reflect"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
)

func TestNoticesOnlyForTrouble(t *testing.T) {
	snap := func(states ...engine.State) engine.Snapshot {
		var s engine.Snapshot
		for i, st := range states {
			s.Services = append(s.Services, engine.ServiceState{Name: string(rune('a' + i)), State: st, ExitCode: 2, Detail: "why"})
		}
		return s
	}
	for _, c := range []struct {
		prev, next engine.Snapshot
		want       []string
	}{
		{snap(engine.Healthy, engine.Running), snap(engine.Crashed, engine.Running), []string{"a crashed"}},
		{snap(engine.Healthy), snap(engine.Unhealthy), []string{"a is unhealthy"}},
		{snap(engine.Crashed), snap(engine.Failed), []string{"a failed"}},
		{snap(engine.Crashed), snap(engine.Crashed), nil},  // already told
		{snap(engine.Running), snap(engine.Stopped), nil},  // the user stopped it
		{snap(engine.Starting), snap(engine.Healthy), nil}, // good news needs no interruption
		{engine.Snapshot{}, snap(engine.Unhealthy), []string{"a is unhealthy"}},
	} {
		var got []string
		for _, n := range notices(c.prev, c.next) {
			got = append(got, n.title)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%v → %v: notices %q, want %q", c.prev.Services, c.next.Services, got, c.want)
		}
	}
}

func TestPortSettings(t *testing.T) {
	m, err := parsePorts("80:8080, 443:8443 8000:9000")
	if err != nil || !reflect.DeepEqual(m, map[int]int{80: 8080, 443: 8443, 8000: 9000}) {
		t.Fatalf("parsePorts = %v, %v", m, err)
	}
	if got := formatPorts(m); got != "80:8080, 443:8443, 8000:9000" {
		t.Errorf("formatPorts = %q", got)
	}
	for _, bad := range []string{"80", "80:", "x:8080", "80:8080:1"} {
		if _, err := parsePorts(bad); err == nil {
			t.Errorf("parsePorts(%q) took it", bad)
		}
	}
}

func TestServiceSummaryAndClock(t *testing.T) {
	s := engine.Snapshot{Services: []engine.ServiceState{{State: engine.Healthy}, {State: engine.Healthy}, {State: engine.Crashed}}}
	if got := serviceSummary(s); got != "2 healthy, 1 crashed" {
		t.Errorf("summary %q", got)
	}
	s.Services = s.Services[:2]
	if got := serviceSummary(s); got != "2 of 2 healthy" {
		t.Errorf("summary %q", got)
	}
	for d, want := range map[time.Duration]string{
		300 * time.Millisecond: "0s", 42 * time.Second: "42s", 185 * time.Second: "3m05s", 125 * time.Minute: "2h05m",
	} {
		if got := roundDuration(d); got != want {
			t.Errorf("roundDuration(%s) = %q, want %q", d, got, want)
		}
	}
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	crashed := engine.ServiceState{State: engine.Crashed, RestartAt: now.Add(3 * time.Second)}
	if got := badgeWords(crashed, now); got != "Crashed, restarting in 3s" {
		t.Errorf("crashed reads %q", got)
	}
}

// A container on a remote Docker engine publishes its port on that
// engine's host, not on this machine's loopback.
func TestAddressNamesTheHost(t *testing.T) {
	for _, c := range []struct {
		st   engine.ServiceState
		want string
	}{
		{engine.ServiceState{Port: 8000}, "127.0.0.1:8000"},
		{engine.ServiceState{Port: 8000, Host: "docker.example"}, "docker.example:8000"},
		{engine.ServiceState{Port: 8000, Host: "fd00::5"}, "[fd00::5]:8000"},
		{engine.ServiceState{Port: 8000, Socket: "/run/s1.sock"}, "unix:/run/s1.sock"},
		{engine.ServiceState{}, ""},
	} {
		if got := address(c.st); got != c.want {
			t.Errorf("address(%+v) = %q, want %q", c.st, got, c.want)
		}
	}
}
