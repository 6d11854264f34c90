package app

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrStackRunning says another Berth runs the stack already.
var ErrStackRunning = errors.New("the stack is already running in another Berth")

// stackLock is the one-Berth-per-stack guard: an exclusive lock on a file
// named after the stack, holding the owner's pid so a second Berth can
// say where the stack runs.
type stackLock struct {
	path string
	f    *os.File
}

// stackID names a stack by the absolute path of its main file.
func stackID(mainFile string) string {
	abs, err := filepath.Abs(mainFile)
	if err != nil {
		abs = mainFile
	}
	sum := sha256.Sum256([]byte(abs))
	return hex.EncodeToString(sum[:8])
}

// runtimeDir is Berth's folder for a stack's run-time files (locks,
// sockets, process records).
func runtimeDir(id string) (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "berth", "run", id)
	return dir, os.MkdirAll(dir, 0o700)
}

// lockStack takes the stack's lock or says which process holds it.
func lockStack(dir string) (*stackLock, error) {
	path := filepath.Join(dir, "berth.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("locking the stack: %w", err)
	}
	if err := lockFile(f); err != nil {
		data, _ := os.ReadFile(path)
		f.Close()
		pid := strings.TrimSpace(string(data))
		if _, err := strconv.Atoi(pid); err == nil {
			return nil, fmt.Errorf("%w (pid %s)", ErrStackRunning, pid)
		}
		return nil, ErrStackRunning
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return &stackLock{path: path, f: f}, nil
}

// release gives the stack up.
func (l *stackLock) release() {
	l.f.Truncate(0)
	unlockFile(l.f)
	l.f.Close()
}
