package docker

import "syscall"

const (
	sigterm = syscall.SIGTERM
	sigusr1 = syscall.SIGUSR1
)
