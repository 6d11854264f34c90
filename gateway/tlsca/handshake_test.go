package tlsca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"
)

// serveTLS serves cfg on a loopback port until the test ends: each
// connection completes its handshake, then is read until the client closes.
func serveTLS(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tln := tls.NewListener(ln, cfg)
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := tln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				if c.(*tls.Conn).Handshake() == nil {
					io.Copy(io.Discard, c)
				}
			})
		}
	})
	t.Cleanup(func() {
		tln.Close()
		wg.Wait()
	})
	return ln.Addr().String()
}

func openCA(t *testing.T) *CA {
	t.Helper()
	ca, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func (ca *CA) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// dial handshakes as a client that trusts only ca and checks the server
// certificate for serverName.
func dial(addr string, ca *CA, serverName string) (*tls.ConnectionState, error) {
	d := &net.Dialer{Timeout: 10 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{RootCAs: ca.pool(), ServerName: serverName})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	st := c.ConnectionState()
	return &st, nil
}

// peerNames is the SANs of the leaf certificate the server sent, whatever
// its validity.
func peerNames(t *testing.T, addr, serverName string) []string {
	t.Helper()
	c, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, ServerName: serverName})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return sans(c.ConnectionState().PeerCertificates[0])
}

func sans(c *x509.Certificate) []string {
	out := slices.Clone(c.DNSNames)
	for _, ip := range c.IPAddresses {
		out = append(out, ip.String())
	}
	return out
}

func TestHandshakeWildcard(t *testing.T) {
	ca := openCA(t)
	addr := serveTLS(t, ca.TLSConfig([]string{"example.test", "*.api.test"}))

	st, err := dial(addr, ca, "x.api.test")
	if err != nil {
		t.Fatalf("handshake for x.api.test: %v", err)
	}
	if len(st.VerifiedChains) != 1 || len(st.VerifiedChains[0]) != 2 || !st.VerifiedChains[0][1].Equal(ca.cert) {
		t.Fatalf("verified chains %v, want leaf → the local CA", st.VerifiedChains)
	}
	leaf := st.PeerCertificates[0]
	if got, want := sans(leaf), []string{"*.api.test", "localhost", "127.0.0.1", "::1"}; !slices.Equal(got, want) {
		t.Errorf("SANs %v, want %v", got, want)
	}
	if !slices.Equal(leaf.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) {
		t.Errorf("ExtKeyUsage %v, want ServerAuth", leaf.ExtKeyUsage)
	}
	if leaf.IsCA {
		t.Error("leaf is a CA")
	}
	if pub, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok || pub.Curve != elliptic.P256() {
		t.Errorf("leaf key %T, want ECDSA P-256", leaf.PublicKey)
	}
	if life := leaf.NotAfter.Sub(leaf.NotBefore); life > 398*24*time.Hour || life < 300*24*time.Hour {
		t.Errorf("leaf lifetime %v, want about a year and under 398 days", life)
	}
	if !leaf.NotBefore.Before(time.Now().Add(-time.Minute)) {
		t.Errorf("leaf NotBefore %v is not in the past", leaf.NotBefore)
	}
	if leaf.SerialNumber.BitLen() < 64 {
		t.Errorf("serial %v looks too small to be random", leaf.SerialNumber)
	}

	// Another name under the wildcard is served by the same certificate.
	if _, err := dial(addr, ca, "y.api.test"); err != nil {
		t.Fatalf("handshake for y.api.test: %v", err)
	}
	// nginx's *.api.test also takes a.b.api.test, which a certificate
	// wildcard cannot: that name gets a certificate of its own.
	st, err = dial(addr, ca, "a.b.api.test")
	if err != nil {
		t.Fatalf("handshake for a.b.api.test: %v", err)
	}
	if got := sans(st.PeerCertificates[0]); got[0] != "a.b.api.test" {
		t.Errorf("a.b.api.test got SANs %v", got)
	}
	if n := ca.issued.Load(); n != 2 {
		t.Errorf("%d certificates issued, want 2 (*.api.test and a.b.api.test)", n)
	}
}

func TestHandshakeExactAndLocal(t *testing.T) {
	ca := openCA(t)
	addr := serveTLS(t, ca.TLSConfig([]string{"example.test", "*.api.test"}))
	for _, name := range []string{"example.test", "localhost", "127.0.0.1", "::1"} {
		if _, err := dial(addr, ca, name); err != nil {
			t.Errorf("handshake verifying %s: %v", name, err)
		}
	}
}

// A client asking for a name no server has, or for none, gets the
// certificate of the first server name (plus the local names).
func TestHandshakeUnknownSNI(t *testing.T) {
	ca := openCA(t)
	addr := serveTLS(t, ca.TLSConfig([]string{"~^re\\.", "_", "example.test", "*.api.test"}))

	_, err := dial(addr, ca, "other.test")
	var hostErr x509.HostnameError
	if !errors.As(err, &hostErr) {
		t.Fatalf("handshake for other.test: %v, want a hostname mismatch", err)
	}
	want := []string{"example.test", "localhost", "127.0.0.1", "::1"}
	if got := peerNames(t, addr, "other.test"); !slices.Equal(got, want) {
		t.Errorf("other.test got SANs %v, want %v", got, want)
	}
	// Go sends no SNI when the server name is an IP address.
	if got := peerNames(t, addr, "127.0.0.1"); !slices.Equal(got, want) {
		t.Errorf("no SNI got SANs %v, want %v", got, want)
	}
	if n := ca.issued.Load(); n != 1 {
		t.Errorf("%d certificates issued, want 1 fallback", n)
	}
}

// Many handshakes at once for one new name issue one certificate.
func TestConcurrentHandshakesIssueOnce(t *testing.T) {
	ca := openCA(t)
	// Slow issuance down so every handshake arrives while it is in flight.
	ca.beforeIssue = func() { time.Sleep(200 * time.Millisecond) }
	addr := serveTLS(t, ca.TLSConfig([]string{"example.test", "*.api.test"}))

	const n = 16
	errs := make(chan error, 2*n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, err := dial(addr, ca, fmt.Sprintf("h%d.api.test", i))
			errs <- err
		})
		wg.Go(func() {
			_, err := dial(addr, ca, "example.test")
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := ca.issued.Load(); got != 2 {
		t.Errorf("%d certificates issued for %d handshakes, want 2 (*.api.test and example.test)", got, 2*n)
	}
}

// A certificate close to expiry is replaced, for a Berth left running.
func TestRenewsNearExpiry(t *testing.T) {
	ca := openCA(t)
	names := subjectNames("example.test", []string{"example.test"})
	first, err := ca.certificate(t.Context(), names)
	if err != nil {
		t.Fatal(err)
	}
	again, err := ca.certificate(t.Context(), names)
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Fatal("a fresh certificate was not reused")
	}
	ca.now = func() time.Time { return time.Now().Add(360 * 24 * time.Hour) }
	renewed, err := ca.certificate(t.Context(), names)
	if err != nil {
		t.Fatal(err)
	}
	if renewed == first || !renewed.Leaf.NotAfter.After(first.Leaf.NotAfter) {
		t.Fatal("a certificate 5 days from expiry was not renewed")
	}
	if n := ca.issued.Load(); n != 2 {
		t.Errorf("%d certificates issued, want 2", n)
	}
}
