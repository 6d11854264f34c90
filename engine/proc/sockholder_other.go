//go:build !linux

package proc

// socketHolder cannot tell a socket's holder outside Linux.
func socketHolder(string) string { return "" }
