//go:build !linux

package proc

// spawner starts processes on the caller's thread: without Pdeathsig the
// thread does not matter.
type spawner struct{}

func newSpawner() *spawner   { return &spawner{} }
func (*spawner) do(f func()) { f() }
func (*spawner) stop()       {}
