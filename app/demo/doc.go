// Package demo is the service of Berth's built-in demo stack: a small
// uwsgi application that answers every request with JSON naming the
// service, the path and query it received, and how many requests it has
// served. Berth runs it as `berth demo-service`, so the demo needs neither
// Python nor Docker; the same code builds as a static binary
// (fixtures/containers/demo) for the container tests.
package demo
