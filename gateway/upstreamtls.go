package gateway

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/berth-dev/berth/gateway/nginx"
)

// UpstreamTLS is how the connection to an https:// or suwsgi:// upstream
// is made for one request (ngx_http_upstream_ssl_init_connection).
type UpstreamTLS struct {
	// Name is *_ssl_name evaluated (by default the upstream's host), its
	// port dropped: what the certificate must match when Verify is on.
	Name string
	// SNI is the server name sent in the handshake: Name when
	// *_ssl_server_name is on and Name is no IP address; "" otherwise,
	// nginx's default.
	SNI string
	// Verify: the certificate is checked, as *_ssl_verify asks, with
	// the trusted certificates readable here.
	Verify bool
}

// upstreamTLSRequest works out the request's UpstreamTLS for module
// ("proxy", "uwsgi"); host is the upstream's host as the pass names it
// (nginx's u->ssl_name before *_ssl_name: an upstream block's name, or
// the address's host).
func (st *state) upstreamTLSRequest(module, host string) *UpstreamTLS {
	cfg := upstreamTLSFor(st.conf, module, st.ver, st.t.Config)
	name := host
	if cfg.name != "" {
		name = st.vars.expand(cfg.name)
	}
	u := &UpstreamTLS{Name: dropPort(name), Verify: cfg.roots != nil}
	if cfg.serverName && sniAllowed(u.Name) {
		u.SNI = u.Name
	}
	return u
}

// dropPort cuts a name at its port, as ngx_http_upstream_ssl_name does:
// $proxy_host and $http_host may carry one.
func dropPort(name string) string {
	rest := name
	if strings.HasPrefix(rest, "[") {
		if i := strings.IndexByte(rest, ']'); i >= 0 {
			rest = rest[i:]
		}
	}
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		return name[:len(name)-len(rest)+i]
	}
	return name
}

// sniAllowed: RFC 6066 leaves IP addresses out of SNI, and nginx sends
// none for an empty name, a bracketed IPv6 address or an IPv4 one.
func sniAllowed(name string) bool {
	if name == "" || name[0] == '[' {
		return false
	}
	ip, err := netip.ParseAddr(name)
	return err != nil || !ip.Is4()
}

// upstreamTLS is a level's *_ssl_* directives for module, as nginx
// merges them (ngx_http_proxy_merge_loc_conf, ngx_http_proxy_set_ssl):
// no SNI, no verification, sessions reused, TLS 1.0 to 1.2 before nginx
// 1.23.4 and to 1.3 since.
type upstreamTLS struct {
	serverName bool
	name       string // *_ssl_name as written; "" for the upstream's host
	verify     bool
	roots      *x509.CertPool // nil when the trusted file cannot be read here
	depth      int            // *_ssl_verify_depth
	base       *tls.Config
	bySNI      sync.Map // SNI → *tls.Config, base with ServerName set
}

// upstreamTLSFor reads module's TLS settings of c once, for the nginx
// version the gateway imitates (the default protocols depend on it);
// files are read where cfg maps them.
func upstreamTLSFor(c *Conf, module string, ver NginxVersion, cfg *nginx.Config) *upstreamTLS {
	ver = ver.OrDefault()
	return settingOnce(c, module+"_ssl "+ver.String(), func() *upstreamTLS { return readUpstreamTLS(c, module, ver, cfg) })
}

func readUpstreamTLS(c *Conf, module string, ver NginxVersion, cfg *nginx.Config) *upstreamTLS {
	p := module + "_ssl_"
	u := &upstreamTLS{
		serverName: flag(c, p+"server_name", false),
		verify:     flag(c, p+"verify", false),
		depth:      1,
	}
	if d := c.Get(p + "name"); d != nil {
		u.name = d.Args[0]
	}
	if d := c.Get(p + "verify_depth"); d != nil {
		u.depth, _ = strconv.Atoi(d.Args[0])
	}
	u.base = &tls.Config{
		// Verification is nginx's, in verifyPeer: only with *_ssl_verify
		// on, and against the name nginx checks.
		InsecureSkipVerify: true,
		MinVersion:         tls.VersionTLS10,
		MaxVersion:         tls.VersionTLS12,
	}
	if ver.AtLeast(1, 23, 4) {
		u.base.MaxVersion = tls.VersionTLS13
	}
	if d := c.Get(p + "protocols"); d != nil {
		u.base.MinVersion, u.base.MaxVersion = protocolRange(d.Args)
		if u.base.MaxVersion == 0 { // SSLv2, SSLv3 only: no handshake succeeds
			u.base.MinVersion, u.base.MaxVersion = tls.VersionTLS13, tls.VersionTLS12
		}
	}
	if flag(c, p+"session_reuse", true) {
		u.base.ClientSessionCache = tls.NewLRUClientSessionCache(0)
	}
	files := upstreamTLSFilesFor(c, module, cfg)
	if u.verify && files.roots != nil {
		u.roots = files.roots
		u.base.VerifyConnection = u.verifyPeer
	}
	if pair := files.pair; pair != nil {
		// Sent whatever authorities the upstream names, as OpenSSL
		// sends it; Go would send only a matching one.
		u.base.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return pair, nil }
	}
	return u
}

