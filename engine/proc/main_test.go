package proc_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

// The test binary is also the guardian of the Runtimes the tests make
// (this package's init plays it when re-executed as one). The orphan tests' Berth is fixtures/procs/berthlike, built once,
// without the race detector, so that it and its guardian start as fast
// as berth does.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "proc-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	buildDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// buildDir holds binaries the tests build.
var buildDir string

var berthlike = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(buildDir, "berthlike")
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("building berthlike: %w", err)
	}
	out, err := exec.Command(goCmd, "build", "-o", bin, "github.com/berth-dev/berth/fixtures/procs/berthlike").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("building berthlike: %v\n%s", err, out)
	}
	return bin, nil
})
