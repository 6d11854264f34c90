package app

import (
	"context"
	"sync"
)

// routedVersion is the newest engine snapshot the stack's gateway routes
// by, so that a service moving make-before-break stops its old instance
// only once no new request can be sent to it.
type routedVersion struct {
	mu      sync.Mutex // guards the fields that follow
	version uint64
	changed chan struct{} // closed and replaced when version grows
}

// set records that the routes follow snapshot version.
func (r *routedVersion) set(version uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if version <= r.version {
		return
	}
	r.version = version
	if r.changed != nil {
		close(r.changed)
		r.changed = nil
	}
}

// wait returns once the routes follow snapshot version or a newer one,
// or ctx ends.
func (r *routedVersion) wait(ctx context.Context, version uint64) {
	for {
		r.mu.Lock()
		if r.version >= version {
			r.mu.Unlock()
			return
		}
		if r.changed == nil {
			r.changed = make(chan struct{})
		}
		ch := r.changed
		r.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return
		}
	}
}
