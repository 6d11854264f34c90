package engine

import "sync"

// broadcast wakes every goroutine waiting for "something changed" without
// the one who changed it ever waiting: wait returns a channel that the next
// fire closes. Take the channel before looking at the state, then select on
// it, and no change is missed.
type broadcast struct {
	mu     sync.Mutex // guards the fields that follow
	ch     chan struct{}
	waited bool // someone holds ch: fire must close and replace it
}

func (b *broadcast) wait() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ch == nil {
		b.ch = make(chan struct{})
	}
	b.waited = true
	return b.ch
}

func (b *broadcast) fire() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.waited {
		close(b.ch)
		b.ch = make(chan struct{})
		b.waited = false
	}
}
