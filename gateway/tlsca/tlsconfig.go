package tlsca

import (
	"context"
	"crypto/tls"
	"slices"
	"strings"
	"time"
)

const (
	// renewBefore reissues a cached certificate this close to its expiry,
	// for a Berth left running for a year.
	renewBefore = 7 * 24 * time.Hour
	// maxCached bounds the cache: names under a `*.` wildcard deeper than
	// one label each get their own certificate, and a client chooses them.
	maxCached = 1024
)

// TLSConfig returns a server config for a listen whose servers have the
// given server_name values. Its GetCertificate issues, on first use, a
// certificate for the SNI name the client asked for when a server name
// matches it: exact names, `*.example.com` / `.example.com` (as a wildcard
// certificate) and `www.example.*`; regex names and "_" are skipped. Without
// SNI, or for an unknown name, the certificate is for the first server name.
// Every certificate also covers localhost, 127.0.0.1 and ::1.
func (ca *CA) TLSConfig(names []string) *tls.Config {
	names = slices.Clone(names)
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			return ca.certificate(hello.Context(), subjectNames(hello.ServerName, names))
		},
	}
}

// Certificate returns a leaf certificate for names (DNS names or IP
// addresses, the first its common name) signed by the CA, issued on first
// use and cached like the ones TLSConfig serves.
func (ca *CA) Certificate(names ...string) (*tls.Certificate, error) {
	return ca.certificate(context.Background(), names)
}

// flight is one issuance in progress; handshakes wanting the same names
// wait for it instead of issuing their own.
type flight struct {
	done chan struct{} // closed when cert and err are set
	cert *tls.Certificate
	err  error
}

// certificate returns the cached certificate for names, issuing it when it
// is missing or about to expire. Concurrent callers for the same names share
// one issuance.
func (ca *CA) certificate(ctx context.Context, names []string) (*tls.Certificate, error) {
	key := strings.Join(names, ",")
	ca.mu.Lock()
	if c, ok := ca.certs[key]; ok && ca.fresh(c) {
		ca.mu.Unlock()
		return c, nil
	}
	if f, ok := ca.flights[key]; ok {
		ca.mu.Unlock()
		select {
		case <-f.done:
			return f.cert, f.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f := &flight{done: make(chan struct{})}
	ca.flights[key] = f
	ca.mu.Unlock()

	f.cert, f.err = ca.issue(names)

	ca.mu.Lock()
	delete(ca.flights, key)
	if f.err == nil {
		ca.storeLocked(key, f.cert)
	}
	ca.mu.Unlock()
	close(f.done)
	return f.cert, f.err
}

// storeLocked caches c under key, first dropping an arbitrary entry when
// the cache is full.
func (ca *CA) storeLocked(key string, c *tls.Certificate) {
	if _, ok := ca.certs[key]; !ok && len(ca.certs) >= maxCached {
		for k := range ca.certs {
			delete(ca.certs, k)
			break
		}
	}
	ca.certs[key] = c
}

// fresh reports whether a cached certificate can still be served: it is not
// close to expiry, or it is as long-lived as the CA lets it be.
func (ca *CA) fresh(c *tls.Certificate) bool {
	now := ca.now()
	if now.Add(renewBefore).Before(c.Leaf.NotAfter) {
		return true
	}
	return c.Leaf.NotAfter.Equal(ca.cert.NotAfter) && now.Before(c.Leaf.NotAfter)
}
