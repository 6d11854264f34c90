//go:build !linux

package portcheck

// Holder cannot tell the holding process outside Linux.
func Holder(port int) string { return "" }

// SocketHolder cannot tell the holding process outside Linux.
func SocketHolder(path string) string { return "" }
