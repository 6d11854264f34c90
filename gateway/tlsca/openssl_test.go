package tlsca

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// sClient runs Debian's `openssl s_client` against addr as a real,
// non-Go client would: trusting only ca.pem, failing on any verification
// error, and checking the certificate names host.
func sClient(t *testing.T, ca *CA, addr, sni, host string) (string, error) {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatal("openssl is not installed: `make test` installs it (Debian package openssl)")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	args := []string{"s_client", "-verify_return_error", "-CAfile", ca.CertPEMPath(), "-connect", addr, "-verify_hostname", host}
	if sni != "" {
		args = append(args, "-servername", sni)
	} else {
		args = append(args, "-noservername")
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin = strings.NewReader("")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestOpenSSLClientVerifies(t *testing.T) {
	ca := openCA(t)
	addr := serveTLS(t, ca.TLSConfig([]string{"example.test", "*.api.test"}))
	cases := []struct{ sni, host string }{
		{"example.test", "example.test"},
		{"x.api.test", "x.api.test"},
		{"a.b.api.test", "a.b.api.test"},
		{"localhost", "localhost"},
		{"", "example.test"},
	}
	for _, c := range cases {
		t.Run(c.sni+"|"+c.host, func(t *testing.T) {
			out, err := sClient(t, ca, addr, c.sni, c.host)
			if err != nil || !strings.Contains(out, "Verify return code: 0 (ok)") {
				t.Fatalf("openssl s_client -servername %q -verify_hostname %q: %v\n%s", c.sni, c.host, err, out)
			}
		})
	}
}

// openssl refuses the fallback certificate for a name no server has.
func TestOpenSSLClientRejectsUnknownName(t *testing.T) {
	ca := openCA(t)
	addr := serveTLS(t, ca.TLSConfig([]string{"example.test", "*.api.test"}))
	out, err := sClient(t, ca, addr, "other.test", "other.test")
	if err == nil || !strings.Contains(out, "hostname mismatch") {
		t.Fatalf("openssl s_client for other.test: %v, want a hostname mismatch\n%s", err, out)
	}
}
