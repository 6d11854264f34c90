package gateway

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/berth-dev/berth/fixtures/echo"
	"github.com/berth-dev/berth/gateway/tlsca"
)

// `listen ... ssl http2` serves HTTP/2 as nginx 1.22 does, checked
// against what Debian's nginx sent the same kind of upstream for curl
// --http2: $server_protocol HTTP/2.0, $http2 "h2", the cookies joined
// into one header, a body without a length sent with one; `return 444`
// resets the stream. A listen without http2 stays HTTP/1.1.
func TestHTTP2ListenServesHTTP2(t *testing.T) {
	up, err := echo.StartHTTP("tcp", "127.0.0.1:0", "b1")
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	ca, err := tlsca.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf(`server { listen 443 ssl http2; server_name h2.test;
			location / { proxy_pass http://%[1]s; proxy_set_header X-Proto $server_protocol; proxy_set_header X-H2 "[$http2]"; }
			location /444 { return 444; } }
		server { listen 127.0.0.5:8443 ssl; server_name h1.test; location / { proxy_pass http://%[1]s; } }`, up.Addr())
	g := NewGateway(compileSnippet(t, src), ServeOptions{MapPort: func(int) int { return 0 }, TLS: ca.TLSConfig})
	if err := g.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Shutdown(context.Background()) })
	pem, err := os.ReadFile(ca.CertPEMPath())
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	addrs := map[int]string{}
	for _, l := range g.Listeners() {
		addrs[l.Port] = l.Addr
	}
	do := func(host string, port int, req *http.Request) (*http.Response, *echo.Received, error) {
		c := &http.Client{Transport: &http.Transport{
			TLSClientConfig:   &tls.Config{RootCAs: roots, ServerName: host},
			ForceAttemptHTTP2: true,
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, "tcp", addrs[port])
			},
		}}
		defer c.CloseIdleConnections()
		resp, err := c.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		rec, err := echo.ParseReceived(body)
		return resp, rec, err
	}
	header := func(rec *echo.Received, name string) []string {
		var vals []string
		for _, h := range rec.Headers {
			if strings.EqualFold(h[0], name) {
				vals = append(vals, h[1])
			}
		}
		return vals
	}

	req, _ := http.NewRequest("GET", "https://h2.test/a?x", nil)
	req.Header.Add("Cookie", "a=1")
	req.Header.Add("Cookie", "b=2")
	resp, rec, err := do("h2.test", 443, req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Proto != "HTTP/2.0" {
		t.Errorf("listen ssl http2 answered over %s", resp.Proto)
	}
	if got := header(rec, "Cookie"); len(got) != 1 || got[0] != "a=1; b=2" {
		t.Errorf("upstream got Cookie %q, want one header \"a=1; b=2\"", got)
	}
	if p, h2 := header(rec, "X-Proto"), header(rec, "X-H2"); len(p) != 1 || p[0] != "HTTP/2.0" || len(h2) != 1 || h2[0] != "[h2]" {
		t.Errorf("upstream got $server_protocol %q, $http2 %q; want HTTP/2.0 and h2", p, h2)
	}

	// A streamed body has no length over HTTP/2: nginx reads it whole
	// and sends its Content-Length.
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte("hello\n"))
		pw.Close()
	}()
	req, _ = http.NewRequest("PUT", "https://h2.test/up", pr)
	if _, rec, err = do("h2.test", 443, req); err != nil {
		t.Fatal(err)
	}
	if got := header(rec, "Content-Length"); rec.BodyLen != 6 || len(got) != 1 || got[0] != "6" {
		t.Errorf("upstream got a body of %d with Content-Length %q; want 6 and \"6\"", rec.BodyLen, got)
	}

	req, _ = http.NewRequest("GET", "https://h2.test/444", nil)
	if resp, _, err := do("h2.test", 443, req); err == nil {
		t.Errorf("return 444 over HTTP/2 answered %d; want the stream reset", resp.StatusCode)
	}

	req, _ = http.NewRequest("GET", "https://h1.test/", nil)
	if resp, _, err = do("h1.test", 8443, req); err != nil {
		t.Fatal(err)
	}
	if resp.Proto != "HTTP/1.1" {
		t.Errorf("listen ssl without http2 answered over %s; want HTTP/1.1", resp.Proto)
	}
}
