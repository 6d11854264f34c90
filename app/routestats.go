package app

import "github.com/berth-dev/berth/gateway"

// RouteStats returns the gateway's figures per location of the stack's
// nginx config (hits, statuses, p50/p99 latency, the latest requests), in
// config order, for the surfaces to show; nil when the stack has no
// gateway. A location keeps its figures across reloads as long as it
// stays at the same file:line.
func (s *Session) RouteStats() []gateway.LocationStats {
	if s.gw == nil {
		return nil
	}
	return s.gw.gateway().Stats()
}
