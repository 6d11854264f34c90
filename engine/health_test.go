package engine

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestTracker plays Docker's health rules: results are "ok@T" or
// "fail@T" (seconds after the start); after each, the status and the
// wait before the next check.
func TestTracker(t *testing.T) {
	docker := healthRules{Interval: 30 * time.Second, Timeout: 30 * time.Second, Retries: 3, StartInterval: 5 * time.Second}
	withStart := docker
	withStart.StartPeriod = 20 * time.Second
	tests := []struct {
		name    string
		rules   healthRules
		results string
		want    string
	}{
		{"no start period: interval from the start", docker, "", "starting next 30s"},
		{"three failures make it unhealthy", docker, "fail@30 fail@60 fail@90",
			"starting next 30s, starting next 30s, unhealthy next 30s"},
		{"a success resets the streak", docker, "fail@30 fail@60 ok@90 fail@120 fail@150 fail@180",
			"starting next 30s, starting next 30s, healthy next 30s, healthy next 30s, healthy next 30s, unhealthy next 30s"},
		{"unhealthy back to healthy", docker, "fail@1 fail@2 fail@3 ok@4", "starting next 30s, starting next 30s, unhealthy next 30s, healthy next 30s"},
		{"start period: start interval, failures do not count", withStart, "fail@5 fail@10 fail@15",
			"starting next 5s, starting next 5s, starting next 5s"},
		{"after the start period they count", withStart, "fail@5 fail@10 fail@15 fail@20 fail@25 fail@30",
			"starting next 5s, starting next 5s, starting next 5s, starting next 30s, starting next 30s, unhealthy next 30s"},
		{"healthy in the start period: interval, failures count", withStart, "ok@5 fail@10 fail@15 fail@18",
			"healthy next 30s, healthy next 30s, healthy next 30s, unhealthy next 30s"},
	}
	for _, tc := range tests {
		t0 := time.Unix(1000, 0)
		tr := newTracker(tc.rules, t0)
		var got []string
		if tc.results == "" {
			got = append(got, fmt.Sprintf("%s next %s", tr.status, tr.interval(t0)))
		}
		for _, r := range strings.Fields(tc.results) {
			var sec int
			kind, at, _ := strings.Cut(r, "@")
			fmt.Sscan(at, &sec)
			when := t0.Add(time.Duration(sec) * time.Second)
			st := tr.record(kind == "ok", when)
			got = append(got, fmt.Sprintf("%s next %s", st, tr.interval(when)))
		}
		if s := strings.Join(got, ", "); s != tc.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tc.name, s, tc.want)
		}
	}
}

func TestOverallHealth(t *testing.T) {
	S, G, B := healthStarting, healthGood, healthBad
	tests := []struct {
		in   []healthStatus
		want healthStatus
	}{
		{nil, G},
		{[]healthStatus{S}, S},
		{[]healthStatus{G, S}, S},
		{[]healthStatus{G, G}, G},
		{[]healthStatus{G, B}, B},
		{[]healthStatus{S, B}, B},
	}
	for _, tc := range tests {
		if got := overallHealth(tc.in); got != tc.want {
			t.Errorf("%v: %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestHealthArgv(t *testing.T) {
	tests := []struct {
		test []string
		want string
	}{
		{[]string{"CMD", "curl", "-f", "http://localhost:$PORT/"}, `["curl" "-f" "http://localhost:$PORT/"]`},
		{[]string{"CMD-SHELL", "curl -f localhost:$PORT || exit $$"}, `["/bin/sh" "-c" "curl -f localhost:$$PORT || exit $$$$"]`},
		{[]string{"CMD-SHELL", "a", "b"}, `["/bin/sh" "-c" "a b"]`},
		{[]string{"CMD"}, `error: healthcheck test ["CMD"] has no command`},
		{[]string{"curl", "x"}, `error: healthcheck test must start with CMD, CMD-SHELL or NONE, not "curl"`},
	}
	for _, tc := range tests {
		argv, err := healthArgv(tc.test)
		got := fmt.Sprintf("%q", argv)
		if err != nil {
			got = "error: " + err.Error()
		}
		if got != tc.want {
			t.Errorf("%q: %s, want %s", tc.test, got, tc.want)
		}
	}
}
