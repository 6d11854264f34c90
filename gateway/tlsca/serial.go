package tlsca

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"os"
	"os/user"
)

// randomSerial is a random positive 128-bit serial number, so certificates
// from different runs (and different CAs) never share one.
func randomSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("generating a serial number: %w", err)
	}
	if n.Sign() == 0 {
		n.SetInt64(1)
	}
	return n, nil
}

// userAndHost names whose certificates these are (user@host), so several
// Berth CAs in one trust store can be told apart.
func userAndHost() string {
	name := "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		name += "@" + h
	}
	return name
}
