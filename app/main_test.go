package app

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any leaves a goroutine behind.
// Fyne's driver starts a goroutine when its package initialises, which
// lives as long as the process: IgnoreCurrent leaves that one out. It
// removes the berth binary the tests shared.
func TestMain(m *testing.M) {
	// Cleanup takes the place of os.Exit, so it exits itself.
	goleak.VerifyTestMain(m, goleak.IgnoreCurrent(), goleak.Cleanup(func(code int) {
		if berthDir != "" {
			os.RemoveAll(berthDir)
		}
		os.Exit(code)
	}))
}
