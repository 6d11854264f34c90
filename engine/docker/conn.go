package docker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/client"
)

// ErrUnreachable is wrapped by errors that mean the engine does not
// answer.
var ErrUnreachable = errors.New("Docker engine not reachable")

// conn knows whether the engine answers. Making the client never fails;
// whether the engine is there is learnt by pinging it, again and again
// while it is not (watch), and again whenever a call fails (check).
type conn struct {
	cli   *client.Client
	ep    endpoint
	every time.Duration // how often to ping an engine that is away
	poke  chan struct{} // asks watch to ping now; capacity 1

	mu         sync.Mutex // guards the fields that follow
	known      bool       // pinged at least once
	negotiated bool       // the API version is agreed
	up         bool
	reason     string        // why not, while !up
	changed    chan struct{} // closed and replaced whenever up changes
}

func newConn(cli *client.Client, ep endpoint, every time.Duration) *conn {
	return &conn{cli: cli, ep: ep, every: every, poke: make(chan struct{}, 1), changed: make(chan struct{})}
}

// watch pings the engine until ctx ends: every c.every while it is
// away, and when poked while it is there.
func (c *conn) watch(ctx context.Context) {
	for {
		c.ping(ctx)
		c.mu.Lock()
		up := c.up
		c.mu.Unlock()
		var tick <-chan time.Time
		var t *time.Timer
		if !up {
			t = time.NewTimer(c.every)
			tick = t.C
		}
		select {
		case <-ctx.Done():
		case <-c.poke:
		case <-tick:
		}
		if t != nil {
			t.Stop()
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// ping asks the engine whether it is there and records the answer.
func (c *conn) ping(ctx context.Context) error {
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	p, err := c.cli.Ping(pctx)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	c.set(err, p)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrUnreachable, reasonOf(err))
	}
	return nil
}

func (c *conn) set(err error, p types.Ping) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil && !c.negotiated {
		// Once, before anyone else uses the client (nobody does before
		// the engine is first up): the client's own lazy negotiation
		// races with concurrent calls.
		c.cli.NegotiateAPIVersionPing(p)
		c.negotiated = true
	}
	up := err == nil
	reason := ""
	if err != nil {
		reason = reasonOf(err)
	}
	changed := !c.known || up != c.up
	c.known, c.up, c.reason = true, up, reason
	if changed {
		close(c.changed)
		c.changed = make(chan struct{})
	}
}

// reasonOf is a ping's failure in the client's words, without the
// negotiation noise.
func reasonOf(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "error during connect: ")
	return s
}

// check is for a call that failed: nil when the engine still answers (the
// failure was the call's own), else an ErrUnreachable error. The watcher
// takes over from there.
func (c *conn) check(ctx context.Context) error {
	err := c.ping(ctx)
	if err != nil {
		select {
		case c.poke <- struct{}{}:
		default:
		}
	}
	return err
}

// ready returns once the engine answers, or ctx ends. While it does not,
// it tells waiting why, each time the reason is known anew.
func (c *conn) ready(ctx context.Context, waiting func(reason string)) error {
	told := ""
	for {
		c.mu.Lock()
		known, up, reason, ch := c.known, c.up, c.reason, c.changed
		c.mu.Unlock()
		if up {
			return nil
		}
		if known && waiting != nil && reason != told {
			waiting(reason)
			told = reason
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(c.every):
			// the reason may have changed without up changing
		}
	}
}

// state is whether the engine answered the last ping, and if not why.
func (c *conn) state() (up bool, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.up, c.reason
}
