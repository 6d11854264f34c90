package tlsca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// fingerprint is the SHA-256 of the CA certificate as stored in dir.
func fingerprint(t *testing.T, ca *CA) [32]byte {
	t.Helper()
	data, err := os.ReadFile(ca.CertPEMPath())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	if b == nil {
		t.Fatalf("%s: no PEM", ca.CertPEMPath())
	}
	if sum := sha256.Sum256(ca.cert.Raw); sum != sha256.Sum256(b.Bytes) {
		t.Fatalf("the CA in memory is not the one in %s", ca.CertPEMPath())
	}
	return sha256.Sum256(b.Bytes)
}

func TestOpenCreatesAndReloads(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "berth", "ca")
	first, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fingerprint(t, first) != fingerprint(t, second) {
		t.Fatal("the second Open made a new CA instead of loading the first")
	}
	if got, want := first.CertPEMPath(), filepath.Join(dir, "ca.pem"); got != want {
		t.Errorf("CertPEMPath = %q, want %q", got, want)
	}

	c := first.cert
	if !c.IsCA || !c.BasicConstraintsValid || c.MaxPathLen != 0 || !c.MaxPathLenZero {
		t.Errorf("basic constraints: IsCA=%v valid=%v MaxPathLen=%d zero=%v", c.IsCA, c.BasicConstraintsValid, c.MaxPathLen, c.MaxPathLenZero)
	}
	if c.KeyUsage != x509.KeyUsageCertSign|x509.KeyUsageCRLSign {
		t.Errorf("KeyUsage = %v", c.KeyUsage)
	}
	if pub, ok := c.PublicKey.(*ecdsa.PublicKey); !ok || pub.Curve != elliptic.P256() {
		t.Errorf("CA key is %T, want ECDSA P-256", c.PublicKey)
	}
	if life := c.NotAfter.Sub(c.NotBefore); life < 9*365*24*time.Hour || life > 11*365*24*time.Hour {
		t.Errorf("CA lifetime %v, want about ten years", life)
	}
	if c.NotBefore.After(time.Now().Add(-time.Minute)) {
		t.Errorf("CA NotBefore %v is not in the past", c.NotBefore)
	}
	if c.SerialNumber.BitLen() < 64 {
		t.Errorf("serial %v looks too small to be random", c.SerialNumber)
	}
}

func TestOpenPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	dir := filepath.Join(t.TempDir(), "ca")
	if _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		path string
		want os.FileMode
	}{
		{dir, 0o700 | os.ModeDir},
		{filepath.Join(dir, "ca.pem"), 0o600},
		{filepath.Join(dir, "ca-key.pem"), 0o600},
	}
	for _, c := range checks {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != c.want {
			t.Errorf("%s: mode %v, want %v", c.path, fi.Mode(), c.want)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("%s holds %d files, want ca.pem and ca-key.pem only", dir, len(entries))
	}
}

// Several Berths starting at once on a fresh machine end up with one CA.
func TestOpenConcurrentFirstUse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	const n = 8
	cas := make([]*CA, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { cas[i], errs[i] = Open(dir) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if fingerprint(t, cas[i]) != fingerprint(t, cas[0]) {
			t.Fatalf("Open #%d got a different CA from #0", i)
		}
	}
}

func TestDefaultDir(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("XDG_CONFIG_HOME is the Linux config folder")
	}
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", home)
	got, err := DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(home, "berth", "ca"); got != want {
		t.Errorf("DefaultDir = %q, want %q", got, want)
	}
	ca, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(home, "berth", "ca", "ca.pem"); ca.CertPEMPath() != want {
		t.Errorf("Open(\"\").CertPEMPath = %q, want %q", ca.CertPEMPath(), want)
	}
}

// A damaged CA is an error naming the file, never a silently new CA.
func TestOpenDamaged(t *testing.T) {
	other := t.TempDir()
	if _, err := Open(other); err != nil {
		t.Fatal(err)
	}
	otherKey, err := os.ReadFile(filepath.Join(other, "ca-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		damage func(dir string) error
		want   string // in the error, after replacing DIR with the folder
	}{
		{"garbage cert", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "ca.pem"), []byte("not a certificate\n"), 0o600)
		}, "local CA certificate DIR/ca.pem: no PEM data"},
		{"truncated cert", func(dir string) error {
			return truncate(filepath.Join(dir, "ca.pem"))
		}, "DIR/ca.pem"},
		{"key in cert file", func(dir string) error {
			return copyFile(filepath.Join(dir, "ca-key.pem"), filepath.Join(dir, "ca.pem"))
		}, `local CA certificate DIR/ca.pem: PEM block is "PRIVATE KEY", want "CERTIFICATE"`},
		{"garbage key", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "ca-key.pem"), []byte{0, 1, 2}, 0o600)
		}, "local CA key DIR/ca-key.pem: no PEM data"},
		{"truncated key", func(dir string) error {
			return truncate(filepath.Join(dir, "ca-key.pem"))
		}, "DIR/ca-key.pem"},
		{"key of another CA", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "ca-key.pem"), otherKey, 0o600)
		}, "local CA key DIR/ca-key.pem does not belong to DIR/ca.pem"},
		{"key missing", func(dir string) error {
			return os.Remove(filepath.Join(dir, "ca-key.pem"))
		}, "DIR/ca.pem exists but its key DIR/ca-key.pem is missing"},
		{"cert missing", func(dir string) error {
			return os.Remove(filepath.Join(dir, "ca.pem"))
		}, "DIR/ca-key.pem exists but DIR/ca.pem is missing"},
		{"cert is a directory", func(dir string) error {
			if err := os.Remove(filepath.Join(dir, "ca.pem")); err != nil {
				return err
			}
			return os.Mkdir(filepath.Join(dir, "ca.pem"), 0o700)
		}, "DIR/ca.pem"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := Open(dir); err != nil {
				t.Fatal(err)
			}
			if err := c.damage(dir); err != nil {
				t.Fatal(err)
			}
			_, err := Open(dir)
			want := strings.ReplaceAll(c.want, "DIR", dir)
			t.Logf("Open: %v", err)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("Open after %s: error %v, want one containing %q", c.name, err, want)
			}
		})
	}
}

func truncate(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data[:len(data)/2], 0o600)
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o600)
}