// protocolRange maps *_ssl_protocols to the versions Go speaks; SSLv2
// and SSLv3 it does not.
func protocolRange(names []string) (lo, hi uint16) {
	for _, n := range names {
		v, ok := tlsProtocols[n]
		if !ok {
			continue
		}
		if lo == 0 || v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	return lo, hi
}

var tlsProtocols = map[string]uint16{
	"TLSv1": tls.VersionTLS10, "TLSv1.1": tls.VersionTLS11,
	"TLSv1.2": tls.VersionTLS12, "TLSv1.3": tls.VersionTLS13,
}

// config is the client config for one connection: base, with the
// server name to send.
func (u *upstreamTLS) config(sni string) *tls.Config {
	if sni == "" {
		return u.base
	}
	if c, ok := u.bySNI.Load(sni); ok {
		return c.(*tls.Config)
	}
	c := u.base.Clone()
	c.ServerName = sni
	got, _ := u.bySNI.LoadOrStore(sni, c)
	return got.(*tls.Config)
}

// verifyPeer checks the upstream's chain against the trusted
// certificates within the verify depth, as OpenSSL does for nginx
// (ngx_ssl_trusted_certificate). The name is checked after the
// handshake, in handshakeUpstream, since it can differ per request.
func (u *upstreamTLS) verifyPeer(cs tls.ConnectionState) error {
	certs := cs.PeerCertificates
	if len(certs) == 0 {
		return errors.New("upstream sent no certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	chains, err := certs[0].Verify(x509.VerifyOptions{Roots: u.roots, Intermediates: inter})
	if err != nil {
		return fmt.Errorf("upstream SSL certificate verify error: %w", err)
	}
	// OpenSSL's depth d allows the peer, d intermediates and the trust
	// anchor (SSL_CTX_set_verify_depth).
	for _, ch := range chains {
		if len(ch) <= u.depth+2 {
			return nil
		}
	}
	return errors.New("upstream SSL certificate verify error: certificate chain too long")
}

// handshakeUpstream makes the TLS handshake on a connected peer within
// the connect timeout, as nginx's handshake runs under
// proxy_connect_timeout, and checks the certificate's name when
// verifying. A timeout is the connection's (504); any other failure is
// an error (502).
func handshakeUpstream(conn net.Conn, cfg *upstreamTLS, t *UpstreamTLS, timeout time.Duration) (net.Conn, error) {
	tc := tls.Client(conn, cfg.config(t.SNI))
	if timeout > 0 {
		tc.SetDeadline(time.Now().Add(timeout))
	}
	if err := tc.Handshake(); err != nil {
		return nil, err
	}
	if t.Verify && !certificateMatches(tc.ConnectionState().PeerCertificates[0], t.Name) {
		return nil, fmt.Errorf("upstream SSL certificate does not match %q", t.Name)
	}
	tc.SetDeadline(time.Time{})
	return tc, nil
}

// connector connects to a decision's peers: dialUpstream, then for
// https:// and suwsgi:// the TLS handshake, both within the connect
// timeout.
type connector struct {
	timeout time.Duration
	cfg     *upstreamTLS // nil for plain connections
	req     *UpstreamTLS
}

func (h *handler) connector(rt *routes, d *Decision, module string, timeout time.Duration) connector {
	c := connector{timeout: timeout, req: d.Upstream.TLS}
	if c.req != nil {
		c.cfg = upstreamTLSFor(d.Conf, module, h.g.opts.Version, rt.table.Config)
	}
	return c
}

func (c connector) connect(a Addr) (net.Conn, error) {
	conn, err := dialUpstream(a, c.timeout)
	if err != nil || c.cfg == nil {
		return conn, err
	}
	tc, err := handshakeUpstream(conn, c.cfg, c.req, c.timeout)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return tc, nil
}

// certificateMatches is OpenSSL's X509_check_host with no flags, which
// nginx's ngx_ssl_check_host calls: the name against the DNS names of
// the certificate, or its common name when it has none, a wildcard
// standing for the whole leftmost label. Unlike Go's VerifyHostname an
// IP address is matched as text, never against IP address entries.
func certificateMatches(c *x509.Certificate, name string) bool {
	if name == "" {
		return false
	}
	names := c.DNSNames
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = []string{c.Subject.CommonName}
	}
	for _, pattern := range names {
		if hostMatches(pattern, name) {
			return true
		}
	}
	return false
}

func hostMatches(pattern, name string) bool {
	pattern, name = strings.TrimSuffix(pattern, "."), strings.TrimSuffix(name, ".")
	if strings.EqualFold(pattern, name) {
		return true
	}
	rest, ok := strings.CutPrefix(pattern, "*.")
	if !ok || !strings.Contains(rest, ".") { // no wildcard over a top-level domain
		return false
	}
	label, domain, ok := strings.Cut(name, ".")
	return ok && label != "" && strings.EqualFold(domain, rest)
}

// loadCertPool reads the PEM certificates of a *_ssl_trusted_certificate
// file.
func loadCertPool(file string) (*x509.CertPool, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("%s holds no PEM certificate", file)
	}
	return pool, nil
}

// checkUpstreamTLS checks, for a location passing to an https:// or
// suwsgi:// upstream (or one chosen by variables), the TLS settings nginx
// checks when it starts (ngx_http_proxy_set_ssl), and says what Berth
// does about files a laptop lacks: production certificates rarely exist
// there, so verification or the client certificate is left out, with a
// warning, rather than refusing the config.
func (c *compiler) checkUpstreamTLS(conf *Conf, module string) error {
	p := module + "_ssl_"
	cert, key := conf.Get(p+"certificate"), conf.Get(p+"certificate_key")
	if cert != nil && key == nil {
		return &nginx.Error{Pos: cert.ErrPos(), Msg: fmt.Sprintf(`no "%scertificate_key" is defined for certificate "%s"`, p, cert.Args[0])}
	}
	if v := conf.Get(p + "verify"); v != nil && v.Args[0] == "on" {
		trusted := conf.Get(p + "trusted_certificate")
		if trusted == nil {
			return &nginx.Error{Pos: v.ErrPos(), Msg: fmt.Sprintf("no %strusted_certificate for %sverify", p, p)}
		}
	}
	files := upstreamTLSFilesFor(conf, module, c.t.Config)
	if files.rootsErr != nil {
		c.noteOnce(conf.Get(p+"trusted_certificate"), fmt.Sprintf("cannot read the trusted certificates (%v): Berth connects without verifying the upstream's certificate", files.rootsErr))
	}
	if files.pairErr != nil {
		c.noteOnce(cert, fmt.Sprintf("cannot load the client certificate (%v): Berth connects without one", files.pairErr))
	}
	return nil
}

// upstreamTLSFiles are the certificate files a level names for module,
// read once for the import report and the connections alike.
type upstreamTLSFiles struct {
	roots    *x509.CertPool // *_ssl_trusted_certificate with verify on; nil when unread
	rootsErr error
	pair     *tls.Certificate // *_ssl_certificate and _key; nil when unread
	pairErr  error
}

func upstreamTLSFilesFor(c *Conf, module string, cfg *nginx.Config) *upstreamTLSFiles {
	p := module + "_ssl_"
	return settingOnce(c, p+"files", func() *upstreamTLSFiles {
		f := &upstreamTLSFiles{}
		if d := c.Get(p + "trusted_certificate"); d != nil && flag(c, p+"verify", false) {
			f.roots, f.rootsErr = loadCertPool(cfg.ConfFile(d.Args[0])) // as nginx, only to verify
		}
		if cert, key := c.Get(p+"certificate"), c.Get(p+"certificate_key"); cert != nil && key != nil {
			pair, err := tls.LoadX509KeyPair(cfg.ConfFile(cert.Args[0]), cfg.ConfFile(key.Args[0]))
			if f.pairErr = err; err == nil {
				f.pair = &pair
			}
		}
		return f
	})
}
