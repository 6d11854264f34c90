//go:build !linux

package engine

// socketHolder cannot tell the holding process outside Linux.
func socketHolder(path string) string { return "" }
