//go:build !linux

package gateway

import (
	"net"
	"time"
)

// dialUpstream connects to a peer within the connect timeout: Go's
// net.Dialer (dial_linux.go has the leaner Linux dial).
func dialUpstream(a Addr, timeout time.Duration) (net.Conn, error) {
	return dialNet(a, timeout)
}
