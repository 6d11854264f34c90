package ui

import (
	"fmt"

	"github.com/berth-dev/berth/engine"
)

// notice is one thing worth interrupting the user for.
type notice struct{ title, body string }

// notices are what changed for the worse between two snapshots: a
// service that crashed, failed or turned unhealthy. A service already in
// trouble is not announced again.
func notices(prev, next engine.Snapshot) []notice {
	var out []notice
	for _, st := range next.Services {
		before, _ := prev.Service(st.Name)
		if before.State == st.State {
			continue
		}
		switch st.State {
		case engine.Crashed:
			out = append(out, notice{st.Name + " crashed", fmt.Sprintf("Exit code %d; Berth restarts it", st.ExitCode)})
		case engine.Failed:
			out = append(out, notice{st.Name + " failed", withDetail("Berth gave up on it", st.Detail)})
		case engine.Unhealthy:
			out = append(out, notice{st.Name + " is unhealthy", withDetail("Its health check fails", st.Detail)})
		}
	}
	return out
}
