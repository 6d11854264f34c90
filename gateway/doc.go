// Package gateway compiles an nginx configuration into an immutable route
// table and decides, exactly as nginx does, which server and location take a
// request and what the upstream receives. The decisions are pure functions;
// serving them over sockets sits at the edges.
package gateway
