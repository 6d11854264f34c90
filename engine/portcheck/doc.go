// Package portcheck tells whether a TCP port or unix socket is free and,
// where the system says, which process holds it. It is the one pre-flight
// for addresses: the engine checks a service's port and socket with it
// before starting the service, and the gateway names the holder of a
// port it could not bind.
package portcheck
