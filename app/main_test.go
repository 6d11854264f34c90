package app

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any leaves a goroutine behind.
// Fyne's driver starts a goroutine when its package initialises, which
// lives as long as the process: IgnoreCurrent leaves that one out.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m, goleak.IgnoreCurrent()) }
