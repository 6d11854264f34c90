package proc

import (
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
)

// guardian does not exist on Windows; its methods do nothing.
type guardian struct{}

func startGuardian(string, string, time.Duration, hclog.Logger) (*guardian, error) { return nil, nil }

func (*guardian) hold(int, syscall.Signal) {}
func (*guardian) release(int)              {}
func (*guardian) pid() int                 { return 0 }
func (*guardian) close() error             { return nil }

// reapLeftovers has no way to find a dead Berth's processes by their
// marker on Windows, and needs none: their jobs died with it.
func reapLeftovers([]recordEntry, time.Duration) []int { return nil }

// sweep has nothing to do on Windows: a job holds every process, however
// it was started.
func sweep(string, time.Duration) {}
