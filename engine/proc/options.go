package proc

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/go-hclog"
)

// Environment variables every service process gets, so that Berth can
// recognise its own processes again (record reaping, the guardian's scan).
const (
	// ProjectEnv holds Options.Project.
	ProjectEnv = "BERTH_PROJECT"
	// RunEnv holds a value unique to one Runtime: only processes carrying
	// it are ever killed as leftovers.
	RunEnv = "BERTH_RUN"
)

// Options configures a Runtime.
type Options struct {
	// Project names the stack (the app's stack ID). It names the default
	// StateDir and is given to every process as BERTH_PROJECT.
	Project string
	// StateDir holds the record of process groups. One Runtime at a time
	// may use it (the app's stack lock sees to that). Default:
	// os.UserCacheDir()/berth/run/<Project>.
	StateDir string
	// GuardianGrace is how long the guardian, the leftover reaper and
	// Close's sweep wait after the stop signal before SIGKILL, once nobody
	// waits for a clean stop any more. Default 500ms, well inside the 2s
	// in which nothing may outlive Berth.
	GuardianGrace time.Duration
	// Executable is the program re-executed as the guardian; it must
	// import this package, whose init plays the guardian. Default: this
	// program.
	Executable string
	// Log receives what the runtime itself has to say (leftovers reaped,
	// a guardian that died). Default: discard.
	Log hclog.Logger
}

const defaultGuardianGrace = 500 * time.Millisecond

// withDefaults fills in what the caller left out.
func (o Options) withDefaults() (Options, error) {
	if o.Project == "" {
		o.Project = "default"
	}
	if o.StateDir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			base = os.TempDir()
		}
		o.StateDir = filepath.Join(base, "berth", "run", o.Project)
	}
	if o.GuardianGrace <= 0 {
		o.GuardianGrace = defaultGuardianGrace
	}
	if o.Log == nil {
		o.Log = hclog.NewNullLogger()
	}
	if o.Executable == "" {
		exe, err := selfExecutable()
		if err != nil {
			return o, err
		}
		o.Executable = exe
	}
	if err := os.MkdirAll(o.StateDir, 0o700); err != nil {
		return o, err
	}
	return o, nil
}

// newRunToken makes the value of RunEnv for one Runtime: random, so that
// two Berths never take each other's processes for leftovers.
func newRunToken() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", errors.New("no randomness for the run marker")
	}
	return hex.EncodeToString(b[:]), nil
}
