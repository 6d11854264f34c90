package tlsca

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

const (
	certFile = "ca.pem"
	keyFile  = "ca-key.pem"

	caLifetime = 10 * 365 * 24 * time.Hour
	// backdate covers clocks a little behind ours (VMs, containers).
	backdate = time.Hour
)

// How long loadOrCreate waits for another process that is halfway through
// creating the CA (ca-key.pem written, ca.pem not yet).
const (
	creationPoll  = 50 * time.Millisecond
	creationPolls = 20
)

// loadOrCreate returns the CA stored in dir, creating it when neither file
// exists. Creation publishes each file with a hard link, which never
// replaces an existing file, so two Berths starting at once agree on one CA:
// the loser of the race loads the winner's.
func loadOrCreate(dir string, now time.Time) (*x509.Certificate, crypto.Signer, error) {
	certPath, keyPath := filepath.Join(dir, certFile), filepath.Join(dir, keyFile)
	waited := 0
	for {
		cert, key, err := load(certPath, keyPath, now)
		if !errors.Is(err, fs.ErrNotExist) {
			return cert, key, err
		}
		certMissing, keyMissing := missing(certPath), missing(keyPath)
		switch {
		case certMissing && keyMissing:
			if err := create(dir, now); err != nil && !errors.Is(err, fs.ErrExist) {
				return nil, nil, err
			}
		case keyMissing:
			return nil, nil, fmt.Errorf("local CA: %s exists but its key %s is missing: move %s away to create a new CA", certPath, keyPath, dir)
		default:
			// ca.pem is linked after ca-key.pem: give a concurrent
			// creator a moment before calling it an interrupted one.
			if waited++; waited > creationPolls {
				return nil, nil, fmt.Errorf("local CA: %s exists but %s is missing (an interrupted first start?): delete %s to create a new CA", keyPath, certPath, keyPath)
			}
			time.Sleep(creationPoll)
		}
	}
}

func missing(path string) bool {
	_, err := os.Stat(path)
	return errors.Is(err, fs.ErrNotExist)
}

// load reads and checks the CA files; a missing file comes back as an error
// matching fs.ErrNotExist.
func load(certPath, keyPath string, now time.Time) (*x509.Certificate, crypto.Signer, error) {
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the local CA certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the local CA key: %w", err)
	}
	der, err := pemBlock(certPEM, "CERTIFICATE")
	if err != nil {
		return nil, nil, fmt.Errorf("local CA certificate %s: %w", certPath, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("local CA certificate %s: %w", certPath, err)
	}
	if !cert.IsCA {
		return nil, nil, fmt.Errorf("local CA certificate %s: not a CA certificate", certPath)
	}
	if now.After(cert.NotAfter) {
		return nil, nil, fmt.Errorf("local CA certificate %s expired on %s: move %s away to create a new CA", certPath, cert.NotAfter.Format(time.DateOnly), filepath.Dir(certPath))
	}
	der, err = pemBlock(keyPEM, "PRIVATE KEY")
	if err != nil {
		return nil, nil, fmt.Errorf("local CA key %s: %w", keyPath, err)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, nil, fmt.Errorf("local CA key %s: %w", keyPath, err)
	}
	key, ok := parsed.(*ecdsa.PrivateKey)
	if !ok {
		return nil, nil, fmt.Errorf("local CA key %s: %T is not an ECDSA key", keyPath, parsed)
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		return nil, nil, fmt.Errorf("local CA key %s does not belong to %s", keyPath, certPath)
	}
	return cert, key, nil
}

// pemBlock returns the bytes of the first PEM block, which must be of type
// want.
func pemBlock(data []byte, want string) ([]byte, error) {
	b, _ := pem.Decode(data)
	if b == nil {
		return nil, fmt.Errorf("no PEM data (want %q)", want)
	}
	if b.Type != want {
		return nil, fmt.Errorf("PEM block is %q, want %q", b.Type, want)
	}
	return b.Bytes, nil
}

// create makes a new CA and publishes its two files, key first. It returns
// an error matching fs.ErrExist when another process published first.
func create(dir string, now time.Time) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("generating the local CA key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return err
	}
	who := userAndHost()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			CommonName:         "Berth local CA " + who,
			Organization:       []string{"Berth local development CA"},
			OrganizationalUnit: []string{who},
		},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(caLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("signing the local CA certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("encoding the local CA key: %w", err)
	}
	if err := publish(dir, keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})); err != nil {
		return err
	}
	return publish(dir, certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// publish writes data to a temporary file in dir and links it to name, so
// readers never see a half-written file and an existing file is never
// replaced. Filesystems without hard links fall back to a rename.
func publish(dir, name string, data []byte) error {
	final := filepath.Join(dir, name)
	tmp, err := os.CreateTemp(dir, name+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", final, err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp already makes the file 0600; say so for the reader.
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", final, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", final, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", final, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", final, err)
	}
	err = os.Link(tmp.Name(), final)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		err = os.Rename(tmp.Name(), final)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", final, err)
	}
	return nil
}
