package gateway

import (
	"strings"
	"testing"
)

// hiddenResponseHeader decides by lower case, as strings.ToLower does,
// for ASCII and non-ASCII names alike.
func TestHiddenResponseHeader(t *testing.T) {
	byLower := func(name string) bool {
		switch strings.ToLower(name) {
		case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
			"date", "server", "x-pad", "status":
			return true
		}
		return strings.HasPrefix(strings.ToLower(name), "x-accel-")
	}
	for _, name := range []string{"Connection", "CONNECTION", "Content-Length", "Content-Type", "TE", "Te", "tE",
		"Date", "X-Accel-Redirect", "x-accel-", "X-Accel", "X-Pad", "Status", "Set-Cookie", "", "T",
		"\u212Aeep-Alive",        // Kelvin sign: lower case "keep-alive"
		"Tran\u017Ffer-Encoding", // long s: folds to s, but its lower case is itself
		"X-Accel-\u00e9", "Server\u00e9"} {
		if got, want := hiddenResponseHeader(name), byLower(name); got != want {
			t.Errorf("hiddenResponseHeader(%q) = %v, want %v", name, got, want)
		}
	}
}
