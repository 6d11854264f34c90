package engine

// Commander is the set of commands a surface sends a stack: what the
// Supervisor does on a user's click or keystroke. The command line and
// the desktop app each build their own interface on it.
type Commander interface {
	Start(service string) error
	Stop(service string) error
	Restart(service string) error
	Toggle(service string) error
	StartAll()
	StopAll()
	SetRuntime(service string, kind RuntimeKind) error
}

var _ Commander = (*Supervisor)(nil)
