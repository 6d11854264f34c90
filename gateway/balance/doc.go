// Package balance picks the upstream peer for each request exactly as
// nginx 1.22.1 does for an upstream{} block: smooth weighted round robin
// with backups and failure accounting, least_conn, ip_hash, hash and
// hash consistent (ketama), and random.
//
// A Pool holds one block's shared state, as one nginx worker does; an
// Attempt is one request's walk over it: nginx tries each peer at most once
// per request, primaries before backups, and stops after as many tries as
// there are live peers. Only the choice is made here; connecting, the
// proxy_next_upstream rules and the response status belong to the caller.
package balance
