package engine

import (
	"strings"
	"testing"
	"time"
)

func TestDecideRestart(t *testing.T) {
	b := Backoff{Initial: time.Second, Max: 30 * time.Second, ResetAfter: time.Minute}
	no := RestartPolicy{Mode: RestartNo}
	always := RestartPolicy{Mode: RestartAlways}
	unless := RestartPolicy{Mode: RestartUnlessStopped}
	onFail := RestartPolicy{Mode: RestartOnFailure}
	onFail3 := RestartPolicy{Mode: RestartOnFailure, MaxRetries: 3}
	tests := []struct {
		name string
		in   restartInput
		want string
	}{
		{"no, failed", restartInput{Policy: no, ExitCode: 1}, "stay down"},
		{"no, clean", restartInput{Policy: no}, "stay down"},
		{"always, clean exit", restartInput{Policy: always}, "restart in 1s (attempt 1)"},
		{"always, failed", restartInput{Policy: always, ExitCode: 2}, "restart in 1s (attempt 1)"},
		{"unless-stopped is always", restartInput{Policy: unless, ExitCode: 0}, "restart in 1s (attempt 1)"},
		{"always, stopped by the user", restartInput{Policy: always, StoppedByUser: true}, "stay down"},
		{"unless-stopped, stopped by the user", restartInput{Policy: unless, ExitCode: 137, StoppedByUser: true}, "stay down"},
		{"on-failure, clean exit", restartInput{Policy: onFail}, "stay down"},
		{"on-failure, failed", restartInput{Policy: onFail, ExitCode: 1}, "restart in 1s (attempt 1)"},
		{"on-failure, killed by a signal", restartInput{Policy: onFail, ExitCode: -1}, "restart in 1s (attempt 1)"},
		{"on-failure, unlimited", restartInput{Policy: onFail, ExitCode: 1, Attempts: 50}, "restart in 30s (attempt 51)"},
		{"on-failure:3, third restart", restartInput{Policy: onFail3, ExitCode: 1, Attempts: 2}, "restart in 4s (attempt 3)"},
		{"on-failure:3, max reached", restartInput{Policy: onFail3, ExitCode: 1, Attempts: 3}, "give up after 3"},
		{"on-failure:3, max reached but clean exit", restartInput{Policy: onFail3, Attempts: 3}, "stay down"},
		{"on-failure:3, max reached long ago", restartInput{Policy: onFail3, ExitCode: 1, Attempts: 3, GoodFor: time.Minute}, "restart in 1s (attempt 1)"},
		{"backoff doubles", restartInput{Policy: always, Attempts: 3}, "restart in 8s (attempt 4)"},
		{"backoff caps", restartInput{Policy: always, Attempts: 5}, "restart in 30s (attempt 6)"},
		{"backoff resets after good health", restartInput{Policy: always, Attempts: 5, GoodFor: 60 * time.Second}, "restart in 1s (attempt 1)"},
		{"not reset before", restartInput{Policy: always, Attempts: 5, GoodFor: 59 * time.Second}, "restart in 30s (attempt 6)"},
		{"unhealthy, no restart-on-unhealthy", restartInput{Policy: always, Unhealthy: true}, "stay down"},
		{"unhealthy, restart-on-unhealthy", restartInput{Policy: no, Unhealthy: true, OnUnhealthy: true, Attempts: 1}, "restart in 2s (attempt 2)"},
		{"unhealthy counts toward on-failure's max", restartInput{Policy: onFail3, Unhealthy: true, OnUnhealthy: true, Attempts: 3}, "give up after 3"},
		{"unhealthy, stopped by the user", restartInput{Policy: always, Unhealthy: true, OnUnhealthy: true, StoppedByUser: true}, "stay down"},
	}
	for _, tc := range tests {
		tc.in.Backoff = b
		if got := decideRestart(tc.in).String(); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Initial: time.Second, Max: 30 * time.Second}
	var got []string
	for a := range 8 {
		got = append(got, backoffDelay(b, a).String())
	}
	if s := strings.Join(got, " "); s != "1s 2s 4s 8s 16s 30s 30s 30s" {
		t.Errorf("delays %s", s)
	}
	odd := Backoff{Initial: 300 * time.Millisecond, Max: time.Second}
	if d := backoffDelay(odd, 2); d != time.Second {
		t.Errorf("capped delay %s", d)
	}
	if d := backoffDelay(odd, 1000); d != time.Second {
		t.Errorf("huge attempts %s", d)
	}
}
