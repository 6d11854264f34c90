// Package tlsca is a local certificate authority for the gateway's TLS
// listens. Production configs say `listen 443 ssl` with certificate paths
// that do not exist on a laptop; Berth serves those listens with leaf
// certificates it issues itself for the server's names, signed by one CA
// kept in the user's config folder, so `https://` redirects keep working
// locally once the user trusts that CA. The model is mkcert: ECDSA P-256, a
// CA valid ten years, leaf certificates valid one year.
package tlsca
