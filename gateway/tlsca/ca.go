package tlsca

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// CA is a loaded local certificate authority. It is safe for concurrent use:
// every TLS config made from it shares one cache of issued certificates.
type CA struct {
	dir  string
	cert *x509.Certificate
	key  crypto.Signer
	now  func() time.Time

	// issued counts the leaf certificates made; tests read it.
	issued atomic.Int64
	// beforeIssue, when set (tests only), runs before each issuance so
	// concurrent handshakes can be made to overlap.
	beforeIssue func()

	mu      sync.Mutex // guards the fields that follow
	certs   map[string]*tls.Certificate
	flights map[string]*flight
}

// DefaultDir is where the CA lives unless the caller says otherwise:
// <user config dir>/berth/ca.
func DefaultDir() (string, error) {
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the config folder for the local CA: %w", err)
	}
	return filepath.Join(base, "berth", "ca"), nil
}

// Open loads the CA from dir (DefaultDir when dir is empty), creating it on
// first use: ca.pem and ca-key.pem, both 0600, in a 0700 folder.
func Open(dir string) (*CA, error) {
	if dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the local CA folder: %w", err)
	}
	cert, key, err := loadOrCreate(dir, time.Now())
	if err != nil {
		return nil, err
	}
	return &CA{
		dir:     dir,
		cert:    cert,
		key:     key,
		now:     time.Now,
		certs:   map[string]*tls.Certificate{},
		flights: map[string]*flight{},
	}, nil
}

// CertPEMPath is the CA certificate the user imports into a trust store.
func (ca *CA) CertPEMPath() string { return filepath.Join(ca.dir, certFile) }
