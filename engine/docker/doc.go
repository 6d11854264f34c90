// Package docker runs a stack's services as containers through the Docker
// Engine API, the way docker compose would create them (a network per
// project, Compose's labels, images pulled or built), so that a service
// can run as a container or as a local process with the same states,
// health, restarts and logs.
//
// Every container Berth makes carries Berth's own labels besides
// Compose's; Berth stops, removes or reattaches only containers with
// them. Which containers to keep, remove or create is decided by the pure
// function reconcile; the rest of the package carries its plans out.
package docker
